/**
 * The same discovery gives the same records from Neo4j as from the embedded
 * store, and the same export. Runs against a real Neo4j (test/support/neo4j.ts);
 * skips, saying why, where one cannot start (never under CI).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  AT,
  copy,
  ingestFixtureWorld,
  processKeyOf,
  SYSTEM,
  switchDocument,
} from "../cma/graph/contract/support.js";
import { openEmbeddedStore } from "../cma/graph/embedded/store.js";
import { openNeo4jStore } from "../cma/graph/neo4j/store.js";
import type { GraphStore } from "../cma/graph/store.js";
import { ingestDocument } from "../cma/ingest/ingest.js";
import { withNeo4j } from "../test/support/neo4j.js";
import { jsonExporter } from "./json/json.js";
import { readRecords } from "./records.js";
import { runExport } from "./run.js";

const db = withNeo4j();
const scratch = mkdtempSync(join(tmpdir(), "assim-records-neo4j-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The fixture world with a switch and a monitor, so that every kind of record has content. */
async function fill(store: GraphStore): Promise<void> {
  await ingestFixtureWorld(store);
  await ingestDocument(store, copy(switchDocument(), AT));
  const nginx = processKeyOf(await store.snapshot(), SYSTEM.web1, "nginx");
  await store.write((tx) =>
    tx.replaceMonitors(
      SYSTEM.web1,
      [
        {
          key: "monitor:n:http",
          process: nginx,
          props: { rule: "http", class: "nagios", params: ["H=web1"] },
        },
      ],
      AT,
    ),
  );
}

describe.skipIf(db.skipReason !== "")(`export records from Neo4j ${db.skipReason}`, () => {
  it("equal the embedded store's, and export the same files", async () => {
    const embedded = await openEmbeddedStore({ dataDir: join(scratch, "data") });
    const neo4j = await openNeo4jStore({ uri: db.uri });
    try {
      await neo4j.deleteEverything();
      await fill(embedded);
      await fill(neo4j);
      const records = await readRecords(embedded);
      expect(records.map((r) => r.kind)).toEqual(
        expect.arrayContaining(["host", "switch", "service", "dependency", "package"]),
      );
      expect(await readRecords(neo4j)).toEqual(records);

      const now = () => new Date("2026-03-01T12:00:00.000Z");
      await runExport({
        store: embedded,
        outDir: join(scratch, "a"),
        formats: [jsonExporter],
        now,
      });
      await runExport({ store: neo4j, outDir: join(scratch, "b"), formats: [jsonExporter], now });
      for (const file of ["json/records.json", "json/changes.json", "drift.jsonl"]) {
        expect(readFileSync(join(scratch, "b", file), "utf8")).toBe(
          readFileSync(join(scratch, "a", file), "utf8"),
        );
      }
    } finally {
      await embedded.close();
      await neo4j.close();
    }
  });
});
