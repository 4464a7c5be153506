import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { assertValidDiscoveryDocument } from "../../../protocol/discovery-document.js";
import type { CollectContext } from "../agent.js";
import { discover } from "../discover.js";
import { collectTcpDiscovery } from "./collect.js";
import { tcpdiscoveryAgent } from "./index.js";
import type { ProcessGroup, TcpDiscoveryData, UnownedSockets } from "./types.js";

const fixtures = join(import.meta.dirname, "fixtures");
const scratch = mkdtempSync(join(tmpdir(), "assim-tcpdiscovery-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of fixtures/host with the links and empty directories of layout.json made real. */
function fixtureHost(): string {
  const root = join(scratch, "host");
  cpSync(join(fixtures, "host"), root, { recursive: true });
  const layout = JSON.parse(readFileSync(join(fixtures, "layout.json"), "utf8")) as {
    directories: string[];
    links: Record<string, string>;
  };
  for (const dir of layout.directories) mkdirSync(join(root, dir), { recursive: true });
  for (const [path, target] of Object.entries(layout.links)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    symlinkSync(target, join(root, path));
  }
  return root;
}

function contextFor(root: string): CollectContext {
  return {
    hostname: "fixture-host",
    procRoot: join(root, "proc"),
    sysRoot: join(root, "sys"),
    fsRoot: join(root, "root"),
    run: () => Promise.reject(new Error("tcpdiscovery runs no commands")),
  };
}

function groupBy(data: TcpDiscoveryData, exe: string, argv0: string): ProcessGroup {
  const found = Object.entries(data).filter(
    ([key, g]) =>
      key !== "unowned" &&
      (g as ProcessGroup).exe === exe &&
      (g as ProcessGroup).cmdline[0] === argv0,
  );
  expect(found, `${exe} ${argv0}`).toHaveLength(1);
  return found[0]?.[1] as ProcessGroup;
}

const host = fixtureHost();

describe("collectTcpDiscovery on the fixture host", () => {
  const { data, errors, source } = collectTcpDiscovery(contextFor(host), true);

  it("finds one group per exe, argv, uid and gid, keyed by basename and hash", () => {
    const keys = Object.keys(data);
    expect(keys).toHaveLength(6);
    expect(keys).toContain("unowned");
    // Keys must not change between releases: the CMA recognises a service by its key.
    expect(keys).toContain("nginx:9dc833c9fcba");
    expect(keys).toContain("server:c6cf1c7500d3");
    expect(keys.filter((k) => k !== "unowned").map((k) => k.replace(/:[0-9a-f]{12}$/, ""))).toEqual(
      ["metrics", "nginx", "nginx", "server", "sshd"],
    );
  });

  it("reports sshd's listeners and not the session that holds only an accepted connection", () => {
    expect(
      groupBy(data, "/usr/sbin/sshd", "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups"),
    ).toEqual({
      exe: "/usr/sbin/sshd",
      exe_deleted: false,
      cmdline: ["sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups"],
      pids: [101],
      uid: 0,
      gid: 0,
      user: "root",
      group: "root",
      cwd: "/",
      listen: [
        { proto: "tcp", addr: "0.0.0.0", port: 22 },
        { proto: "tcp", addr: "::", port: 22 },
      ],
      clients: [],
    });
    const pids = Object.values(data).flatMap((g) => ("pids" in g ? g.pids : []));
    expect(pids).not.toContain(201);
  });

  it("groups the nginx workers, apart from the master, with their upstream as IPv4", () => {
    const workers = groupBy(data, "/usr/sbin/nginx", "nginx: worker process");
    expect(workers).toMatchObject({
      pids: [102, 103],
      uid: 33,
      gid: 33,
      user: "www-data",
      group: "www-data",
      listen: [{ proto: "tcp", addr: "::", port: 80 }],
      clients: [{ proto: "tcp", addr: "10.0.0.6", port: 8080 }],
    });
    const master = groupBy(
      data,
      "/usr/sbin/nginx",
      "nginx: master process /usr/sbin/nginx -g daemon on; master_process on;",
    );
    expect(master.pids).toEqual([110]);
    expect(master.listen).toEqual(workers.listen);
    expect(master.clients).toEqual([]);
  });

  it("keeps a deleted executable's path, flags it, and keeps argv with spaces and newlines", () => {
    expect(groupBy(data, "/opt/app/bin/server", "/opt/app/bin/server")).toEqual({
      exe: "/opt/app/bin/server",
      exe_deleted: true,
      cmdline: ["/opt/app/bin/server", "--name", "my app", "", "--motd=line one\nline two"],
      pids: [104],
      uid: 1000,
      gid: 1000,
      user: "alice",
      group: "alice",
      cwd: "/srv/app",
      listen: [{ proto: "udp", addr: "0.0.0.0", port: 5353 }],
      clients: [
        { proto: "tcp", addr: "10.0.0.5", port: 5432 },
        { proto: "tcp", addr: "2001:db8::1", port: 5432 },
        { proto: "udp", addr: "192.0.2.53", port: 53 },
      ],
    });
  });

  it("keeps numeric ids without names, and IPv6, link-local and mapped listeners", () => {
    const metrics = groupBy(data, "/usr/local/bin/metrics", "/usr/local/bin/metrics");
    expect(metrics).toMatchObject({ uid: 1234, gid: 1234, user: null, group: null });
    expect(metrics.listen).toEqual([
      { proto: "tcp", addr: "127.0.0.1", port: 9000 },
      { proto: "tcp", addr: "2001:db8::1:0:0:1", port: 7000 },
      { proto: "tcp", addr: "fe80::fc:ff:fe00:1", port: 8443 },
      { proto: "udp", addr: "::1", port: 8125 },
    ]);
  });

  it("lists kernel and unheld sockets as unowned and drops those of a vanished process", () => {
    expect(data.unowned as UnownedSockets).toEqual({
      listen: [
        { proto: "tcp", addr: "0.0.0.0", port: 2049 },
        { proto: "tcp", addr: "127.0.0.1", port: 8125 },
      ],
      clients: [{ proto: "tcp", addr: "192.0.2.20", port: 2049 }],
    });
    const everything = JSON.stringify(data);
    expect(everything).not.toContain('"port":6000');
    expect(everything).not.toContain("198.51.100.7"); // accepted, not a client
  });

  it("records malformed lines as errors and passes over vanished processes silently", () => {
    const p = contextFor(host);
    expect(errors).toEqual([
      {
        where: `${p.procRoot}/net/tcp:11`,
        message: 'malformed line: bad endpoint "0100007F:ZZ01"',
      },
      {
        where: `${p.procRoot}/net/tcp:12`,
        message: "malformed line: expected at least 10 fields, found 3",
      },
      { where: `${p.fsRoot}/etc/passwd:7`, message: 'malformed line "brokenline"' },
    ]);
    expect(source).toContain(`${p.procRoot}/net/tcp6`);
    expect(source).toContain(`${p.fsRoot}/etc/passwd`);
  });

  it("summarizes what it found", () => {
    expect(tcpdiscoveryAgent.summarize(data)).toBe(
      "5 process groups (6 pids), 11 listening, 5 client connections",
    );
  });
});

describe("tcpdiscovery through discover()", () => {
  it("produces a document that passes the schema", async () => {
    const document = await discover(tcpdiscoveryAgent, contextFor(host));
    expect(document.discovertype).toBe("tcpdiscovery");
    expect(document.host).toBe("fixture-host");
    expect(Object.keys(document.data)).toHaveLength(6);
  });

  it("has a schema that rejects wrong types, unknown fields, bad keys and bad addresses", async () => {
    const document = await discover(tcpdiscoveryAgent, contextFor(host));
    const key = Object.keys(document.data).find((k) => k.startsWith("sshd:")) as string;
    const mutations: [string, (data: Record<string, unknown>) => void][] = [
      [
        "port as a string",
        (d) => (((d[key] as ProcessGroup).listen[0] as { port: unknown }).port = "22"),
      ],
      ["port 0", (d) => (((d[key] as ProcessGroup).listen[0] as { port: unknown }).port = 0)],
      [
        "proto sctp",
        (d) => (((d[key] as ProcessGroup).listen[0] as { proto: unknown }).proto = "sctp"),
      ],
      [
        "address with a zone",
        (d) => (((d[key] as ProcessGroup).listen[0] as { addr: unknown }).addr = "fe80::1%eth0"),
      ],
      [
        "address 256.0.0.1",
        (d) => (((d[key] as ProcessGroup).listen[0] as { addr: unknown }).addr = "256.0.0.1"),
      ],
      ["pid list empty", (d) => ((d[key] as ProcessGroup).pids = [])],
      ["uid as a name", (d) => ((d[key] as { uid: unknown }).uid = "root")],
      ["missing cwd", (d) => delete (d[key] as Partial<ProcessGroup>).cwd],
      ["unknown field", (d) => ((d[key] as unknown as Record<string, unknown>).pid = 101)],
      ["key without hash", (d) => (d.sshd = d[key])],
      ["unowned with pids", (d) => ((d.unowned as Record<string, unknown>).pids = [1])],
    ];
    for (const [what, mutate] of mutations) {
      const copy = structuredClone(document);
      mutate(copy.data as Record<string, unknown>);
      expect(() => assertValidDiscoveryDocument(copy), what).toThrow(/tcpdiscovery/);
    }
  });
});

describe("collectTcpDiscovery on a generated host with thousands of sockets", () => {
  const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, "0");
  const v4 = (a: number, b: number, c: number, d: number) =>
    hex(((d << 24) | (c << 16) | (b << 8) | a) >>> 0, 8);
  const line = (slot: number, local: string, remote: string, state: string, inode: number) =>
    `${String(slot).padStart(4)}: ${local} ${remote} ${state} 00000000:00000000 00:00000000 00000000  1000        0 ${inode} 1 0000000000000000 100 0 0 10 0`;
  const PROCESSES = 400;

  function generatedHost(): string {
    const root = join(scratch, "generated");
    const proc = join(root, "proc");
    mkdirSync(join(proc, "net"), { recursive: true });
    mkdirSync(join(root, "root", "etc"), { recursive: true });
    writeFileSync(join(root, "root", "etc", "passwd"), "bench:x:1000:1000::/:/bin/sh\n");
    writeFileSync(join(root, "root", "etc", "group"), "bench:x:1000:\n");
    const tcp = [
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
    ];
    const tcp6 = [tcp[0] as string];
    let inode = 50_000;
    let slot = 0;
    for (let p = 0; p < PROCESSES; p++) {
      const pid = 1000 + p;
      const dir = join(proc, String(pid));
      mkdirSync(join(dir, "fd"), { recursive: true });
      writeFileSync(
        join(dir, "status"),
        `Name:\tworker\nState:\tS (sleeping)\nUid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\n`,
      );
      writeFileSync(join(dir, "cmdline"), `/usr/bin/worker\0--id\0${p}\0`);
      symlinkSync("/usr/bin/worker", join(dir, "exe"));
      symlinkSync("/srv", join(dir, "cwd"));
      const port = 20_000 + p;
      const fds: number[] = [];
      // a listener, an accepted connection, a client connection, and an IPv6 listener
      tcp.push(
        line(
          slot++,
          `${v4(127, 0, 0, 1)}:${hex(port, 4)}`,
          `${v4(0, 0, 0, 0)}:0000`,
          "0A",
          ++inode,
        ),
      );
      fds.push(inode);
      tcp.push(
        line(
          slot++,
          `${v4(127, 0, 0, 1)}:${hex(port, 4)}`,
          `${v4(127, 0, 0, 1)}:${hex(40_000 + p, 4)}`,
          "01",
          ++inode,
        ),
      );
      fds.push(inode);
      tcp.push(
        line(
          slot++,
          `${v4(127, 0, 0, 1)}:${hex(40_000 + p, 4)}`,
          `${v4(10, 1, p >> 8, p & 255)}:${hex(5432, 4)}`,
          "01",
          ++inode,
        ),
      );
      fds.push(inode);
      tcp6.push(
        line(
          slot++,
          `00000000000000000000000001000000:${hex(port, 4)}`,
          `${"0".repeat(32)}:0000`,
          "0A",
          ++inode,
        ),
      );
      fds.push(inode);
      for (let i = 0; i < 30; i++)
        symlinkSync(
          i < fds.length ? `socket:[${fds[i]}]` : "/dev/null",
          join(dir, "fd", String(i)),
        );
    }
    writeFileSync(join(proc, "net", "tcp"), `${tcp.join("\n")}\n`);
    writeFileSync(join(proc, "net", "tcp6"), `${tcp6.join("\n")}\n`);
    writeFileSync(join(proc, "net", "udp"), "");
    writeFileSync(join(proc, "net", "udp6"), "");
    return root;
  }

  it("attributes every socket to its process", () => {
    const root = generatedHost();
    const started = performance.now();
    const { data, errors } = collectTcpDiscovery(contextFor(root), true);
    const elapsed = performance.now() - started;
    expect(errors).toEqual([]);
    const groups = Object.values(data) as ProcessGroup[];
    expect(groups).toHaveLength(PROCESSES);
    for (const group of groups) {
      const p = Number(group.cmdline[2]);
      expect(group.pids).toEqual([1000 + p]);
      expect(group.user).toBe("bench");
      expect(group.listen).toEqual([
        { proto: "tcp", addr: "127.0.0.1", port: 20_000 + p },
        { proto: "tcp", addr: "::1", port: 20_000 + p },
      ]);
      expect(group.clients).toEqual([
        { proto: "tcp", addr: `10.1.${p >> 8}.${p & 255}`, port: 5432 },
      ]);
    }
    expect(elapsed).toBeLessThan(5000);
  });
});
