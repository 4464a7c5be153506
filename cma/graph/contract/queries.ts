/** Contract: every catalogue query, with the rows any adapter must give for the fixture world. */
import { beforeEach, expect, it } from "vitest";
import { ingestDocument } from "../../ingest/ingest.js";
import { ipPortFacts } from "../../ingest/map/addresses.js";
import { QUERIES } from "../../queries/catalogue.js";
import { QueryParameterError, UnknownQueryError } from "../../queries/errors.js";
import { globalNicKey, hostSystemKey, scopedNicKey } from "../keys.js";
import type { GraphStore, IpPortFacts, ProcessFacts } from "../store.js";
import {
  AT,
  copy,
  fixtureDocument,
  ingestFixtureWorld,
  LATER,
  processKeyOf,
  SYSTEM,
} from "./support.js";

const WEB_NIC = globalNicKey("0c:c4:7a:00:00:10");
const DB_NIC = globalNicKey("0c:c4:7a:00:00:20");
const SWITCH = "switch:00:1b:2c:3d:4e:5f";

/** The fixture world plus a switch heard on web1's eth0 (through the operations: no schema needed). */
async function world(store: GraphStore): Promise<void> {
  await ingestFixtureWorld(store);
  await store.write(async (tx) => {
    await tx.replaceSwitchNeighbours(
      SYSTEM.web1,
      [
        {
          interface: "eth0",
          switch: {
            key: SWITCH,
            kind: "switch",
            props: { name: "sw1.example.net", chassis_id: "00:1b:2c:3d:4e:5f" },
          },
          port: {
            key: `${SWITCH}|port:Gi1/0/1`,
            props: { port_id: "Gi1/0/1", description: "web1 eth0", vlan_id: 10 },
          },
          props: { interface: "eth0", protocols: ["lldp"], ttl_seconds: 120 },
        },
      ],
      AT,
    );
    await tx.linkWiring(SYSTEM.web1, AT);
  });
}

export function queryTests(fresh: () => Promise<GraphStore>): void {
  /** The world in a new store; the test's earlier stores are not used afterwards. */
  let current: GraphStore | undefined;
  const populated = async () => {
    current = await fresh();
    await world(current);
    return current;
  };
  /** Rows of a query on the test's populated store (populated on first use). */
  const rows = async (name: string, params: Record<string, unknown> = {}) =>
    (await (current ?? (await populated())).runQuery(name, params)).rows;
  beforeEach(() => {
    current = undefined;
  });

  it("answers with the catalogue's columns, in the catalogue's order", async () => {
    const store = await populated();
    for (const query of QUERIES) {
      const params: Record<string, Record<string, unknown>> = {
        "host-dependencies": { host: "web1" },
        "host-links": { hosts: 500 },
        "dependency-tree": { host: "web1", port: 80 },
        "find-ip": { ip: "10.0.0.20" },
        "find-mac": { mac: "0c:c4:7a:00:00:20" },
        packages: { prefix: "lib" },
      };
      const result = await store.runQuery(query.name, params[query.name] ?? {});
      expect(result.name).toBe(query.name);
      expect(result.columns).toEqual(query.columns.map((c) => c.name));
      for (const row of result.rows) expect(Object.keys(row)).toEqual(result.columns);
    }
  });

  it("systems: every System with its status", async () => {
    const store = await fresh();
    await world(store);
    await store.write((tx) => tx.setSystemStatus(SYSTEM.db1, "down", "HB_DEAD", LATER));
    const systems = (await store.runQuery("systems")).rows;
    expect(systems.map((r) => [r.kind, r.name, r.key, r.status])).toEqual([
      ["host", "db1", SYSTEM.db1, "down"],
      ["host", "ldap1", SYSTEM.ldap1, "up"],
      ["host", "web1", SYSTEM.web1, "up"],
      ["switch", "sw1.example.net", SWITCH, "up"],
    ]);
    expect(systems[0]).toEqual({
      key: SYSTEM.db1,
      kind: "host",
      name: "db1",
      status: "down",
      status_reason: "HB_DEAD",
      status_since: LATER,
      first_seen: AT,
      last_seen: AT,
      gone_since: null,
    });
    expect((await store.runQuery("systems", { kind: "switch" })).rows.map((r) => r.key)).toEqual([
      SWITCH,
    ]);
    expect((await store.runQuery("down-systems")).rows).toEqual([
      {
        key: SYSTEM.db1,
        kind: "host",
        name: "db1",
        status_reason: "HB_DEAD",
        status_since: LATER,
        last_seen: AT,
      },
    ]);
  });

  it("unmonitored-services: listening processes without a monitor", async () => {
    const result = await rows("unmonitored-services");
    expect(result.map((r) => [r.host, r.name, r.user, r.listens])).toEqual([
      ["db1", "postgres", "postgres", ["tcp/0.0.0.0:5432"]],
      ["ldap1", "redis-server", "redis", ["tcp/127.0.0.1:6379"]],
      ["ldap1", "slapd", "openldap", ["tcp/[::]:389"]],
      ["web1", "nginx", "www-data", ["tcp/0.0.0.0:80", "tcp/[::]:443"]],
      ["web1", "python3.11", "shop", ["tcp/127.0.0.1:8000"]],
      ["web1", "redis-server", "redis", ["tcp/127.0.0.1:6379"]],
    ]);
    expect(result[0]).toMatchObject({
      system: SYSTEM.db1,
      exe: "/usr/lib/postgresql/15/bin/postgres",
    });
    expect((await rows("unmonitored-services", { host: "ldap1" })).map((r) => r.name)).toEqual([
      "redis-server",
      "slapd",
    ]);
  });

  it("host-dependencies: what a host uses and who uses it", async () => {
    const snapshot = await (await populated()).snapshot();
    const web = (name: string) => processKeyOf(snapshot, SYSTEM.web1, name);
    const postgres = processKeyOf(snapshot, SYSTEM.db1, "postgres");
    const slapd = processKeyOf(snapshot, SYSTEM.ldap1, "slapd");
    expect(await rows("host-dependencies", { host: "db1" })).toEqual([
      {
        direction: "used-by",
        system: SYSTEM.db1,
        process: postgres,
        process_name: "postgres",
        proto: "tcp",
        port: 5432,
        peer_system: SYSTEM.web1,
        peer_host: "web1",
        peer_process: web("python3.11"),
        peer_process_name: "python3.11",
      },
      {
        direction: "uses",
        system: SYSTEM.db1,
        process: postgres,
        process_name: "postgres",
        proto: "tcp",
        port: 389,
        peer_system: SYSTEM.ldap1,
        peer_host: "ldap1",
        peer_process: slapd,
        peer_process_name: "slapd",
      },
    ]);
    const byKey = await rows("host-dependencies", { host: SYSTEM.web1 });
    expect(
      byKey.map(
        (r) =>
          `${r.direction} ${r.process_name} ${r.proto}/${r.port} ${r.peer_host}/${r.peer_process_name}`,
      ),
    ).toEqual([
      "used-by python3.11 tcp/8000 web1/nginx",
      "used-by redis-server tcp/6379 web1/python3.11",
      "uses nginx tcp/8000 web1/python3.11",
      "uses python3.11 tcp/5432 db1/postgres",
      "uses python3.11 tcp/6379 web1/redis-server",
    ]);
    expect(await rows("host-dependencies", { host: "no-such-host" })).toEqual([]);
  });

  it("host-links: each service a host uses on another, for the first N active hosts", async () => {
    const snapshot = await (await populated()).snapshot();
    const expected = [
      {
        system: SYSTEM.db1,
        host: "db1",
        process: processKeyOf(snapshot, SYSTEM.db1, "postgres"),
        process_name: "postgres",
        proto: "tcp",
        port: 389,
        peer_system: SYSTEM.ldap1,
        peer_host: "ldap1",
        peer_process: processKeyOf(snapshot, SYSTEM.ldap1, "slapd"),
        peer_process_name: "slapd",
      },
      {
        system: SYSTEM.web1,
        host: "web1",
        process: processKeyOf(snapshot, SYSTEM.web1, "python3.11"),
        process_name: "python3.11",
        proto: "tcp",
        port: 5432,
        peer_system: SYSTEM.db1,
        peer_host: "db1",
        peer_process: processKeyOf(snapshot, SYSTEM.db1, "postgres"),
        peer_process_name: "postgres",
      },
    ];
    // web1's loopback dependencies and its outside API are not links between hosts.
    expect(await rows("host-links", { hosts: 500 })).toEqual(expected);
    // The same as each host's "uses" rows of host-dependencies whose peer is another host.
    const uses: Record<string, unknown>[] = [];
    for (const host of ["db1", "ldap1", "web1"]) {
      for (const { direction, ...row } of await rows("host-dependencies", { host })) {
        if (direction === "uses" && row.peer_system !== row.system) {
          uses.push({ ...row, host });
        }
      }
    }
    expect(uses.map((r) => Object.keys(expected[0] ?? {}).map((c) => r[c]))).toEqual(
      expected.map((r) => Object.values(r)),
    );
    // The first two hosts by name are db1 and ldap1; the first one alone links nowhere.
    expect(await rows("host-links", { hosts: "2" })).toEqual([expected[0]]);
    expect(await rows("host-links", { hosts: 1 })).toEqual([]);
  });

  it("host-links: hosts counted in code-point order of names, active hosts only, names as data", async () => {
    const store = await fresh();
    const n = { q: 1, a: 2, x: 3, b: 4, c: 5, retired: 6 } as const;
    const key = (id: number) => hostSystemKey(String(id).padStart(32, "0"));
    const at = (id: number, port: number) => {
      const facts = ipPortFacts({ proto: "tcp", addr: `10.7.0.${id}`, port }, key(id));
      if (!facts) throw new Error("no port facts");
      return facts;
    };
    const proc = (
      id: number,
      name: string,
      listen: IpPortFacts[],
      clients: IpPortFacts[] = [],
    ): ProcessFacts => ({ key: `proc:${key(id)}:${name}`, props: { name }, listen, clients });
    const hostile = `x' OR '1'='1"}) RETURN 1 //\n`;
    // By code point: "__proto__..." < "a" < "host:..." (x) < U+FFFD (b) < U+1F600 (c);
    // UTF-16 order would put c before b.
    const names: [number, string][] = [
      [n.q, `__proto__'"\n`],
      [n.a, "a"],
      [n.x, key(n.a)],
      [n.b, "\uFFFD"],
      [n.c, "😀"],
      [n.retired, "0-retired"],
    ];
    const client = (clients: IpPortFacts[]) => proc(n.a, "client", [], clients);
    await store.write(async (tx) => {
      for (const [id, name] of names) {
        await tx.upsertSystem({ key: key(id), kind: "host", props: { name } }, AT);
      }
      await tx.upsertSystem({ key: SWITCH, kind: "switch", props: { name: "0-switch" } }, AT);
      const processes: [number, ProcessFacts[]][] = [
        [n.q, [proc(n.q, hostile, [], [at(n.b, 80)])]],
        [n.a, [client([at(n.b, 80), at(n.c, 80), at(n.c, 81), at(n.retired, 80)])]],
        [n.x, [proc(n.x, "client", [], [at(n.c, 80)])]],
        [n.b, [proc(n.b, "web", [at(n.b, 80)])]],
        [n.c, [proc(n.c, "web", [at(n.c, 80), at(n.c, 81)])]],
        [n.retired, [proc(n.retired, "web", [at(n.retired, 80)])]],
      ];
      for (const [id, list] of processes) await tx.replaceProcesses(key(id), list, AT);
      for (const [id] of processes) await tx.linkDependencies(key(id), AT);
    });
    await store.write(async (tx) => {
      // a stops using c's port 81 (that dependency is retired); the retired host's stays.
      await tx.replaceProcesses(
        key(n.a),
        [client([at(n.b, 80), at(n.c, 80), at(n.retired, 80)])],
        LATER,
      );
      await tx.linkDependencies(key(n.a), LATER);
      await tx.retireSystem(key(n.retired), LATER);
    });
    const line = (r: Record<string, unknown>) => [
      r.system,
      r.host,
      r.process_name,
      `${r.proto}/${r.port}`,
      r.peer_system,
      r.peer_host,
    ];
    const links = async (hosts: number) =>
      (await store.runQuery("host-links", { hosts })).rows.map(line);
    const all = [
      [key(n.q), `__proto__'"\n`, hostile, "tcp/80", key(n.b), "\uFFFD"],
      [key(n.a), "a", "client", "tcp/80", key(n.b), "\uFFFD"],
      [key(n.a), "a", "client", "tcp/80", key(n.c), "😀"],
      [key(n.x), key(n.a), "client", "tcp/80", key(n.c), "😀"],
    ];
    expect(await links(10)).toEqual(all);
    expect(await links(5)).toEqual(all);
    expect(await links(4)).toEqual([all[0], all[1]]);
    expect(await links(3)).toEqual([]);
  });

  it("dependency-tree: the transitive tree of a service, level by level, to a depth", async () => {
    const line = (r: Record<string, unknown>) =>
      `${r.depth} ${r.from_host}/${r.from_name} -> ${r.to_host}/${r.to_name} ${r.proto}/${r.port}`;
    expect((await rows("dependency-tree", { host: "web1", port: 80 })).map(line)).toEqual([
      "1 web1/nginx -> web1/python3.11 tcp/8000",
      "2 web1/python3.11 -> db1/postgres tcp/5432",
      "2 web1/python3.11 -> web1/redis-server tcp/6379",
      "3 db1/postgres -> ldap1/slapd tcp/389",
    ]);
    expect(
      (await rows("dependency-tree", { host: "web1", port: "80", depth: "2" })).map(line),
    ).toEqual([
      "1 web1/nginx -> web1/python3.11 tcp/8000",
      "2 web1/python3.11 -> db1/postgres tcp/5432",
      "2 web1/python3.11 -> web1/redis-server tcp/6379",
    ]);
    const snapshot = await (current as GraphStore).snapshot();
    const slapd = processKeyOf(snapshot, SYSTEM.ldap1, "slapd");
    expect(
      (await rows("dependency-tree", { process: slapd, direction: "used-by" })).map(line),
    ).toEqual([
      "1 ldap1/slapd -> db1/postgres tcp/389",
      "2 db1/postgres -> web1/python3.11 tcp/5432",
      "3 web1/python3.11 -> web1/nginx tcp/8000",
    ]);
    expect(await rows("dependency-tree", { host: "ldap1", port: 389 })).toEqual([]);
  });

  it("find-ip: who has an address and who sees it as a neighbour", async () => {
    expect(await rows("find-ip", { ip: "10.0.0.20" })).toEqual([
      {
        ip: "10.0.0.20",
        relation: "arp-neighbour",
        system: SYSTEM.web1,
        host: "web1",
        interface: "eth0",
        mac: "0c:c4:7a:00:00:20",
        prefix_len: null,
        gone_since: null,
      },
      {
        ip: "10.0.0.20",
        relation: "assigned",
        system: SYSTEM.db1,
        host: "db1",
        interface: "eth0",
        mac: "0c:c4:7a:00:00:20",
        prefix_len: 24,
        gone_since: null,
      },
    ]);
    // The address is given in any form; loopback is every host's own.
    expect((await rows("find-ip", { ip: "2001:DB8:0:0::10" })).map((r) => [r.ip, r.host])).toEqual([
      ["2001:db8::10", "web1"],
    ]);
    expect((await rows("find-ip", { ip: "::ffff:127.0.0.1" })).map((r) => r.host)).toEqual([
      "db1",
      "ldap1",
      "web1",
    ]);
    expect(await rows("find-ip", { ip: "192.0.2.99" })).toEqual([]);
  });

  it("find-mac: the NIC with a MAC and the neighbours that resolved to it", async () => {
    expect(await rows("find-mac", { mac: "0C-C4-7A-00-00-20" })).toEqual([
      {
        mac: "0c:c4:7a:00:00:20",
        relation: "arp-neighbour",
        system: SYSTEM.web1,
        host: "web1",
        interface: "eth0",
        nic: null,
        ips: ["10.0.0.20"],
        gone_since: null,
      },
      {
        mac: "0c:c4:7a:00:00:20",
        relation: "nic",
        system: SYSTEM.db1,
        host: "db1",
        interface: "eth0",
        nic: DB_NIC,
        ips: ["10.0.0.20", "2001:db8::20"],
        gone_since: null,
      },
    ]);
    expect((await rows("find-mac", { mac: "02:42:ac:11:00:01" })).map((r) => r.nic)).toEqual([
      scopedNicKey(SYSTEM.web1, "docker0"),
    ]);
  });

  it("switch-ports: which host NIC sits on which switch port", async () => {
    const expected = {
      host: "web1",
      system: SYSTEM.web1,
      interface: "eth0",
      mac: "0c:c4:7a:00:00:10",
      switch: "sw1.example.net",
      switch_key: SWITCH,
      port_id: "Gi1/0/1",
      port_description: "web1 eth0",
      vlan_id: 10,
    };
    expect(await rows("switch-ports")).toEqual([expected]);
    expect(await rows("switch-ports", { switch: "00:1b:2c:3d:4e:5f", host: "web1" })).toEqual([
      expected,
    ]);
    expect(await rows("switch-ports", { host: "db1" })).toEqual([]);
    expect(WEB_NIC).toBe(`mac:${expected.mac}`);
  });

  it("ownerless-ips: addresses in use that no known system owns", async () => {
    expect(await rows("ownerless-ips")).toEqual([
      {
        ip: "10.0.0.1",
        ports: ["udp/53"],
        clients: [SYSTEM.web1],
        macs: ["00:00:5e:00:01:01"],
        seen_by: [SYSTEM.web1],
      },
      { ip: "198.51.100.7", ports: ["tcp/443"], clients: [SYSTEM.web1], macs: [], seen_by: [] },
    ]);
  });

  it("packages: by exact name or by prefix", async () => {
    expect(await rows("packages", { name: "redis-server" })).toEqual([
      {
        name: "redis-server",
        version: "5:7.0.15-1~deb12u1",
        arch: "amd64",
        manager: "dpkg",
        system: SYSTEM.ldap1,
        host: "ldap1",
      },
      {
        name: "redis-server",
        version: "5:7.0.15-1~deb12u1",
        arch: "amd64",
        manager: "dpkg",
        system: SYSTEM.web1,
        host: "web1",
      },
    ]);
    expect(
      (await rows("packages", { prefix: "lib" })).map((r) => `${r.name} ${r.version} ${r.host}`),
    ).toEqual([
      "libc6 2.36-9+deb12u1 ldap1",
      "libc6 2.36-9+deb12u4 db1",
      "libc6 2.36-9+deb12u4 web1",
      "libpq5 15.6-0+deb12u1 db1",
    ]);
    // A prefix is a prefix, not a pattern.
    expect(await rows("packages", { prefix: "lib%" })).toEqual([]);
    expect(await rows("packages", { prefix: "_ibc6" })).toEqual([]);
  });

  it("node-counts: nodes per label, active and retired", async () => {
    const store = await fresh();
    await world(store);
    await ingestDocument(store, copy(fixtureDocument("ldap1", "packages"), LATER));
    const net = copy(fixtureDocument("web1", "netconfig"), LATER);
    delete (net.data as Record<string, unknown>).docker0;
    await ingestDocument(store, net);
    // Seven NICs (lo and eth0 on each host, web1's docker0), of which docker0 is gone.
    const counts = await store.runQuery("node-counts");
    const expected = Object.entries((await store.counts()).nodes).map(([label, c]) => ({
      label,
      active: c?.active,
      retired: c?.retired,
    }));
    expect(counts.rows).toEqual(expected);
    expect(counts.rows.find((r) => r.label === "NIC")).toEqual({
      label: "NIC",
      active: 6,
      retired: 1,
    });
    expect(counts.rows.find((r) => r.label === "System")).toEqual({
      label: "System",
      active: 4,
      retired: 0,
    });
  });

  it("rejects unknown queries and bad parameters with typed errors, before touching the store", async () => {
    const store = await populated();
    await expect(store.runQuery("drop-everything")).rejects.toBeInstanceOf(UnknownQueryError);
    const bad: [string, Record<string, unknown>, RegExp][] = [
      ["find-ip", {}, /parameter "ip": is required/],
      ["find-ip", { ip: "10.0.0.256" }, /parameter "ip": expected an IPv4 or IPv6 address/],
      ["find-ip", { ip: "010.0.0.1" }, /expected an IPv4 or IPv6 address/],
      ["find-mac", { mac: "0c:c4:7a" }, /parameter "mac": expected a MAC address/],
      ["dependency-tree", { host: "web1", port: 80, depth: 0 }, /"depth": must be at least 1/],
      ["dependency-tree", { host: "web1", port: "eighty" }, /"port": expected an integer/],
      ["dependency-tree", { host: "web1" }, /give process, or host and port/],
      ["systems", { kind: "router" }, /"kind": expected one of host, switch/],
      ["systems", { sort: "name" }, /"sort": unknown parameter; known: kind/],
      ["node-counts", { x: 1 }, /this query takes no parameters/],
      ["packages", {}, /give exactly one of name and prefix/],
      ["host-dependencies", { host: "web1'; DROP TABLE nodes; --\u0000" }, /control characters/],
      ["host-links", {}, /parameter "hosts": is required/],
      ["host-links", { hosts: 0 }, /"hosts": must be at least 1/],
      ["host-links", { hosts: "500 OR 1=1" }, /"hosts": expected an integer/],
    ];
    for (const [name, params, message] of bad) {
      const error = await store.runQuery(name, params).catch((e: unknown) => e);
      expect(error, `${name} ${JSON.stringify(params)}`).toBeInstanceOf(QueryParameterError);
      expect((error as Error).message).toMatch(message);
    }
    // Quotes are data, not syntax.
    expect(await store.runQuery("host-dependencies", { host: "web1' OR '1'='1" })).toMatchObject({
      rows: [],
    });
  });
}
