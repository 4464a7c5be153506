/** liveSnapshot over each store: the snapshot without what is retired, from one commit. */
import { expect, it } from "vitest";
import { ingestDocument } from "../../ingest/ingest.js";
import type { GraphSnapshot, GraphStore } from "../store.js";
import { copy, edges, fixtureDocument, ingestFixtureWorld, LATER, SYSTEM } from "./support.js";

/** The snapshot's live part, computed the slow way: what liveSnapshot must return. */
function liveOf(snapshot: GraphSnapshot): GraphSnapshot {
  const nodes = snapshot.nodes.filter((n) => n.gone_since === null);
  const live = new Set(nodes.map((n) => `${n.label}\u0000${n.key}`));
  return {
    nodes,
    relationships: snapshot.relationships.filter(
      (r) =>
        r.gone_since === null &&
        live.has(`${r.from.label}\u0000${r.from.key}`) &&
        live.has(`${r.to.label}\u0000${r.to.key}`),
    ),
  };
}

export function liveSnapshotTests(fresh: () => Promise<GraphStore>): void {
  it("is empty for an empty store, and the whole snapshot when nothing is retired", async () => {
    const store = await fresh();
    expect(await store.liveSnapshot()).toEqual({ nodes: [], relationships: [] });
    await ingestFixtureWorld(store);
    expect(await store.liveSnapshot()).toEqual(await store.snapshot());
  });

  it("leaves out retired nodes, retired relationships and relationships to a retired node", async () => {
    const store = await fresh();
    await ingestFixtureWorld(store);
    // web1 stops running redis and loses docker0; ldap1 is decommissioned.
    const tcp = copy(fixtureDocument("web1", "tcpdiscovery"), LATER);
    delete (tcp.data as Record<string, unknown>)["redis-server:2a3b4c5d6e7f"];
    await ingestDocument(store, tcp);
    const net = copy(fixtureDocument("web1", "netconfig"), LATER);
    delete (net.data as Record<string, unknown>).docker0;
    await ingestDocument(store, net);
    await store.write((tx) => tx.retireSystem(SYSTEM.ldap1, LATER));

    const all = await store.snapshot();
    const live = await store.liveSnapshot();
    expect(live).toEqual(liveOf(all));
    // The retirements above really happened, so the comparison above means something.
    expect(live.nodes.length).toBeLessThan(all.nodes.length);
    expect(live.relationships.length).toBeLessThan(all.relationships.length);
    expect(live.nodes.some((n) => n.key === SYSTEM.ldap1)).toBe(false);
    expect(edges(all, "RUNS").some((e) => e.startsWith(SYSTEM.ldap1))).toBe(true);
    expect(edges(live, "RUNS").some((e) => e.startsWith(SYSTEM.ldap1))).toBe(false);
    expect(live.nodes.every((n) => n.gone_since === null)).toBe(true);
    expect(live.relationships.every((r) => r.gone_since === null)).toBe(true);
  });
}
