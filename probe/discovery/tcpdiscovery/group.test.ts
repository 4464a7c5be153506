import { describe, expect, it } from "vitest";
import { type GroupInput, groupKey, groupSockets } from "./group.js";
import type { SocketEntry } from "./parse-socket-table.js";
import type { ProcessGroup, ProcessInfo, UnownedSockets } from "./types.js";

let nextInode = 1;

function listen(proto: SocketEntry["proto"], addr: string, port: number): SocketEntry {
  return {
    proto,
    role: "listen",
    localAddr: addr,
    localPort: port,
    remoteAddr: addr.includes(":") ? "::" : "0.0.0.0",
    remotePort: 0,
    uid: 0,
    inode: nextInode++,
  };
}

function connected(
  proto: SocketEntry["proto"],
  local: [string, number],
  remote: [string, number],
  inode = nextInode++,
): SocketEntry {
  return {
    proto,
    role: "connected",
    localAddr: local[0],
    localPort: local[1],
    remoteAddr: remote[0],
    remotePort: remote[1],
    uid: 0,
    inode,
  };
}

function process(pid: number, overrides: Partial<ProcessInfo> = {}): ProcessInfo {
  return {
    pid,
    name: "server",
    exe: "/usr/bin/server",
    exeDeleted: false,
    cmdline: ["/usr/bin/server", "--port", "80"],
    uid: 0,
    gid: 0,
    cwd: "/",
    ...overrides,
  };
}

/** Builds the input from (socket, owning pids) pairs; pids absent from `alive` have exited. */
function input(
  owned: [SocketEntry, number[]][],
  alive: ProcessInfo[],
  names: Partial<Pick<GroupInput, "users" | "groups">> = {},
): GroupInput {
  const owners = new Map<number, number[]>();
  for (const [socket, pids] of owned) if (pids.length > 0) owners.set(socket.inode, pids);
  return {
    sockets: owned.map(([socket]) => socket),
    owners,
    processes: new Map(alive.map((p) => [p.pid, p])),
    users: names.users ?? new Map([[0, "root"]]),
    groups: names.groups ?? new Map([[0, "root"]]),
  };
}

const only = (data: ReturnType<typeof groupSockets>, key = groupKey(process(1))) =>
  data[key] as ProcessGroup;

describe("groupKey", () => {
  it("is the exe basename and 12 hex digits that ignore the pid but not argv, uid or gid", () => {
    const key = groupKey(process(1));
    expect(key).toMatch(/^server:[0-9a-f]{12}$/);
    expect(groupKey(process(2))).toBe(key);
    expect(groupKey(process(1, { cmdline: ["/usr/bin/server", "--port", "81"] }))).not.toBe(key);
    expect(groupKey(process(1, { uid: 33 }))).not.toBe(key);
    expect(groupKey(process(1, { gid: 33 }))).not.toBe(key);
    expect(groupKey(process(1, { exe: "/opt/server" }))).not.toBe(key);
    expect(groupKey(process(1, { cwd: "/tmp" }))).toBe(key);
  });

  it("falls back to the command name when the executable is unknown", () => {
    expect(groupKey(process(1, { exe: null, name: "kthreadish" }))).toMatch(/^kthreadish:/);
    expect(groupKey(process(1, { exe: null, name: "" }))).toMatch(/^process:/);
  });
});

describe("groupSockets", () => {
  it("lists a server's listeners but not its accepted connections, and its own client connections", () => {
    const data = groupSockets(
      input(
        [
          [listen("tcp", "0.0.0.0", 80), [1]],
          [connected("tcp", ["192.0.2.2", 80], ["198.51.100.7", 50000]), [1]],
          [connected("tcp", ["192.0.2.2", 40000], ["10.0.0.5", 5432]), [1]],
        ],
        [process(1)],
      ),
    );
    expect(Object.keys(data)).toEqual([groupKey(process(1))]);
    expect(only(data)).toEqual({
      exe: "/usr/bin/server",
      exe_deleted: false,
      cmdline: ["/usr/bin/server", "--port", "80"],
      pids: [1],
      uid: 0,
      gid: 0,
      user: "root",
      group: "root",
      cwd: "/",
      listen: [{ proto: "tcp", addr: "0.0.0.0", port: 80 }],
      clients: [{ proto: "tcp", addr: "10.0.0.5", port: 5432 }],
    });
  });

  it("matches accepted connections by address: wildcard, dual-stack and exact listeners", () => {
    const data = groupSockets(
      input(
        [
          [listen("tcp", "::", 443), [1]],
          [listen("tcp", "127.0.0.1", 8080), [1]],
          [listen("tcp", "0.0.0.0", 22), [1]],
          // IPv4 peer of the dual-stack listener (mapped, shown as IPv4): accepted
          [connected("tcp", ["192.0.2.2", 443], ["198.51.100.7", 50001]), [1]],
          // same port as the 127.0.0.1 listener but another local address: a client
          [connected("tcp", ["192.0.2.2", 8080], ["192.0.2.9", 9000]), [1]],
          // an IPv6 local address is not covered by a 0.0.0.0 listener
          [connected("tcp", ["2001:db8::2", 22], ["2001:db8::9", 22]), [1]],
          // the UDP protocol does not match a TCP listener
          [connected("udp", ["192.0.2.2", 443], ["192.0.2.53", 53]), [1]],
        ],
        [process(1)],
      ),
    );
    expect(only(data).clients).toEqual([
      { proto: "tcp", addr: "192.0.2.9", port: 9000 },
      { proto: "tcp", addr: "2001:db8::9", port: 22 },
      { proto: "udp", addr: "192.0.2.53", port: 53 },
    ]);
  });

  it("treats a connection accepted on another process's listener (inetd) as no client", () => {
    const inetd = process(1, { exe: "/usr/sbin/inetd", cmdline: ["inetd"] });
    const child = process(2, { exe: "/usr/sbin/in.telnetd", cmdline: ["in.telnetd"] });
    const data = groupSockets(
      input(
        [
          [listen("tcp", "0.0.0.0", 23), [1]],
          [connected("tcp", ["192.0.2.2", 23], ["192.0.2.50", 40000]), [2]],
        ],
        [inetd, child],
      ),
    );
    // the child holds only an accepted connection: it has nothing to report
    expect(Object.keys(data)).toEqual([groupKey(inetd)]);
  });

  it("treats connected UDP sockets on a listening port as replies, others as clients", () => {
    const data = groupSockets(
      input(
        [
          [listen("udp", "0.0.0.0", 5353), [1]],
          [connected("udp", ["192.0.2.2", 5353], ["192.0.2.99", 5353]), [1]],
          [connected("udp", ["192.0.2.2", 45000], ["192.0.2.53", 53]), [1]],
        ],
        [process(1)],
      ),
    );
    expect(only(data).listen).toEqual([{ proto: "udp", addr: "0.0.0.0", port: 5353 }]);
    expect(only(data).clients).toEqual([{ proto: "udp", addr: "192.0.2.53", port: 53 }]);
  });

  it("groups processes with the same exe, argv, uid and gid, whatever their pid", () => {
    const worker = (pid: number) =>
      process(pid, { cmdline: ["nginx: worker process"], uid: 33, gid: 33, exeDeleted: pid === 9 });
    const shared = listen("tcp", "::", 80);
    const data = groupSockets(
      input(
        [
          [shared, [7, 8, 9, 5]],
          [connected("tcp", ["::1", 41000], ["::1", 8080]), [8]],
          [connected("tcp", ["::1", 41001], ["::1", 8080]), [9]],
        ],
        [process(5), worker(9), worker(7), worker(8)],
        { users: new Map([[33, "www-data"]]), groups: new Map() },
      ),
    );
    const workers = only(data, groupKey(worker(7)));
    expect(workers.pids).toEqual([7, 8, 9]);
    expect(workers.exe_deleted).toBe(true); // one of them runs a deleted binary
    expect(workers.user).toBe("www-data");
    expect(workers.group).toBeNull();
    expect(workers.listen).toEqual([{ proto: "tcp", addr: "::", port: 80 }]);
    expect(workers.clients).toEqual([{ proto: "tcp", addr: "::1", port: 8080 }]);
    expect(only(data, groupKey(process(5))).pids).toEqual([5]);
  });

  it("puts sockets of no process, and of inode 0, under unowned; drops those of exited owners", () => {
    const data = groupSockets(
      input(
        [
          [listen("tcp", "0.0.0.0", 2049), []],
          [{ ...listen("tcp", "0.0.0.0", 111), inode: 0 }, []],
          [connected("tcp", ["192.0.2.2", 877], ["192.0.2.20", 2049], 0), []],
          [connected("tcp", ["192.0.2.2", 2049], ["192.0.2.30", 700], 0), []],
          [listen("tcp", "127.0.0.1", 6000), [42]],
        ],
        [],
      ),
    );
    expect(Object.keys(data)).toEqual(["unowned"]);
    expect(data.unowned as UnownedSockets).toEqual({
      listen: [
        { proto: "tcp", addr: "0.0.0.0", port: 111 },
        { proto: "tcp", addr: "0.0.0.0", port: 2049 },
      ],
      clients: [{ proto: "tcp", addr: "192.0.2.20", port: 2049 }],
    });
  });

  it("sorts endpoints (tcp before udp, IPv4 before IPv6, ports numerically) without duplicates", () => {
    const data = groupSockets(
      input(
        [
          [listen("udp", "::", 53), [1]],
          [listen("tcp", "::", 9), [1]],
          [listen("tcp", "0.0.0.0", 10), [1]],
          [listen("tcp", "0.0.0.0", 9), [1]],
          [listen("tcp", "0.0.0.0", 9), [1]], // SO_REUSEPORT twin
        ],
        [process(1)],
      ),
    );
    expect(only(data).listen.map((e) => `${e.proto} ${e.addr} ${e.port}`)).toEqual([
      "tcp 0.0.0.0 9",
      "tcp 0.0.0.0 10",
      "tcp :: 9",
      "udp :: 53",
    ]);
  });

  it("keeps processes it could not fully read, with nulls", () => {
    const unknown = process(3, { exe: null, cmdline: [], uid: null, gid: null, cwd: null });
    const data = groupSockets(input([[listen("tcp", "0.0.0.0", 7), [3]]], [unknown]));
    expect(only(data, groupKey(unknown))).toMatchObject({
      exe: null,
      uid: null,
      user: null,
      group: null,
      cwd: null,
      pids: [3],
    });
  });
});
