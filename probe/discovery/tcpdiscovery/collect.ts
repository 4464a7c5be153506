/**
 * Reads the live system for tcpdiscovery: the socket tables under
 * <procRoot>/net, the descriptors of every process (to find who holds which
 * socket), then details of only the processes that hold one. Synchronous
 * reads on purpose: thousands of tiny /proc reads cost far less this way than
 * as promises, and nothing else runs in the probe meanwhile.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { endianness } from "node:os";
import { join } from "node:path";
import type { CollectContext, Collected } from "../agent.js";
import { ErrorList } from "../error-list.js";
import { groupSockets } from "./group.js";
import { parseIdNames } from "./parse-accounts.js";
import { parseCmdline, parseExeLink, parseStatus, socketInode } from "./parse-process.js";
import { type Proto, parseSocketTable, type SocketEntry } from "./parse-socket-table.js";
import type { ProcessInfo, TcpDiscoveryData } from "./types.js";

const TABLES: readonly { file: string; proto: Proto }[] = [
  { file: "tcp", proto: "tcp" },
  { file: "tcp6", proto: "tcp" },
  { file: "udp", proto: "udp" },
  { file: "udp6", proto: "udp" },
];

/** Pids listed by name when descriptors were unreadable; the rest are counted. */
const MAX_PIDS_NAMED = 10;

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** The process is gone: its /proc directory vanished between listing and reading. */
function vanished(error: unknown): boolean {
  const code = errorCode(error);
  return code === "ENOENT" || code === "ESRCH";
}

function isDenied(error: unknown): boolean {
  const code = errorCode(error);
  return code === "EACCES" || code === "EPERM";
}

/** Sockets of all four tables, each inode once (a table read while it changes can repeat a line). */
export function readSocketTables(
  procRoot: string,
  littleEndian: boolean,
  errors: ErrorList,
): SocketEntry[] {
  const sockets: SocketEntry[] = [];
  const seen = new Set<number>();
  let tablesRead = 0;
  for (const { file, proto } of TABLES) {
    const path = `${procRoot}/net/${file}`;
    let text: string;
    try {
      text = readFileSync(path, "latin1");
    } catch (error) {
      // Without IPv6 (ipv6.disable=1) the *6 tables do not exist; that is not an error.
      if (!(file.endsWith("6") && errorCode(error) === "ENOENT")) errors.add(path, error);
      continue;
    }
    tablesRead++;
    for (const socket of parseSocketTable(text, { path, proto, littleEndian }, errors)) {
      if (socket.inode !== 0) {
        if (seen.has(socket.inode)) continue;
        seen.add(socket.inode);
      }
      sockets.push(socket);
    }
  }
  if (tablesRead === 0) throw new Error(`no socket table under ${procRoot}/net could be read`);
  return sockets;
}

/**
 * inode → pids holding it, for the inodes asked about, from the fd links of
 * every process. A process that exits during the scan is passed over
 * silently; one whose descriptors we may not read (not root) is counted in a
 * single error entry, and its sockets show up as unowned.
 */
export function scanSocketOwners(
  procRoot: string,
  inodes: ReadonlySet<number>,
  errors: ErrorList,
): Map<number, number[]> {
  const owners = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync(procRoot);
  } catch (error) {
    errors.add(procRoot, error);
    return owners;
  }
  const denied: number[] = [];
  for (const entry of entries) {
    const first = entry.charCodeAt(0);
    if (first < 49 || first > 57) continue; // pids start with 1-9; "self", "net", ... do not
    const pid = Number(entry);
    if (!Number.isSafeInteger(pid)) continue;
    const fdDir = `${procRoot}/${entry}/fd`;
    let fds: string[];
    try {
      fds = readdirSync(fdDir);
    } catch (error) {
      if (isDenied(error)) denied.push(pid);
      else if (!vanished(error)) errors.add(fdDir, error);
      continue;
    }
    for (const fd of fds) {
      let link: string;
      try {
        link = readlinkSync(`${fdDir}/${fd}`);
      } catch (error) {
        // The directory may be listable while its links are not (another user namespace).
        if (isDenied(error)) {
          denied.push(pid);
          break;
        }
        if (!vanished(error)) errors.add(`${fdDir}/${fd}`, error);
        continue; // closed since the directory was listed
      }
      const inode = socketInode(link);
      if (inode === undefined || !inodes.has(inode)) continue;
      const pids = owners.get(inode);
      if (pids === undefined) owners.set(inode, [pid]);
      else if (pids[pids.length - 1] !== pid) pids.push(pid); // dup()ed descriptors
    }
  }
  if (denied.length > 0) {
    const named = denied.slice(0, MAX_PIDS_NAMED).join(", ");
    const more =
      denied.length > MAX_PIDS_NAMED ? ` and ${denied.length - MAX_PIDS_NAMED} more` : "";
    errors.add(
      `${procRoot}/<pid>/fd`,
      `permission denied for ${denied.length} process${denied.length === 1 ? "" : "es"} (${named}${more}); their sockets are listed as unowned`,
    );
  }
  return owners;
}

const GONE = Symbol("process gone");

/** read(path), or null with an error entry when it fails, or GONE when the process exited. */
function readField<T>(
  path: string,
  read: (path: string) => T,
  errors: ErrorList,
): T | null | typeof GONE {
  try {
    return read(path);
  } catch (error) {
    if (vanished(error)) return GONE;
    errors.add(path, error);
    return null;
  }
}

const readText = (path: string): string => readFileSync(path, "utf8");
const readLink = (path: string): string => readlinkSync(path);

/** Details of one process, or undefined when it has exited (or is a zombie, whose files are closed). */
export function readProcess(
  procRoot: string,
  pid: number,
  errors: ErrorList,
): ProcessInfo | undefined {
  const base = `${procRoot}/${pid}`;
  const statusText = readField(`${base}/status`, readText, errors);
  if (statusText === GONE) return undefined;
  let status = statusText === null ? undefined : parseStatus(statusText);
  if (typeof status === "string") {
    errors.add(`${base}/status`, `unusable: ${status}`);
    status = undefined;
  }
  if (status?.zombie) return undefined;
  const exeLink = readField(`${base}/exe`, readLink, errors);
  const cmdlineText = readField(`${base}/cmdline`, readText, errors);
  const cwd = readField(`${base}/cwd`, readLink, errors);
  if (exeLink === GONE || cmdlineText === GONE || cwd === GONE) return undefined;
  const exe = exeLink === null ? null : parseExeLink(exeLink);
  const cmdline = cmdlineText === null ? { argv: [], truncated: false } : parseCmdline(cmdlineText);
  if (cmdline.truncated) errors.add(`${base}/cmdline`, "argument list cut to the schema's limits");
  return {
    pid,
    name: status?.name ?? "",
    exe: exe?.exe ?? null,
    exeDeleted: exe?.deleted ?? false,
    cmdline: cmdline.argv,
    uid: status?.uid ?? null,
    gid: status?.gid ?? null,
    cwd,
  };
}

function readIdNames(path: string, errors: ErrorList): Map<number, string> {
  try {
    return parseIdNames(readFileSync(path, "utf8"), path, errors);
  } catch (error) {
    errors.add(path, error);
    return new Map();
  }
}

export function collectTcpDiscovery(
  context: CollectContext,
  littleEndian = endianness() === "LE",
): Collected<TcpDiscoveryData> {
  const errors = new ErrorList();
  const { procRoot } = context;
  const sockets = readSocketTables(procRoot, littleEndian, errors);
  const inodes = new Set<number>();
  for (const socket of sockets) if (socket.inode !== 0) inodes.add(socket.inode);
  const owners = scanSocketOwners(procRoot, inodes, errors);

  const processes = new Map<number, ProcessInfo>();
  const read = new Set<number>();
  for (const pids of owners.values()) {
    for (const pid of pids) {
      if (read.has(pid)) continue;
      read.add(pid);
      const process = readProcess(procRoot, pid, errors);
      if (process) processes.set(pid, process);
    }
  }
  const passwd = join(context.fsRoot, "etc", "passwd");
  const group = join(context.fsRoot, "etc", "group");
  const needNames = processes.size > 0;
  const data = groupSockets({
    sockets,
    owners,
    processes,
    users: needNames ? readIdNames(passwd, errors) : new Map(),
    groups: needNames ? readIdNames(group, errors) : new Map(),
  });
  return {
    data,
    source: `${TABLES.map((t) => `${procRoot}/net/${t.file}`).join(", ")}, ${procRoot}/<pid>/{fd,status,exe,cmdline,cwd}, ${passwd}, ${group}`,
    errors: errors.items,
  };
}
