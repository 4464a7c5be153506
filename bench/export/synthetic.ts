/**
 * A synthetic graph for the export benchmark: the contract fixture world
 * (web1, db1, ldap1 with their NICs, addresses, services, dependencies and
 * packages, and web1's switch) ingested through the real ingest once, then
 * cloned with fresh keys until it holds the wanted number of hosts. Building
 * it this way takes seconds where ingesting 100,000 hosts would take hours,
 * and the exporters read it through the same snapshot shape a store returns.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AT, copy, ingestFixtureWorld, switchDocument } from "../../cma/graph/contract/support.js";
import { openEmbeddedStore } from "../../cma/graph/embedded/store.js";
import type { GraphSnapshot, GraphStore, NodeRecord, NodeRef } from "../../cma/graph/store.js";
import { ingestDocument } from "../../cma/ingest/ingest.js";

/** The fixture world's live graph, read from a real embedded store. */
export async function fixtureTemplate(): Promise<GraphSnapshot> {
  const dir = mkdtempSync(join(tmpdir(), "assim-bench-export-"));
  const store = await openEmbeddedStore({ dataDir: dir });
  try {
    await ingestFixtureWorld(store);
    await ingestDocument(store, copy(switchDocument(), AT));
    return await store.liveSnapshot();
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const isHost = (node: NodeRecord) => node.label === "System" && node.props.kind === "host";

/** Copies of the template, each with its own keys and machine ids, until `hosts` hosts exist. */
export function synthesize(template: GraphSnapshot, hosts: number): GraphSnapshot {
  const perCopy = template.nodes.filter(isHost).length;
  const copies = Math.ceil(hosts / perCopy);
  const nodes: NodeRecord[] = [];
  const relationships: GraphSnapshot["relationships"] = [];
  for (let i = 0; i < copies; i++) {
    const suffix = `~${i}`;
    const ref = (r: NodeRef): NodeRef => ({ label: r.label, key: r.key + suffix });
    for (const node of template.nodes) {
      const props = { ...node.props };
      if (node.label === "System") {
        for (const name of ["machine_id", "hostname", "name", "chassis_id"]) {
          if (typeof props[name] === "string") props[name] = `${props[name]}-${i}`;
        }
      }
      nodes.push({ ...node, key: node.key + suffix, props });
    }
    for (const rel of template.relationships) {
      relationships.push({ ...rel, key: rel.key + suffix, from: ref(rel.from), to: ref(rel.to) });
    }
  }
  return { nodes, relationships };
}

/**
 * Changes `fraction` of the hosts the way a day in a data center does: each
 * goes down (status and its time) and one of its NICs gets a new MTU.
 * Returns how many hosts changed.
 */
export function mutate(snapshot: GraphSnapshot, fraction: number, at: string): number {
  const hosts = snapshot.nodes.filter(isHost);
  const step = Math.max(1, Math.round(1 / fraction));
  const chosen = new Set<string>();
  for (let i = 0; i < hosts.length; i += step) chosen.add((hosts[i] as NodeRecord).key);
  const nicOf = new Map<string, string>();
  for (const rel of snapshot.relationships) {
    if (rel.type === "HAS_NIC" && chosen.has(rel.from.key) && !nicOf.has(rel.from.key)) {
      nicOf.set(rel.from.key, rel.to.key);
    }
  }
  const nics = new Set(nicOf.values());
  for (const node of snapshot.nodes) {
    if (chosen.has(node.key)) {
      node.props = {
        ...node.props,
        status: "down",
        status_reason: "heartbeat lost",
        status_since: at,
      };
    } else if (node.label === "NIC" && nics.has(node.key)) {
      node.props = { ...node.props, mtu: 9000 };
    }
  }
  return chosen.size;
}

/** A read-only stand-in for a store that holds the snapshot: all an export reads. */
export function snapshotStore(snapshot: () => GraphSnapshot): GraphStore {
  return {
    adapter: "synthetic",
    liveSnapshot: async () => snapshot(),
  } as unknown as GraphStore;
}
