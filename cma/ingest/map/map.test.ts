import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { DiscoveryDocument } from "../../../protocol/discovery-document.js";
import {
  copy,
  edges,
  fixtureDocument,
  MACHINE,
  node,
  SYSTEM,
} from "../../graph/contract/support.js";
import { openEmbeddedStore } from "../../graph/embedded/store.js";
import { globalNicKey, scopedNicKey } from "../../graph/keys.js";
import type { GraphStore } from "../../graph/store.js";
import { ingestDocument } from "../ingest.js";
import type { DocumentContext } from "./context.js";
import { mapSwitch } from "./switch.js";
import { mapTcpdiscovery } from "./tcpdiscovery.js";

const scratch = mkdtempSync(join(tmpdir(), "assim-ingest-map-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const stores: GraphStore[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});
const fresh = async () => {
  const store = await openEmbeddedStore({
    dataDir: join(scratch, `s${stores.length}-${Date.now()}`),
  });
  stores.push(store);
  return store;
};

const context: DocumentContext = {
  system: SYSTEM.web1,
  machineId: MACHINE.web1,
  host: "web1",
  at: "2026-03-01T10:00:00.000Z",
};

type Interfaces = Record<string, Record<string, unknown>>;

/** web1's netconfig with its interfaces replaced, each built from eth0 with changes. */
function netconfig(changes: Record<string, Record<string, unknown>>): DiscoveryDocument {
  const document = copy(fixtureDocument("web1", "netconfig"));
  const template = (document.data as Interfaces).eth0 as Record<string, unknown>;
  document.data = Object.fromEntries(
    Object.entries(changes).map(([name, change]) => [
      name,
      { ...template, ipaddrs: {}, ...change },
    ]),
  );
  return document;
}

describe("netconfig: NIC identities", () => {
  it("knows bond slaves by their own MACs and the bond and its VLAN by name", async () => {
    const store = await fresh();
    const A = "0c:c4:7a:00:00:aa";
    const B = "0c:c4:7a:00:00:bb";
    await ingestDocument(
      store,
      netconfig({
        eth1: {
          address: A,
          permanent_address: A,
          master: { name: "bond0", kind: "bond", state: "active" },
        },
        eth2: {
          address: A,
          permanent_address: B,
          master: { name: "bond0", kind: "bond", state: "backup" },
        },
        bond0: {
          address: A,
          virtual: true,
          kind: "bond",
          ipaddrs: {
            "10.0.0.10/24": {
              brd: null,
              scope: "global",
              name: "bond0",
              peer: null,
              dynamic: false,
            },
          },
        },
        "bond0.10": { address: A, virtual: true, kind: "vlan", vlan_id: 10, link: "bond0" },
        wg0: { address: null, virtual: true, kind: "wireguard", type: "none" },
      }),
    );
    const snapshot = await store.snapshot();
    expect(edges(snapshot, "HAS_NIC")).toEqual(
      [
        globalNicKey(A),
        globalNicKey(B),
        scopedNicKey(SYSTEM.web1, "bond0"),
        scopedNicKey(SYSTEM.web1, "bond0.10"),
        scopedNicKey(SYSTEM.web1, "wg0"),
      ]
        .map((key) => `${SYSTEM.web1} -> ${key}`)
        .sort(),
    );
    expect(node(snapshot, "NIC", globalNicKey(B)).props).toMatchObject({
      ifname: "eth2",
      mac: A,
      permanent_mac: B,
      master: "bond0",
      scope: "global",
    });
    expect(node(snapshot, "NIC", scopedNicKey(SYSTEM.web1, "bond0.10")).props).toMatchObject({
      vlan_id: 10,
      link: "bond0",
      scope: "system",
    });
    expect(node(snapshot, "NIC", scopedNicKey(SYSTEM.web1, "wg0")).props.mac).toBeUndefined();
    expect(edges(snapshot, "HAS_IP")).toEqual([
      `${scopedNicKey(SYSTEM.web1, "bond0")} -> 10.0.0.10`,
    ]);
  });

  it("scopes two physical interfaces that report the same MAC", async () => {
    const store = await fresh();
    const C = "0c:c4:7a:00:00:cc";
    await ingestDocument(store, netconfig({ eth0: { address: C }, eth1: { address: C } }));
    expect(edges(await store.snapshot(), "HAS_NIC")).toEqual([
      `${SYSTEM.web1} -> ${scopedNicKey(SYSTEM.web1, "eth0")}`,
      `${SYSTEM.web1} -> ${scopedNicKey(SYSTEM.web1, "eth1")}`,
    ]);
  });

  it("keeps the stored addresses when this document could not read any", async () => {
    const store = await fresh();
    await ingestDocument(store, fixtureDocument("web1", "netconfig"));
    const unread = copy(fixtureDocument("web1", "netconfig"), "2026-03-01T11:00:00.000Z");
    for (const nic of Object.values(unread.data as Interfaces)) nic.ipaddrs = null;
    const outcome = await ingestDocument(store, unread);
    expect(outcome.warnings).toEqual([
      "netconfig: addresses were not read on this host; the stored addresses are kept",
    ]);
    const snapshot = await store.snapshot();
    expect(edges(snapshot, "HAS_IP")).toHaveLength(5);
    expect(edges(snapshot, "HAS_IP", { retired: true })).toEqual([]);
  });
});

describe("tcpdiscovery: processes", () => {
  const group = (exe: string | null, cmdline: string[], uid: number, port: number) => ({
    exe,
    exe_deleted: false,
    cmdline,
    pids: [100 + uid],
    uid,
    gid: uid,
    user: null,
    group: null,
    cwd: "/",
    listen: [{ proto: "tcp", addr: "0.0.0.0", port }],
    clients: [],
  });

  it("merges groups that differ only by uid, and names an unreadable executable by its command", async () => {
    const store = await fresh();
    const document = copy(fixtureDocument("web1", "tcpdiscovery"));
    document.data = {
      "worker:000000000001": group("/usr/bin/worker", ["worker"], 1000, 8001),
      "worker:000000000002": group("/usr/bin/worker", ["worker"], 1001, 8002),
      "kworker:000000000003": group(null, [], 0, 9000),
    };
    await ingestDocument(store, document);
    const snapshot = await store.snapshot();
    const processes = snapshot.nodes.filter((n) => n.label === "Process");
    expect(processes.map((p) => [p.props.name, p.props.exe ?? null, p.props.uid]).sort()).toEqual([
      ["kworker", null, 0],
      ["worker", "/usr/bin/worker", 1000],
    ]);
    const name = (key: string) =>
      String(snapshot.nodes.find((n) => n.key === key)?.props.name ?? key);
    expect(edges(snapshot, "LISTENS_ON", { name })).toEqual([
      `kworker -> tcp|0.0.0.0%${SYSTEM.web1}|9000`,
      `worker -> tcp|0.0.0.0%${SYSTEM.web1}|8001`,
      `worker -> tcp|0.0.0.0%${SYSTEM.web1}|8002`,
    ]);
  });

  it("skips an endpoint whose address it cannot read, with a warning", () => {
    const document = copy(fixtureDocument("web1", "tcpdiscovery"));
    document.data = { "odd:000000000001": group("/bin/odd", [], 0, 1) };
    (document.data as Record<string, { listen: { addr: string }[] }>)[
      "odd:000000000001"
    ]?.listen.push({
      addr: ":::",
    } as never);
    const mapped = mapTcpdiscovery(document, context);
    expect(mapped.warnings).toEqual([
      'tcpdiscovery odd:000000000001: ":::" is not an address; skipped',
    ]);
  });
});

describe("switch documents", () => {
  it("map each heard neighbour to a switch System, its port and SEES_PORT, and wire the NIC", async () => {
    const store = await fresh();
    await ingestDocument(store, fixtureDocument("web1", "os"));
    await ingestDocument(store, fixtureDocument("web1", "netconfig"));
    const document: DiscoveryDocument = JSON.parse(
      JSON.stringify({
        ...fixtureDocument("web1", "os"),
        discovertype: "switch",
        data: {
          interfaces: {
            eth0: {
              neighbours: [
                {
                  protocols: ["lldp", "cdp"],
                  ttl_seconds: 180,
                  chassis: {
                    id: "sw-core-1",
                    id_subtype: "local",
                    capabilities: { supported: ["router", "bridge"], enabled: ["bridge"] },
                    management_addresses: [{ family: "ipv4", address: "10.0.0.2" }],
                  },
                  port: { id: "Gi1/0/7", id_subtype: "interface_name", vlan_id: 10 },
                },
              ],
            },
          },
        },
      }),
    );
    // The switch schema lives with the capture; the mapper is applied directly here.
    const mapped = mapSwitch(document, context);
    await store.write((tx) => mapped.apply(tx));
    const snapshot = await store.snapshot();
    expect(node(snapshot, "System", "switch:sw-core-1").props).toMatchObject({
      kind: "switch",
      name: "sw-core-1",
      chassis_id_subtype: "local",
      capabilities_supported: ["bridge", "router"],
      management_addresses: ["10.0.0.2"],
    });
    expect(edges(snapshot, "SEES_PORT")).toEqual([
      `${SYSTEM.web1} -> switch:sw-core-1|port:Gi1/0/7 [eth0]`,
    ]);
    expect(edges(snapshot, "WIRED_TO")).toEqual([
      `${globalNicKey("0c:c4:7a:00:00:10")} -> switch:sw-core-1|port:Gi1/0/7`,
    ]);
    const sees = snapshot.relationships.find((r) => r.type === "SEES_PORT");
    expect(sees?.props).toEqual({
      interface: "eth0",
      protocols: ["cdp", "lldp"],
      ttl_seconds: 180,
    });
  });
});
