/**
 * The graph store contract against a real Neo4j (one DBMS for this file, started by
 * test/support/neo4j.ts; each store the suite asks for starts from an emptied graph).
 */
import { describe } from "vitest";
import { withNeo4j } from "../../../test/support/neo4j.js";
import { describeGraphStoreContract } from "../contract/index.js";
import { openNeo4jStore } from "./store.js";

const db = withNeo4j();

describe.skipIf(db.skipReason !== "")(`Neo4j adapter ${db.skipReason}`, () => {
  describeGraphStoreContract("Neo4j", async () => {
    const store = await openNeo4jStore({ uri: db.uri });
    await store.deleteEverything();
    return store;
  });
});
