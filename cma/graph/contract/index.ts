/**
 * The graph store contract: one suite that runs unchanged against every adapter.
 *
 *   describeGraphStoreContract("embedded", async () => openEmbeddedStore(...));
 *
 * `makeStore` must return a new, EMPTY store each time it is called (a fresh
 * directory, or a wiped Neo4j database); the suite closes every store it opens.
 * A test never uses a store after asking for the next one, so an adapter may
 * back them all with one database that makeStore empties.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { GraphStore } from "../store.js";
import { ingestTests } from "./ingest.js";
import { liveSnapshotTests } from "./live.js";
import { monitorTests } from "./monitors.js";
import { operationTests } from "./operations.js";
import { queryTests } from "./queries.js";
import { ringTests } from "./rings.js";

export type MakeStore = () => Promise<GraphStore>;

export function describeGraphStoreContract(name: string, makeStore: MakeStore): void {
  describe(`graph store contract: ${name}`, () => {
    const open: GraphStore[] = [];
    const fresh = async () => {
      const store = await makeStore();
      open.push(store);
      return store;
    };
    afterEach(async () => {
      for (const store of open.splice(0)) await store.close();
    });

    it("starts empty", async () => {
      const store = await fresh();
      expect(await store.snapshot()).toEqual({ nodes: [], relationships: [] });
      expect(await store.counts()).toEqual({ nodes: {}, relationships: {} });
    });
    describe("operations", () => operationTests(fresh));
    describe("ingest", () => ingestTests(fresh));
    describe("queries", () => queryTests(fresh));
    describe("rings", () => ringTests(fresh));
    describe("monitors", () => monitorTests(fresh));
    describe("liveSnapshot", () => liveSnapshotTests(fresh));
  });
}
