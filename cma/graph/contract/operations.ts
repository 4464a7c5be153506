/** Contract: each store operation on its own, with small hand-made facts. */
import { expect, it } from "vitest";
import { ipFacts, ipPortFacts } from "../../ingest/map/addresses.js";
import { canonicalIp, globalNicKey, scopedNicKey } from "../keys.js";
import type { GraphSnapshot, GraphStore, NodeFacts, ProcessFacts } from "../store.js";
import { edges, node } from "./support.js";

const T1 = "2026-01-01T00:00:00.000Z";
const T2 = "2026-01-02T00:00:00.000Z";
const T3 = "2026-01-03T00:00:00.000Z";
const A = "host:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const B = "host:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

const host = (key: string, name: string, extra: Record<string, unknown> = {}) => ({
  key,
  kind: "host" as const,
  props: { name, ...extra } as NodeFacts["props"],
});

const ip = (text: string, system: string) => {
  const canonical = canonicalIp(text);
  if (!canonical) throw new Error(text);
  return ipFacts(canonical, system);
};

const port = (proto: string, addr: string, portNumber: number, system: string) => {
  const facts = ipPortFacts({ proto, addr, port: portNumber }, system);
  if (!facts) throw new Error(addr);
  return facts;
};

const nic = (key: string, ifname: string, mac: string | null): NodeFacts => ({
  key,
  props: { ifname, mac, scope: key.startsWith("mac:") ? "global" : "system" },
});

const proc = (
  system: string,
  name: string,
  listen: ProcessFacts["listen"],
  clients: ProcessFacts["clients"],
): ProcessFacts => ({ key: `proc:${system}:${name}`, props: { name }, listen, clients });

async function twoHosts(store: GraphStore, at = T1) {
  await store.write(async (tx) => {
    await tx.upsertSystem(host(A, "alpha"), at);
    await tx.upsertSystem(host(B, "beta"), at);
  });
}

export function operationTests(fresh: () => Promise<GraphStore>): void {
  it("commits a write whole, and a write that throws writes nothing and passes the error on", async () => {
    const store = await fresh();
    const failure = new Error("boom");
    await expect(
      store.write(async (tx) => {
        await tx.upsertSystem(host(A, "alpha"), T1);
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect((await store.snapshot()).nodes).toEqual([]);
    const result = await store.write(async (tx) => {
      await tx.upsertSystem(host(A, "alpha"), T1);
      return 42;
    });
    expect(result).toBe(42);
    expect((await store.snapshot()).nodes.map((n) => n.key)).toEqual([A]);
  });

  it("runs concurrent writes one after another, so one's rollback cannot touch another", async () => {
    const store = await fresh();
    const failing = store.write(async (tx) => {
      await tx.upsertSystem(host(A, "alpha"), T1);
      await new Promise((resolve) => setTimeout(resolve, 20));
      throw new Error("rolled back");
    });
    const succeeding = store.write(async (tx) => {
      await tx.upsertSystem(host(B, "beta"), T1);
    });
    await expect(failing).rejects.toThrow("rolled back");
    await succeeding;
    expect((await store.snapshot()).nodes.map((n) => n.key)).toEqual([B]);
  });

  it("upsertSystem creates a System that is up, merges properties, and null removes one", async () => {
    const store = await fresh();
    await store.write((tx) => tx.upsertSystem(host(A, "alpha", { fqdn: "alpha.example" }), T2));
    let system = node(await store.snapshot(), "System", A);
    expect(system).toEqual({
      label: "System",
      key: A,
      props: {
        name: "alpha",
        fqdn: "alpha.example",
        kind: "host",
        status: "up",
        status_reason: "discovered",
        status_since: T2,
      },
      first_seen: T2,
      last_seen: T2,
      gone_since: null,
    });
    // A later confirmation moves last_seen; an earlier one moves first_seen; neither goes back.
    await store.write((tx) => tx.upsertSystem(host(A, "alpha2", { fqdn: null, cores: 8 }), T3));
    await store.write((tx) => tx.upsertSystem(host(A, "alpha2"), T1));
    system = node(await store.snapshot(), "System", A);
    expect(system.props).toEqual({
      name: "alpha2",
      cores: 8,
      kind: "host",
      status: "up",
      status_reason: "discovered",
      status_since: T2,
    });
    expect([system.first_seen, system.last_seen]).toEqual([T1, T3]);
  });

  it("keeps every value type: integers as numbers, booleans, strings, lists", async () => {
    const store = await fresh();
    const values = {
      zero: 0,
      big: Number.MAX_SAFE_INTEGER,
      port: 65535,
      negative: -1,
      yes: true,
      no: false,
      text: "Grüße, \"quoted\" 'and' \\ back\nslash",
      none: [] as string[],
      words: ["b", "a", "b"],
      numbers: [3, 1, 2],
    };
    await store.write((tx) => tx.upsertSystem(host(A, "alpha", values), T1));
    const { props } = node(await store.snapshot(), "System", A);
    for (const [name, value] of Object.entries(values)) expect(props[name]).toEqual(value);
    expect(Number.isInteger(props.big)).toBe(true);
  });

  it("setSystemStatus changes status_since only when the status changes", async () => {
    const store = await fresh();
    expect(await store.write((tx) => tx.setSystemStatus(A, "down", "HB_DEAD", T2))).toBe(false);
    await twoHosts(store);
    expect(await store.write((tx) => tx.setSystemStatus(A, "down", "HB_DEAD from beta", T2))).toBe(
      true,
    );
    await store.write((tx) => tx.setSystemStatus(A, "down", "confirmed by gamma", T3));
    const { props } = node(await store.snapshot(), "System", A);
    expect([props.status, props.status_reason, props.status_since]).toEqual([
      "down",
      "confirmed by gamma",
      T2,
    ]);
    expect(node(await store.snapshot(), "System", B).props.status).toBe("up");
  });

  it("retireSystem marks a System gone; upserting it revives it with its first_seen", async () => {
    const store = await fresh();
    expect(await store.write((tx) => tx.retireSystem(A, T2))).toBe(false);
    await twoHosts(store);
    expect(await store.write((tx) => tx.retireSystem(A, T2))).toBe(true);
    await store.write((tx) => tx.retireSystem(A, T3)); // already gone: keeps its first gone_since
    expect(node(await store.snapshot(), "System", A).gone_since).toBe(T2);
    await store.write((tx) => tx.upsertSystem(host(A, "alpha"), T3));
    const revived = node(await store.snapshot(), "System", A);
    expect([revived.first_seen, revived.last_seen, revived.gone_since]).toEqual([T1, T3, null]);
  });

  it("replace operations refuse a System that does not exist, writing nothing", async () => {
    const store = await fresh();
    await expect(
      store.write(async (tx) => {
        await tx.upsertSystem(host(B, "beta"), T1);
        await tx.replaceNics(
          A,
          [nic(globalNicKey("00:16:3e:00:00:01"), "eth0", "00:16:3e:00:00:01")],
          T1,
        );
      }),
    ).rejects.toThrow(A);
    expect((await store.snapshot()).nodes).toEqual([]);
  });

  it("replaceNics retires what is no longer listed and revives it when listed again", async () => {
    const store = await fresh();
    await twoHosts(store);
    const eth0 = nic(globalNicKey("00:16:3e:00:00:01"), "eth0", "00:16:3e:00:00:01");
    const lo = nic(scopedNicKey(A, "lo"), "lo", "00:00:00:00:00:00");
    await store.write((tx) => tx.replaceNics(A, [eth0, lo], T1));
    await store.write((tx) => tx.replaceNics(A, [eth0], T2));
    let snapshot = await store.snapshot();
    expect(edges(snapshot, "HAS_NIC")).toEqual([`${A} -> ${eth0.key}`]);
    expect(edges(snapshot, "HAS_NIC", { retired: true })).toEqual([`${A} -> ${lo.key}`]);
    expect(node(snapshot, "NIC", lo.key).gone_since).toBe(T2);
    await store.write((tx) => tx.replaceNics(A, [eth0, lo], T3));
    snapshot = await store.snapshot();
    const revived = node(snapshot, "NIC", lo.key);
    expect([revived.first_seen, revived.last_seen, revived.gone_since]).toEqual([T1, T3, null]);
    expect(edges(snapshot, "HAS_NIC", { retired: true })).toEqual([]);
  });

  it("keeps a NIC alive while another System still has it, and nicOwners names its owners", async () => {
    const store = await fresh();
    await twoHosts(store);
    const shared = nic(globalNicKey("00:16:3e:00:00:09"), "eth1", "00:16:3e:00:00:09");
    await store.write(async (tx) => {
      await tx.replaceNics(A, [shared], T1);
      await tx.replaceNics(B, [shared], T1);
    });
    expect(
      await store.write((tx) => tx.nicOwners([shared.key, globalNicKey("00:16:3e:00:00:0a")])),
    ).toEqual({ [shared.key]: [A, B], [globalNicKey("00:16:3e:00:00:0a")]: [] });
    await store.write((tx) => tx.replaceNics(A, [], T2));
    const snapshot = await store.snapshot();
    expect(node(snapshot, "NIC", shared.key).gone_since).toBeNull();
    expect(edges(snapshot, "HAS_NIC", { retired: true })).toEqual([`${A} -> ${shared.key}`]);
    expect(await store.write((tx) => tx.nicOwners([shared.key]))).toEqual({ [shared.key]: [B] });
  });

  it("replaceAddresses retires dropped addresses but never the IPAddr, and checks the NIC", async () => {
    const store = await fresh();
    await twoHosts(store);
    const eth0 = nic(scopedNicKey(A, "eth0"), "eth0", "02:00:00:00:00:01");
    const v4 = ip("10.1.0.5", A);
    const v6 = ip("2001:DB8:0:0::5", A);
    expect(v6.key).toBe("2001:db8::5");
    await store.write(async (tx) => {
      await tx.replaceNics(A, [eth0], T1);
      await tx.replaceAddresses(
        A,
        [
          { nic: eth0.key, ip: v4, props: { prefix_len: 24 } },
          { nic: eth0.key, ip: v6, props: { prefix_len: 64 } },
        ],
        T1,
      );
    });
    await store.write((tx) =>
      tx.replaceAddresses(A, [{ nic: eth0.key, ip: v4, props: { prefix_len: 16 } }], T2),
    );
    const snapshot = await store.snapshot();
    expect(edges(snapshot, "HAS_IP")).toEqual([`${eth0.key} -> 10.1.0.5`]);
    expect(edges(snapshot, "HAS_IP", { retired: true })).toEqual([`${eth0.key} -> 2001:db8::5`]);
    expect(node(snapshot, "IPAddr", "2001:db8::5")).toMatchObject({
      gone_since: null,
      props: { ip: "2001:db8::5", version: 6, scope: "global" },
    });
    const hasIp = snapshot.relationships.find(
      (r) => r.type === "HAS_IP" && r.to.key === "10.1.0.5",
    );
    expect(hasIp?.props).toEqual({ prefix_len: 16 });
    // B may not put an address on A's NIC.
    await expect(
      store.write((tx) =>
        tx.replaceAddresses(B, [{ nic: eth0.key, ip: ip("10.1.0.6", B), props: {} }], T3),
      ),
    ).rejects.toThrow(eth0.key);
    expect(await store.snapshot()).toEqual(snapshot);
  });

  it("replaceArpNeighbours keeps one neighbour per interface and retires dropped ones", async () => {
    const store = await fresh();
    await twoHosts(store);
    const gateway = ip("10.1.0.1", A);
    const entry = (ifname: string) => ({
      ip: gateway,
      interface: ifname,
      props: { interface: ifname, mac: "00:00:5e:00:01:01", router: true },
    });
    await store.write((tx) => tx.replaceArpNeighbours(A, [entry("eth0"), entry("eth1")], T1));
    await store.write((tx) => tx.replaceArpNeighbours(A, [entry("eth1")], T2));
    const snapshot = await store.snapshot();
    expect(edges(snapshot, "ARP_NEIGHBOUR")).toEqual([`${A} -> 10.1.0.1 [eth1]`]);
    expect(edges(snapshot, "ARP_NEIGHBOUR", { retired: true })).toEqual([
      `${A} -> 10.1.0.1 [eth0]`,
    ]);
  });

  it("replaceProcesses replaces listen sets and connections, and retires a process with its sockets", async () => {
    const store = await fresh();
    await twoHosts(store);
    const web = proc(
      A,
      "web",
      [port("tcp", "0.0.0.0", 80, A), port("tcp", "::1", 8080, A)],
      [port("tcp", "10.9.0.1", 5432, A), port("udp", "10.9.0.53", 53, A)],
    );
    const cron = proc(A, "cron", [], [port("tcp", "10.9.0.25", 25, A)]);
    await store.write((tx) => tx.replaceProcesses(A, [web, cron], T1));
    let snapshot = await store.snapshot();
    expect(edges(snapshot, "LISTENS_ON")).toEqual([
      `${web.key} -> tcp|0.0.0.0%${A}|80`,
      `${web.key} -> tcp|::1%${A}|8080`,
    ]);
    // Wildcard listeners have no IPAddr; loopback ones have the System's own.
    expect(edges(snapshot, "ON_IP")).toEqual([
      "tcp|10.9.0.1|5432 -> 10.9.0.1",
      "tcp|10.9.0.25|25 -> 10.9.0.25",
      `tcp|::1%${A}|8080 -> ::1%${A}`,
      "udp|10.9.0.53|53 -> 10.9.0.53",
    ]);
    expect(node(snapshot, "IPPort", `tcp|0.0.0.0%${A}|80`).props).toEqual({
      ip: "0.0.0.0",
      proto: "tcp",
      port: 80,
      system: A,
    });

    const webNow = { ...web, listen: web.listen.slice(0, 1), clients: web.clients.slice(0, 1) };
    await store.write((tx) => tx.replaceProcesses(A, [webNow], T2));
    snapshot = await store.snapshot();
    expect(edges(snapshot, "RUNS")).toEqual([`${A} -> ${web.key}`]);
    expect(edges(snapshot, "RUNS", { retired: true })).toEqual([`${A} -> ${cron.key}`]);
    expect(node(snapshot, "Process", cron.key).gone_since).toBe(T2);
    expect(edges(snapshot, "LISTENS_ON", { retired: true })).toEqual([
      `${web.key} -> tcp|::1%${A}|8080`,
    ]);
    expect(edges(snapshot, "CLIENT_OF", { retired: true })).toEqual([
      `${cron.key} -> tcp|10.9.0.25|25`,
      `${web.key} -> udp|10.9.0.53|53`,
    ]);
    expect(snapshot.nodes.filter((n) => n.label === "IPPort" && n.gone_since !== null)).toEqual([]);
    expect(snapshot.nodes.filter((n) => n.label === "IPAddr" && n.gone_since !== null)).toEqual([]);
  });

  it("replacePackages retires dropped installs; Package nodes are shared and stay", async () => {
    const store = await fresh();
    await twoHosts(store);
    const libc = { key: "dpkg:libc6:2.36:amd64", props: { name: "libc6", version: "2.36" } };
    const curl = { key: "dpkg:curl:7.88:amd64", props: { name: "curl", version: "7.88" } };
    await store.write(async (tx) => {
      await tx.replacePackages(A, [libc, curl], T1);
      await tx.replacePackages(B, [libc], T1);
    });
    await store.write((tx) => tx.replacePackages(A, [curl], T2));
    const snapshot = await store.snapshot();
    expect(edges(snapshot, "INSTALLED")).toEqual([`${A} -> ${curl.key}`, `${B} -> ${libc.key}`]);
    expect(edges(snapshot, "INSTALLED", { retired: true })).toEqual([`${A} -> ${libc.key}`]);
    expect(node(snapshot, "Package", libc.key).gone_since).toBeNull();
  });

  it("replaceSwitchNeighbours records switch, port and what the host hears; linkWiring wires the NIC", async () => {
    const store = await fresh();
    await twoHosts(store);
    const sw = { key: "switch:00:1b:2c:3d:4e:5f", kind: "switch" as const, props: { name: "sw1" } };
    const heard = (ifname: string, portId: string) => ({
      interface: ifname,
      switch: sw,
      port: { key: `${sw.key}|port:${portId}`, props: { port_id: portId } },
      props: { interface: ifname, protocols: ["lldp"], ttl_seconds: 120 },
    });
    const eth0 = nic(globalNicKey("00:16:3e:00:00:01"), "eth0", "00:16:3e:00:00:01");
    let summary = await store.write(async (tx) => {
      await tx.replaceNics(A, [eth0], T1);
      await tx.replaceSwitchNeighbours(A, [heard("eth0", "Gi1/0/1"), heard("eth9", "Gi1/0/9")], T1);
      return tx.linkWiring(A, T1);
    });
    // eth9 is heard but A has no such NIC: no wire for it.
    expect(summary).toEqual({ active: 1, added: 1, retired: 0 });
    let snapshot = await store.snapshot();
    expect(node(snapshot, "System", sw.key).props).toMatchObject({ kind: "switch", status: "up" });
    expect(edges(snapshot, "HAS_PORT")).toEqual([
      `${sw.key} -> ${sw.key}|port:Gi1/0/1`,
      `${sw.key} -> ${sw.key}|port:Gi1/0/9`,
    ]);
    expect(edges(snapshot, "SEES_PORT")).toEqual([
      `${A} -> ${sw.key}|port:Gi1/0/1 [eth0]`,
      `${A} -> ${sw.key}|port:Gi1/0/9 [eth9]`,
    ]);
    expect(edges(snapshot, "WIRED_TO")).toEqual([`${eth0.key} -> ${sw.key}|port:Gi1/0/1`]);
    expect(await store.write((tx) => tx.linkWiring(A, T1))).toEqual({
      active: 1,
      added: 0,
      retired: 0,
    });

    // The cable moves to port 2: the old wire is retired, the new one made.
    summary = await store.write(async (tx) => {
      await tx.replaceSwitchNeighbours(A, [heard("eth0", "Gi1/0/2")], T2);
      return tx.linkWiring(A, T2);
    });
    expect(summary).toEqual({ active: 1, added: 1, retired: 1 });
    snapshot = await store.snapshot();
    expect(edges(snapshot, "WIRED_TO")).toEqual([`${eth0.key} -> ${sw.key}|port:Gi1/0/2`]);
    expect(edges(snapshot, "SEES_PORT", { retired: true })).toHaveLength(2);
    // Switch and ports stay: other hosts may hear them.
    expect(snapshot.nodes.filter((n) => n.gone_since !== null)).toEqual([]);
  });

  it("linkDependencies matches clients to listeners by the ownership and address-family rules", async () => {
    const store = await fresh();
    await twoHosts(store);
    const eth0 = nic(scopedNicKey(B, "eth0"), "eth0", "02:00:00:00:00:02");
    const server = proc(
      B,
      "server",
      [
        port("tcp", "0.0.0.0", 5432, B),
        port("tcp", "::", 389, B),
        port("tcp", "127.0.0.1", 6379, B),
      ],
      [],
    );
    const client = proc(
      A,
      "client",
      [],
      [
        port("tcp", "10.2.0.2", 5432, A), // B's IPv4, 0.0.0.0 listener: yes
        port("tcp", "2001:db8::2", 5432, A), // B's IPv6, 0.0.0.0 listener: no
        port("tcp", "10.2.0.2", 389, A), // :: covers IPv4: yes
        port("tcp", "127.0.0.1", 6379, A), // A's own loopback, not B's: no
        port("tcp", "10.2.0.99", 5432, A), // nobody's address: no
      ],
    );
    const summary = await store.write(async (tx) => {
      await tx.replaceNics(B, [eth0], T1);
      await tx.replaceAddresses(
        B,
        [
          { nic: eth0.key, ip: ip("10.2.0.2", B), props: {} },
          { nic: eth0.key, ip: ip("2001:db8::2", B), props: {} },
        ],
        T1,
      );
      await tx.replaceProcesses(B, [server], T1);
      await tx.replaceProcesses(A, [client], T1);
      return tx.linkDependencies(A, T1);
    });
    // Two process-level relationships and one system-level one.
    expect(summary).toEqual({ active: 3, added: 3, retired: 0 });
    let snapshot = await store.snapshot();
    expect(edges(snapshot, "DEPENDS_ON")).toEqual([
      `${A} -> ${B}`,
      `${client.key} -> ${server.key} [tcp/389]`,
      `${client.key} -> ${server.key} [tcp/5432]`,
    ]);
    const rel = snapshot.relationships.find((r) => r.key === "tcp/5432");
    expect(rel?.props).toEqual({ proto: "tcp", port: 5432 });
    // Linking from the server's side finds the same, and nothing new.
    expect(await store.write((tx) => tx.linkDependencies(B, T1))).toEqual({
      active: 3,
      added: 0,
      retired: 0,
    });

    // B loses 10.2.0.2: both dependencies and the system-level one are retired.
    expect(
      await store.write(async (tx) => {
        await tx.replaceAddresses(B, [{ nic: eth0.key, ip: ip("2001:db8::2", B), props: {} }], T2);
        return tx.linkDependencies(B, T2);
      }),
    ).toEqual({ active: 0, added: 0, retired: 3 });
    snapshot = await store.snapshot();
    expect(edges(snapshot, "DEPENDS_ON")).toEqual([]);
    expect(
      snapshot.relationships.filter((r) => r.type === "DEPENDS_ON").map((r) => r.gone_since),
    ).toEqual([T2, T2, T2]);
  });

  it("links a loopback client to its own host's listener, wildcard or not", async () => {
    const store = await fresh();
    await twoHosts(store);
    const app = proc(A, "app", [port("tcp", "0.0.0.0", 8000, A)], []);
    const cache = proc(A, "cache", [port("tcp", "::1", 11211, A)], []);
    const other = proc(B, "other", [port("tcp", "0.0.0.0", 8000, B)], []);
    const proxy = proc(
      A,
      "proxy",
      [],
      [port("tcp", "127.0.0.1", 8000, A), port("tcp", "::1", 11211, A)],
    );
    await store.write(async (tx) => {
      await tx.replaceProcesses(B, [other], T1);
      await tx.replaceProcesses(A, [app, cache, proxy], T1);
      await tx.linkDependencies(A, T1);
      await tx.linkDependencies(B, T1);
    });
    expect(edges(await store.snapshot(), "DEPENDS_ON")).toEqual([
      `${proxy.key} -> ${app.key} [tcp/8000]`,
      `${proxy.key} -> ${cache.key} [tcp/11211]`,
    ]);
  });

  it("keeps document bookkeeping out of the graph", async () => {
    const store = await fresh();
    await twoHosts(store);
    const before: GraphSnapshot = await store.snapshot();
    const seen = await store.write(async (tx) => {
      const none = await tx.documentSeenAt(A, "netconfig");
      await tx.recordDocument(A, "netconfig", T2);
      await tx.recordDocument(A, "netconfig", T1); // older: the greater time stays
      return [
        none,
        await tx.documentSeenAt(A, "netconfig"),
        await tx.documentSeenAt(B, "netconfig"),
      ];
    });
    expect(seen).toEqual([null, T2, null]);
    expect(await store.snapshot()).toEqual(before);
    expect(await store.counts()).toEqual({
      nodes: { System: { active: 2, retired: 0 } },
      relationships: {},
    });
  });
}
