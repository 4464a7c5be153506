/**
 * Parser for /proc/net/{tcp,tcp6,udp,udp6}: keeps the sockets tcpdiscovery
 * reports (TCP LISTEN and ESTABLISHED, bound unconnected UDP and connected
 * UDP) and drops the rest (TIME_WAIT, SYN_SENT, ...) after checking the line.
 *
 * Tables run to many thousands of lines and are parsed once per run, in a
 * freshly started process where JavaScript loops still run in the
 * interpreter. So well-formed lines are matched by one sticky regular
 * expression (native code from the first line on: about four times faster
 * here than a hand-written character loop on a cold start), and only a line
 * it rejects is taken apart field by field to say what is wrong with it.
 * Each distinct address is decoded once.
 */
import type { ErrorList } from "../error-list.js";
import { LineErrors, quoted } from "../line-errors.js";
import { decodeHexAddress } from "./address.js";

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

/** The fields of one line that matter, as text: hex addresses, ports and state, decimal uid and inode. */
interface RawSocket {
  local: string;
  localPort: string;
  remote: string;
  remotePort: string;
  state: string;
  uid: string;
  inode: string;
}

const HEX_ADDRESS = "[0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}";
// sl: local remote st tx:rx tr:when retrnsmt uid timeout inode [...]
const LINE = new RegExp(
  `[ \\t]*\\d+:[ \\t]+(${HEX_ADDRESS}):([0-9A-Fa-f]{4})[ \\t]+(${HEX_ADDRESS}):([0-9A-Fa-f]{4})[ \\t]+([0-9A-Fa-f]{2})` +
    "[ \\t]+[0-9A-Fa-f]+:[0-9A-Fa-f]+[ \\t]+[0-9A-Fa-f]+:[0-9A-Fa-f]+[ \\t]+[0-9A-Fa-f]+" +
    "[ \\t]+(\\d{1,10})[ \\t]+-?\\d+[ \\t]+(\\d{1,15})(?=[ \\t\\n]|$)",
  "y",
);

const isHex = (text: string) => /^[0-9A-Fa-f]+$/.test(text);
const isDecimal = (text: string) => /^\d{1,15}$/.test(text);

type TenFields = [string, string, string, string, string, string, string, string, string, string];

/** Takes a line apart field by field: the raw socket, or what is wrong with the line. */
function strictFields(line: string): RawSocket | string {
  const f = line.trim().split(/[ \t]+/);
  if (f.length < 10)
    return `expected at least 10 fields, found ${line.trim() === "" ? 0 : f.length}`;
  const [slot, local, remote, state, , , , uid, , inode] = f as TenFields;
  if (!/^\d+:$/.test(slot)) return `bad slot ${quoted(slot)}`;
  if (state.length !== 2 || !isHex(state)) return `bad state ${quoted(state)}`;
  if (!isDecimal(uid)) return `bad uid ${quoted(uid)}`;
  if (!isDecimal(inode)) return `bad inode ${quoted(inode)}`;
  const endpoints: string[] = [];
  for (const endpoint of [local, remote]) {
    const [addr, port, extra] = endpoint.split(":");
    const addrOk = addr !== undefined && (addr.length === 8 || addr.length === 32) && isHex(addr);
    if (!addrOk || port?.length !== 4 || !isHex(port) || extra !== undefined) {
      return `bad endpoint ${quoted(endpoint)}`;
    }
    endpoints.push(addr, port);
  }
  const [localAddr, localPort, remoteAddr, remotePort] = endpoints as [
    string,
    string,
    string,
    string,
  ];
  return { local: localAddr, localPort, remote: remoteAddr, remotePort, state, uid, inode };
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

class TableParser {
  private readonly addresses = new Map<string, string>();

  constructor(private readonly options: TableOptions) {}

  private address(hex: string): string {
    let addr = this.addresses.get(hex);
    if (addr === undefined) {
      // The hex was checked (8 or 32 hex digits): decoding cannot fail.
      addr = decodeHexAddress(hex, this.options.littleEndian) as string;
      this.addresses.set(hex, addr);
    }
    return addr;
  }

  /** The socket of a well-formed line; a string says why it is not one, undefined that we skip it. */
  entry(raw: RawSocket): SocketEntry | string | undefined {
    const role = roleOf(this.options.proto, Number.parseInt(raw.state, 16));
    if (role === undefined) return undefined;
    const uid = Number(raw.uid);
    if (uid > 0xffffffff) return `bad uid ${quoted(raw.uid)}`;
    if (raw.local.length !== raw.remote.length) {
      return "local and remote addresses of different families";
    }
    const localPort = Number.parseInt(raw.localPort, 16);
    const remotePort = Number.parseInt(raw.remotePort, 16);
    if (role === "listen" && localPort === 0) return undefined; // UDP socket not bound to a port
    if (role === "connected" && (localPort === 0 || remotePort === 0)) {
      const local = quoted(`${raw.local}:${raw.localPort}`);
      return `connected socket with port 0 (${local} ${quoted(`${raw.remote}:${raw.remotePort}`)})`;
    }
    return {
      proto: this.options.proto,
      role,
      localAddr: this.address(raw.local),
      localPort,
      remoteAddr: this.address(raw.remote),
      remotePort,
      uid,
      inode: Number(raw.inode),
    };
  }
}

/** One line parsed with the field-by-field checks only: for tests that compare it with the fast path. */
export function parseSocketLine(
  line: string,
  options: TableOptions,
): SocketEntry | string | undefined {
  const raw = strictFields(line);
  return typeof raw === "string" ? raw : new TableParser(options).entry(raw);
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
  const malformed = new LineErrors(options.path, errors);
  const parser = new TableParser(options);
  const line = new RegExp(LINE.source, LINE.flags);
  let lineNumber = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    lineNumber++;
    line.lastIndex = start;
    const match = line.exec(text);
    let parsed: SocketEntry | string | undefined;
    if (match !== null && line.lastIndex <= end) {
      const [, local, localPort, remote, remotePort, state, uid, inode] =
        match as unknown as string[];
      parsed = parser.entry({
        local,
        localPort,
        remote,
        remotePort,
        state,
        uid,
        inode,
      } as RawSocket);
    } else {
      const lineText = text.slice(start, end);
      const blank = lineText.trim() === "";
      const header = lineNumber === 1 && /^\s*sl\s/.test(lineText);
      if (!blank && !header) {
        const raw = strictFields(lineText);
        parsed = typeof raw === "string" ? raw : parser.entry(raw);
      }
    }
    start = end + 1;
    if (parsed === undefined) continue;
    if (typeof parsed === "string") malformed.add(lineNumber, `malformed line: ${parsed}`);
    else sockets.push(parsed);
  }
  malformed.finish();
  return sockets;
}
