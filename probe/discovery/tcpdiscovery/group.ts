/**
 * Turns sockets, their owners and the owners' process details into the
 * tcpdiscovery data: one entry per process group, with listening addresses and
 * client connections, and one for sockets without a visible process.
 */
import { createHash } from "node:crypto";
import { isIPv4 } from "./address.js";
import type { SocketEntry } from "./parse-socket-table.js";
import {
  type Endpoint,
  type ProcessGroup,
  type ProcessInfo,
  type TcpDiscoveryData,
  UNOWNED_KEY,
  type UnownedSockets,
} from "./types.js";

export interface GroupInput {
  sockets: readonly SocketEntry[];
  /** Socket inode → pids holding a descriptor for it. */
  owners: ReadonlyMap<number, readonly number[]>;
  /** Details of the owning pids still alive; an owner missing here has exited. */
  processes: ReadonlyMap<number, ProcessInfo>;
  users: ReadonlyMap<number, string>;
  groups: ReadonlyMap<number, string>;
}

const WILDCARD_V4 = "0.0.0.0";
const WILDCARD_V6 = "::";

/**
 * A connection whose local address and port belong to a listening socket of
 * the same protocol (any process's, so inetd-style hand-offs count too) was
 * accepted by a server: it is not a client connection of its holder. A "::"
 * listener also takes IPv4 peers, which reach it as IPv4-mapped addresses.
 */
function acceptedBy(listening: ReadonlySet<string>, socket: SocketEntry): boolean {
  const { proto, localAddr, localPort } = socket;
  return (
    listening.has(`${proto} ${localAddr} ${localPort}`) ||
    listening.has(`${proto} ${WILDCARD_V6} ${localPort}`) ||
    (isIPv4(localAddr) && listening.has(`${proto} ${WILDCARD_V4} ${localPort}`))
  );
}

class EndpointSet {
  private readonly byKey = new Map<string, Endpoint>();

  add(proto: Endpoint["proto"], addr: string, port: number): void {
    const key = `${proto} ${addr} ${port}`;
    if (!this.byKey.has(key)) this.byKey.set(key, { proto, addr, port });
  }

  /** tcp before udp, IPv4 before IPv6, then by address text and port number. */
  sorted(): Endpoint[] {
    const rank = (e: Endpoint) => `${e.proto}${isIPv4(e.addr) ? 4 : 6} ${e.addr}`;
    const ranked = [...this.byKey.values()].map((e) => ({ e, rank: rank(e) }));
    ranked.sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : a.e.port - b.e.port));
    return ranked.map((r) => r.e);
  }
}

interface GroupBuilder {
  /** The lowest pid: its cwd stands for the group. */
  first: ProcessInfo;
  exeDeleted: boolean;
  pids: Set<number>;
  listen: EndpointSet;
  clients: EndpointSet;
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** "<exe basename>:<hash>"; the pid is left out so restarts and workers share a key. */
export function groupKey(process: ProcessInfo): string {
  const identity = JSON.stringify([
    process.exe,
    process.exe === null ? process.name : null,
    process.cmdline,
    process.uid,
    process.gid,
  ]);
  const hash = createHash("sha256").update(identity).digest("hex").slice(0, 12);
  const name = (process.exe !== null && basename(process.exe)) || process.name || "process";
  return `${name}:${hash}`;
}

export function groupSockets(input: GroupInput): TcpDiscoveryData {
  const listening = new Set<string>();
  for (const socket of input.sockets) {
    if (socket.role === "listen") {
      listening.add(`${socket.proto} ${socket.localAddr} ${socket.localPort}`);
    }
  }

  const builders = new Map<string, GroupBuilder>();
  const keyOfPid = new Map<number, string>();
  const builderFor = (process: ProcessInfo): GroupBuilder => {
    let key = keyOfPid.get(process.pid);
    if (key === undefined) {
      key = groupKey(process);
      keyOfPid.set(process.pid, key);
    }
    let builder = builders.get(key);
    if (!builder) {
      builder = {
        first: process,
        exeDeleted: false,
        pids: new Set(),
        listen: new EndpointSet(),
        clients: new EndpointSet(),
      };
      builders.set(key, builder);
    } else if (process.pid < builder.first.pid) {
      builder.first = process;
    }
    builder.pids.add(process.pid);
    builder.exeDeleted ||= process.exeDeleted;
    return builder;
  };
  const unowned = { listen: new EndpointSet(), clients: new EndpointSet() };

  for (const socket of input.sockets) {
    const isClient = socket.role === "connected" && !acceptedBy(listening, socket);
    if (socket.role === "connected" && !isClient) continue;
    const ownerPids = socket.inode === 0 ? undefined : input.owners.get(socket.inode);
    const targets: { listen: EndpointSet; clients: EndpointSet }[] = [];
    if (ownerPids === undefined) {
      targets.push(unowned);
    } else {
      // Owners that exited after the descriptor scan took their sockets with them.
      for (const pid of ownerPids) {
        const process = input.processes.get(pid);
        if (process) targets.push(builderFor(process));
      }
    }
    for (const target of targets) {
      if (isClient) target.clients.add(socket.proto, socket.remoteAddr, socket.remotePort);
      else target.listen.add(socket.proto, socket.localAddr, socket.localPort);
    }
  }

  const data: TcpDiscoveryData = {};
  for (const key of [...builders.keys()].sort()) {
    const builder = builders.get(key) as GroupBuilder;
    const { first } = builder;
    const group: ProcessGroup = {
      exe: first.exe,
      exe_deleted: builder.exeDeleted,
      cmdline: first.cmdline,
      pids: [...builder.pids].sort((a, b) => a - b),
      uid: first.uid,
      gid: first.gid,
      user: first.uid === null ? null : (input.users.get(first.uid) ?? null),
      group: first.gid === null ? null : (input.groups.get(first.gid) ?? null),
      cwd: first.cwd,
      listen: builder.listen.sorted(),
      clients: builder.clients.sorted(),
    };
    data[key] = group;
  }
  const unownedSockets: UnownedSockets = {
    listen: unowned.listen.sorted(),
    clients: unowned.clients.sorted(),
  };
  if (unownedSockets.listen.length > 0 || unownedSockets.clients.length > 0) {
    data[UNOWNED_KEY] = unownedSockets;
  }
  return data;
}
