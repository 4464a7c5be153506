/** Parsers for what /proc/<pid> tells about a process: pure text in, values out. */

/** Inode of an fd link "socket:[12345]", or undefined for any other kind of file. */
export function socketInode(link: string): number | undefined {
  // charCode check first: this runs once per open file descriptor on the host.
  if (link.charCodeAt(0) !== 115 || !link.startsWith("socket:[") || !link.endsWith("]")) {
    return undefined;
  }
  const inode = Number(link.slice(8, -1));
  return Number.isSafeInteger(inode) && inode > 0 ? inode : undefined;
}

const DELETED_SUFFIX = " (deleted)";

/** The target of /proc/<pid>/exe; a replaced or removed binary reads "/path (deleted)". */
export function parseExeLink(link: string): { exe: string; deleted: boolean } {
  if (link.endsWith(DELETED_SUFFIX)) {
    return { exe: link.slice(0, -DELETED_SUFFIX.length), deleted: true };
  }
  return { exe: link, deleted: false };
}

/** The kernel's limit on one argument (MAX_ARG_STRLEN). */
export const MAX_ARG_LENGTH = 131_072;
export const MAX_ARGS = 4096;

/**
 * argv from /proc/<pid>/cmdline: NUL-separated, arguments may hold spaces and
 * newlines. Programs that rewrite their title (setproctitle, Perl's $0) pad
 * the old argv area with NULs, so trailing empty strings are dropped; an
 * empty argument in the middle is kept. `truncated` says an argument or the
 * argument count was cut to the limits above.
 */
export function parseCmdline(text: string): { argv: string[]; truncated: boolean } {
  const argv = text.split("\0");
  while (argv.length > 0 && argv[argv.length - 1] === "") argv.pop();
  let truncated = false;
  if (argv.length > MAX_ARGS) {
    argv.length = MAX_ARGS;
    truncated = true;
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg.length > MAX_ARG_LENGTH) {
      argv[i] = arg.slice(0, MAX_ARG_LENGTH);
      truncated = true;
    }
  }
  return { argv, truncated };
}

export interface ProcessStatus {
  /** The command name (comm), up to 15 characters. */
  name: string;
  /** Effective uid and gid: the identity the process acts with, as `ps -o user` shows. */
  uid: number;
  gid: number;
  zombie: boolean;
}

function statusField(text: string, key: string): string | undefined {
  const prefix = `${key}:`;
  let at = 0;
  if (!text.startsWith(prefix)) {
    at = text.indexOf(`\n${prefix}`) + 1;
    if (at === 0) return undefined;
  }
  let end = text.indexOf("\n", at);
  if (end < 0) end = text.length;
  return text.slice(at + prefix.length, end).trim();
}

function effectiveId(field: string | undefined): number | undefined {
  // "Uid:	real	effective	saved	filesystem"
  const effective = field?.split(/\s+/)[1];
  if (effective === undefined || !/^\d{1,10}$/.test(effective)) return undefined;
  const id = Number(effective);
  return id <= 0xffffffff ? id : undefined;
}

/** Name, effective uid/gid and zombie state from /proc/<pid>/status, or a reason it is unusable. */
export function parseStatus(text: string): ProcessStatus | string {
  const name = statusField(text, "Name");
  const uid = effectiveId(statusField(text, "Uid"));
  const gid = effectiveId(statusField(text, "Gid"));
  if (name === undefined) return "no Name: line";
  if (uid === undefined) return "no valid Uid: line";
  if (gid === undefined) return "no valid Gid: line";
  const state = statusField(text, "State");
  return { name, uid, gid, zombie: state?.startsWith("Z") === true };
}
