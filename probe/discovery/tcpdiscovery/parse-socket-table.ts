/**
 * Parser for /proc/net/{tcp,tcp6,udp,udp6}: keeps the sockets tcpdiscovery
 * reports (TCP LISTEN and ESTABLISHED, bound unconnected UDP and connected
 * UDP) and drops the rest (TIME_WAIT, SYN_SENT, ...) after checking the line.
 */
import type { ErrorList } from "../error-list.js";
import { decodeHexAddress, hexValue } from "./address.js";
import { LineErrors, quoted } from "./line-errors.js";

export type Proto = "tcp" | "udp";

export interface SocketEntry {
  proto: Proto;
  /** "listen": TCP LISTEN or bound unconnected UDP; "connected": TCP ESTABLISHED or connected UDP. */
  role: "listen" | "connected";
  localAddr: string;
  localPort: number;
  remoteAddr: string;
  remotePort: number;
  /** Owner uid of the socket as the kernel records it. */
  uid: number;
  /** Socket inode; 0 for sockets no file descriptor refers to (accept queue, orphans). */
  inode: number;
}

export interface TableOptions {
  /** Path of the table, for error messages ("path:line"). */
  path: string;
  proto: Proto;
  littleEndian: boolean;
}

const TCP_ESTABLISHED = 0x01;
const TCP_LISTEN = 0x0a;
/** UDP sockets that are not connected stay in TCP_CLOSE. */
const UDP_UNCONNECTED = 0x07;
const UDP_CONNECTED = 0x01;

/** Whitespace-separated fields 0..count-1 of line (fewer when the line is short). */
function leadingFields(line: string, count: number): string[] {
  const fields: string[] = [];
  let i = 0;
  const n = line.length;
  while (fields.length < count) {
    while (i < n && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
    if (i >= n) break;
    const start = i;
    while (i < n && line.charCodeAt(i) !== 32 && line.charCodeAt(i) !== 9) i++;
    fields.push(line.slice(start, i));
  }
  return fields;
}

function decimalValue(text: string): number {
  if (text.length === 0 || text.length > 15) return -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
  }
  return Number(text);
}

type Endpoint = { addr: string; port: number };

function endpoint(field: string, littleEndian: boolean): Endpoint | string {
  const colon = field.indexOf(":");
  if (colon < 0 || field.length - colon - 1 !== 4) return `bad endpoint ${quoted(field)}`;
  const addr = decodeHexAddress(field.slice(0, colon), littleEndian);
  const port = hexValue(field, colon + 1, field.length);
  if (addr === undefined || port < 0) return `bad endpoint ${quoted(field)}`;
  return { addr, port };
}

function roleOf(proto: Proto, state: number): SocketEntry["role"] | undefined {
  if (proto === "tcp") {
    if (state === TCP_LISTEN) return "listen";
    if (state === TCP_ESTABLISHED) return "connected";
    return undefined;
  }
  if (state === UDP_UNCONNECTED) return "listen";
  if (state === UDP_CONNECTED) return "connected";
  return undefined;
}

/** Parses one line; a string is the reason it is malformed, undefined a socket we skip. */
function parseLine(line: string, options: TableOptions): SocketEntry | string | undefined {
  // sl local remote st tx:rx tr:when retrnsmt uid timeout inode ...
  const f = leadingFields(line, 10);
  if (f.length < 10) return `expected at least 10 fields, found ${f.length}`;
  const [sl, local, remote, st, , , , uidText, , inodeText] = f as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (!sl.endsWith(":") || decimalValue(sl.slice(0, -1)) < 0) return `bad slot ${quoted(sl)}`;
  const state = st.length === 2 ? hexValue(st, 0, 2) : -1;
  if (state < 0) return `bad state ${quoted(st)}`;
  const uid = decimalValue(uidText);
  if (uid < 0 || uid > 0xffffffff) return `bad uid ${quoted(uidText)}`;
  const inode = decimalValue(inodeText);
  if (inode < 0) return `bad inode ${quoted(inodeText)}`;
  const role = roleOf(options.proto, state);
  if (role === undefined) return undefined;
  const localEnd = endpoint(local, options.littleEndian);
  if (typeof localEnd === "string") return localEnd;
  const remoteEnd = endpoint(remote, options.littleEndian);
  if (typeof remoteEnd === "string") return remoteEnd;
  if (local.length !== remote.length) return "local and remote addresses of different families";
  if (role === "listen" && localEnd.port === 0) return undefined; // UDP socket not bound to a port
  if (role === "connected" && (localEnd.port === 0 || remoteEnd.port === 0)) {
    return `connected socket with port 0 (${quoted(local)} ${quoted(remote)})`;
  }
  return {
    proto: options.proto,
    role,
    localAddr: localEnd.addr,
    localPort: localEnd.port,
    remoteAddr: remoteEnd.addr,
    remotePort: remoteEnd.port,
    uid,
    inode,
  };
}

/**
 * Sockets of one table. Malformed lines are recorded as "path:line" (the
 * header is line 1) and skipped.
 */
export function parseSocketTable(
  text: string,
  options: TableOptions,
  errors: ErrorList,
): SocketEntry[] {
  const sockets: SocketEntry[] = [];
  const malformed = new LineErrors(errors, options.path);
  let lineNumber = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    lineNumber++;
    if (lineNumber === 1 && /^\s*sl\s/.test(line)) continue;
    if (line.trim() === "") continue;
    const parsed = parseLine(line, options);
    if (parsed === undefined) continue;
    if (typeof parsed === "string") malformed.add(lineNumber, `malformed line: ${parsed}`);
    else sockets.push(parsed);
  }
  malformed.finish();
  return sockets;
}
