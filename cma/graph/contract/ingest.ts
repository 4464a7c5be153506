/** Contract: discovery documents through cma/ingest into the store. */
import { expect, it } from "vitest";
import { DocumentRejectedError } from "../../ingest/errors.js";
import { ingestDocument } from "../../ingest/ingest.js";
import { globalNicKey, hostSystemKey, scopedNicKey } from "../keys.js";
import type { GraphStore } from "../store.js";
import {
  AT,
  copy,
  EARLIER,
  edges,
  fixtureDocument,
  fixtureDocuments,
  ingestAll,
  ingestFixtureWorld,
  LATER,
  MACHINE,
  namer,
  node,
  SYSTEM,
  switchDocument,
  withoutLastSeen,
} from "./support.js";

export function ingestTests(fresh: () => Promise<GraphStore>): void {
  it("builds the fixture world: hosts, NICs, addresses, processes, packages", async () => {
    const store = await fresh();
    await ingestFixtureWorld(store);
    const snapshot = await store.snapshot();
    const web1 = node(snapshot, "System", SYSTEM.web1);
    expect(web1.props).toMatchObject({
      name: "web1",
      machine_id: MACHINE.web1,
      kind: "host",
      hostname: "web1",
      fqdn: "web1.example.net",
      os_id: "debian",
      os_version: "12",
      kernel_release: "6.1.0-18-amd64",
      memory_total_bytes: 8589934592,
      cpu_cores: 4,
      cpu_model: "AMD EPYC 7543 32-Core Processor",
      agents_ocf: ["heartbeat/nginx", "heartbeat/pgsql", "heartbeat/redis"],
      agents_lsb: ["nginx", "redis-server"],
      systemd_services: ["nginx.service", "redis-server.service", "ssh.service"],
      dmi_sys_vendor: "QEMU",
    });
    expect(web1.props.dmi_product_serial).toBeUndefined();
    // eth0 has a universal MAC: known everywhere by it; lo and the docker bridge are scoped.
    expect(edges(snapshot, "HAS_NIC").filter((e) => e.startsWith(SYSTEM.web1))).toEqual([
      `${SYSTEM.web1} -> ${globalNicKey("0c:c4:7a:00:00:10")}`,
      `${SYSTEM.web1} -> ${scopedNicKey(SYSTEM.web1, "docker0")}`,
      `${SYSTEM.web1} -> ${scopedNicKey(SYSTEM.web1, "lo")}`,
    ]);
    expect(node(snapshot, "NIC", globalNicKey("0c:c4:7a:00:00:10")).props).toMatchObject({
      ifname: "eth0",
      mac: "0c:c4:7a:00:00:10",
      scope: "global",
      mtu: 1500,
      speed: 10000,
      duplex: "full",
      operstate: "up",
    });
    const webNic = globalNicKey("0c:c4:7a:00:00:10");
    const ofWeb1 = (e: string) => e.startsWith(webNic) || e.includes(SYSTEM.web1);
    expect(edges(snapshot, "HAS_IP").filter(ofWeb1)).toEqual([
      `${globalNicKey("0c:c4:7a:00:00:10")} -> 10.0.0.10`,
      `${globalNicKey("0c:c4:7a:00:00:10")} -> 2001:db8::10`,
      `${scopedNicKey(SYSTEM.web1, "docker0")} -> 172.17.0.1`,
      `${scopedNicKey(SYSTEM.web1, "lo")} -> 127.0.0.1%${SYSTEM.web1}`,
      `${scopedNicKey(SYSTEM.web1, "lo")} -> ::1%${SYSTEM.web1}`,
    ]);
    const name = namer(snapshot);
    expect(edges(snapshot, "RUNS", { name })).toEqual([
      "db1 -> db1/postgres",
      "ldap1 -> ldap1/redis-server",
      "ldap1 -> ldap1/slapd",
      "web1 -> web1/nginx",
      "web1 -> web1/python3.11",
      "web1 -> web1/redis-server",
      "web1 -> web1/unowned",
    ]);
    expect(edges(snapshot, "INSTALLED", { name }).filter((e) => e.includes("libc6"))).toEqual([
      "db1 -> dpkg:libc6:2.36-9+deb12u4:amd64",
      "ldap1 -> dpkg:libc6:2.36-9+deb12u1:amd64",
      "web1 -> dpkg:libc6:2.36-9+deb12u4:amd64",
    ]);
    expect(edges(snapshot, "ARP_NEIGHBOUR", { name })).toEqual([
      "db1 -> 10.0.0.10 [eth0]",
      "db1 -> 10.0.0.30 [eth0]",
      "web1 -> 10.0.0.1 [eth0]",
      "web1 -> 10.0.0.20 [eth0]",
    ]);
  });

  it("links service dependencies across hosts, over loopback, and by address family", async () => {
    const store = await fresh();
    await ingestFixtureWorld(store);
    const snapshot = await store.snapshot();
    expect(edges(snapshot, "DEPENDS_ON", { name: namer(snapshot) })).toEqual([
      "db1 -> ldap1",
      "db1/postgres -> ldap1/slapd [tcp/389]",
      "web1 -> db1",
      "web1/nginx -> web1/python3.11 [tcp/8000]",
      "web1/python3.11 -> db1/postgres [tcp/5432]",
      "web1/python3.11 -> web1/redis-server [tcp/6379]",
    ]);
  });

  it("links the same dependencies whatever order the hosts' documents arrive in", async () => {
    const inOrder = await fresh();
    await ingestFixtureWorld(inOrder);
    const a = await inOrder.snapshot();
    const reversed = await fresh();
    for (const host of ["ldap1", "db1", "web1"] as const) {
      await ingestAll(reversed, [...fixtureDocuments(host)].reverse());
    }
    const b = await reversed.snapshot();
    expect(edges(b, "DEPENDS_ON")).toEqual(edges(a, "DEPENDS_ON"));
    expect(withoutLastSeen(b)).toEqual(withoutLastSeen(a));
  });

  it("is idempotent: the same documents again change nothing, later ones only last_seen", async () => {
    const store = await fresh();
    await ingestFixtureWorld(store);
    const first = await store.snapshot();
    const firstCounts = await store.counts();
    await ingestFixtureWorld(store);
    expect(await store.snapshot()).toEqual(first);
    await ingestFixtureWorld(store, LATER);
    const later = await store.snapshot();
    expect(await store.counts()).toEqual(firstCounts);
    expect(withoutLastSeen(later)).toEqual(withoutLastSeen(first));
    expect(later.nodes.every((n) => n.last_seen === LATER || n.last_seen === AT)).toBe(true);
    expect(node(later, "System", SYSTEM.web1).last_seen).toBe(LATER);
    const dependency = later.relationships.find((r) => r.key === "tcp/5432");
    expect([dependency?.first_seen, dependency?.last_seen]).toEqual([AT, LATER]);
  });

  it("retires a connection, process and dependency no longer listed, and revives them when seen again", async () => {
    const store = await fresh();
    await ingestFixtureWorld(store);
    // web1's app stops using PostgreSQL; redis is gone.
    const tcp = copy(fixtureDocument("web1", "tcpdiscovery"), LATER);
    const data = tcp.data as Record<string, { clients: { port: number }[] }>;
    delete data["redis-server:2a3b4c5d6e7f"];
    const app = data["python3:1a2b3c4d5e6f"];
    if (!app) throw new Error("fixture changed");
    app.clients = app.clients.filter((c) => c.port !== 5432);
    await ingestDocument(store, tcp);
    let snapshot = await store.snapshot();
    const name = namer(snapshot);
    expect(edges(snapshot, "DEPENDS_ON", { name, retired: true })).toEqual([
      "web1 -> db1",
      "web1/python3.11 -> db1/postgres [tcp/5432]",
      "web1/python3.11 -> web1/redis-server [tcp/6379]",
    ]);
    expect(edges(snapshot, "RUNS", { name, retired: true })).toEqual(["web1 -> web1/redis-server"]);
    expect(edges(snapshot, "CLIENT_OF", { name, retired: true })).toEqual([
      "web1/python3.11 -> tcp|10.0.0.20|5432",
      "web1/python3.11 -> tcp|2001:db8::20|5432",
    ]);
    expect(
      snapshot.relationships.filter((r) => r.gone_since !== null).map((r) => r.gone_since),
    ).toSatisfy((times: unknown[]) => times.every((t) => t === LATER));

    const again = "2026-03-01T12:00:00.000Z";
    await ingestDocument(store, copy(fixtureDocument("web1", "tcpdiscovery"), again));
    snapshot = await store.snapshot();
    expect(snapshot.relationships.filter((r) => r.gone_since !== null)).toEqual([]);
    const revived = snapshot.relationships.find((r) => r.key === "tcp/5432");
    expect([revived?.first_seen, revived?.last_seen]).toEqual([AT, again]);
  });

  it("retires a NIC and an address a host no longer has", async () => {
    const store = await fresh();
    await ingestFixtureWorld(store);
    const net = copy(fixtureDocument("web1", "netconfig"), LATER);
    const data = net.data as Record<string, { ipaddrs: Record<string, unknown> }>;
    delete data.docker0;
    delete data.eth0?.ipaddrs["2001:db8::10/64"];
    await ingestDocument(store, net);
    const snapshot = await store.snapshot();
    expect(node(snapshot, "NIC", scopedNicKey(SYSTEM.web1, "docker0")).gone_since).toBe(LATER);
    expect(edges(snapshot, "HAS_IP", { retired: true })).toEqual([
      `${globalNicKey("0c:c4:7a:00:00:10")} -> 2001:db8::10`,
      `${scopedNicKey(SYSTEM.web1, "docker0")} -> 172.17.0.1`,
    ]);
  });

  it("names hosts by machine id: one hostname on two machines is two Systems, a renamed host one", async () => {
    const store = await fresh();
    const os = fixtureDocument("web1", "os");
    const twin = copy(os);
    twin.machine_id = "d4".repeat(16);
    (twin.data as { machine_id: string }).machine_id = "d4".repeat(16);
    await ingestAll(store, [os, twin]);
    let snapshot = await store.snapshot();
    expect(snapshot.nodes.filter((n) => n.label === "System").map((n) => n.props.name)).toEqual([
      "web1",
      "web1",
    ]);
    const renamed = copy(os, LATER);
    renamed.host = "shop1";
    (renamed.data as { hostname: string }).hostname = "shop1";
    await ingestDocument(store, renamed);
    snapshot = await store.snapshot();
    expect(snapshot.nodes.filter((n) => n.label === "System")).toHaveLength(2);
    expect(node(snapshot, "System", SYSTEM.web1).props).toMatchObject({
      name: "shop1",
      hostname: "shop1",
    });
    expect(node(snapshot, "System", hostSystemKey("d4".repeat(16))).props.name).toBe("web1");
  });

  it("scopes a universal MAC that another System already has", async () => {
    const store = await fresh();
    await ingestAll(store, fixtureDocuments("db1"));
    const clone = copy(fixtureDocument("ldap1", "netconfig"));
    const eth0 = (clone.data as Record<string, { address: string }>).eth0;
    if (!eth0) throw new Error("fixture changed");
    eth0.address = "0c:c4:7a:00:00:20"; // db1's MAC: a cloned VM
    await ingestDocument(store, clone);
    const snapshot = await store.snapshot();
    expect(node(snapshot, "NIC", scopedNicKey(SYSTEM.ldap1, "eth0")).props).toMatchObject({
      mac: "0c:c4:7a:00:00:20",
      scope: "system",
      duplicate_mac: true,
    });
    expect(edges(snapshot, "HAS_NIC").filter((e) => e.endsWith("0c:c4:7a:00:00:20"))).toEqual([
      `${SYSTEM.db1} -> ${globalNicKey("0c:c4:7a:00:00:20")}`,
    ]);
  });

  it("skips a document older than the last one of its type from that host", async () => {
    const store = await fresh();
    await ingestAll(store, fixtureDocuments("web1"));
    const before = await store.snapshot();
    const old = copy(fixtureDocument("web1", "tcpdiscovery"), EARLIER);
    (old.data as Record<string, unknown>)["python3:1a2b3c4d5e6f"] = undefined;
    delete (old.data as Record<string, unknown>)["python3:1a2b3c4d5e6f"];
    const outcome = await ingestDocument(store, old);
    expect(outcome.status).toBe("stale");
    expect(await store.snapshot()).toEqual(before);
  });

  it("rejects an invalid document, or one without a machine id, and writes nothing", async () => {
    const store = await fresh();
    await ingestAll(store, fixtureDocuments("db1"));
    const before = await store.snapshot();
    const invalid = copy(fixtureDocument("web1", "tcpdiscovery"), LATER);
    (invalid.data as Record<string, { listen: unknown[] }>)["nginx:0a1b2c3d4e5f"]?.listen.push({
      proto: "sctp",
      addr: "0.0.0.0",
      port: 80,
    });
    const rejection = await ingestDocument(store, invalid).catch((error: unknown) => error);
    expect(rejection).toBeInstanceOf(DocumentRejectedError);
    expect((rejection as DocumentRejectedError).message).toMatch(
      /rejected tcpdiscovery document from web1: .*\/proto must be equal to one of the allowed values/,
    );
    const anonymous = copy(fixtureDocument("web1", "os"));
    delete anonymous.machine_id;
    await expect(ingestDocument(store, anonymous)).rejects.toThrow(/no machine_id in the envelope/);
    const mismatch = copy(fixtureDocument("web1", "os"));
    mismatch.machine_id = MACHINE.db1;
    await expect(ingestDocument(store, mismatch)).rejects.toThrow(/differs from data.machine_id/);
    await expect(ingestDocument(store, "not a document")).rejects.toThrow(DocumentRejectedError);
    expect(await store.snapshot()).toEqual(before);
  });

  it("stores what a switch document says and wires the host NIC to the switch port", async () => {
    const store = await fresh();
    await ingestAll(store, [...fixtureDocuments("web1"), switchDocument()]);
    const snapshot = await store.snapshot();
    const sw = "switch:00:1b:2c:3d:4e:5f";
    expect(node(snapshot, "System", sw).props).toMatchObject({
      kind: "switch",
      name: "sw1.example.net",
      chassis_id: "00:1b:2c:3d:4e:5f",
      chassis_id_subtype: "mac_address",
      capabilities_enabled: ["bridge"],
      management_addresses: ["10.0.0.2"],
    });
    expect(node(snapshot, "SwitchPort", `${sw}|port:Gi1/0/1`).props).toMatchObject({
      port_id: "Gi1/0/1",
      description: "web1 eth0",
      vlan_id: 10,
      speed_mbps: 10000,
    });
    expect(edges(snapshot, "WIRED_TO")).toEqual([
      `${globalNicKey("0c:c4:7a:00:00:10")} -> ${sw}|port:Gi1/0/1`,
    ]);
  });
}
