import type { Proto } from "./parse-socket-table.js";

/** A listening address (local side) or a client connection's peer (remote side). */
export interface Endpoint {
  proto: Proto;
  addr: string;
  port: number;
}

/** The processes sharing one executable, argv, uid and gid, with their sockets. */
export interface ProcessGroup {
  /** Path of the executable; null when /proc/<pid>/exe could not be read. */
  exe: string | null;
  /** The executable was replaced or removed since the process started. */
  exe_deleted: boolean;
  cmdline: string[];
  pids: number[];
  uid: number | null;
  gid: number | null;
  /** Names from /etc/passwd and /etc/group; null when the id has no entry there. */
  user: string | null;
  group: string | null;
  cwd: string | null;
  listen: Endpoint[];
  clients: Endpoint[];
}

/** Sockets no visible process holds: kernel sockets (NFS, ...) and those of processes we cannot see. */
export interface UnownedSockets {
  listen: Endpoint[];
  clients: Endpoint[];
}

export const UNOWNED_KEY = "unowned";

/** Keyed "<exe basename>:<12 hex digits of a hash of exe, argv, uid, gid>", plus UNOWNED_KEY. */
export type TcpDiscoveryData = Record<string, ProcessGroup | UnownedSockets>;

/** What the collector learned about one process that holds sockets. */
export interface ProcessInfo {
  pid: number;
  /** comm, used for the key when the executable is unknown. */
  name: string;
  exe: string | null;
  exeDeleted: boolean;
  cmdline: string[];
  uid: number | null;
  gid: number | null;
  cwd: string | null;
}
