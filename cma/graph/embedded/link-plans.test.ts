/**
 * Linking one host must cost the same whatever the fleet's size: every
 * statement of linkDependencies reaches the rows it needs through an index.
 * SQLite's plans (EXPLAIN QUERY PLAN) on a store with a few hosts are the
 * evidence: a full read of IPPorts, IPAddrs or DEPENDS_ON (an index searched
 * by label or type alone) is what made ingest slow down as the graph grew.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostDocuments } from "../../../bench/ingest/fleet.js";
import { ingestDocument } from "../../ingest/ingest.js";
import {
  MATCH_AS_CLIENT,
  MATCH_AS_SERVER,
  PROCESS_DEPS_OF_SYSTEM,
  SYSTEM_DEPS_OF_SYSTEM,
} from "./link.js";
import { GRAPH_FILE, openEmbeddedStore } from "./store.js";

const HOSTS = 6;

describe("the embedded store's dependency linking", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "assim-link-plans-"));
  let db: Database.Database;
  let sys: number;

  beforeAll(async () => {
    const store = await openEmbeddedStore({ dataDir });
    for (let n = 0; n < HOSTS; n++) {
      for (const doc of hostDocuments(n, HOSTS, "2026-03-01T10:00:00.000Z")) {
        await ingestDocument(store, doc);
      }
    }
    await store.close();
    db = new Database(join(dataDir, GRAPH_FILE), { readonly: true });
    sys = db
      .prepare("SELECT id FROM nodes WHERE label = 'System' ORDER BY id LIMIT 1")
      .pluck()
      .get() as number;
  });

  afterAll(() => {
    db?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const plan = (sql: string) =>
    (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ sys }) as { detail: string }[]).map(
      (row) => row.detail,
    );
  /** A step that reads a whole label's nodes or a whole type's relationships, or a table. */
  const wholeReads = (steps: string[]) =>
    steps.filter(
      (s) =>
        /^SCAN (nodes|rels)\b/.test(s) ||
        /USING (COVERING )?INDEX \w+ \((label|type)=\?\)$/.test(s),
    );

  it("finds matches as client and as server through indexes only, and finds some", () => {
    for (const sql of [MATCH_AS_CLIENT, MATCH_AS_SERVER]) {
      expect(wholeReads(plan(sql))).toEqual([]);
      expect(db.prepare(sql).all({ sys }).length).toBeGreaterThan(0);
    }
    expect(plan(MATCH_AS_CLIENT).join("\n")).toContain("USING INDEX ipport_by_system");
    expect(plan(MATCH_AS_SERVER).join("\n")).toContain("USING INDEX ipaddr_by_system");
  });

  it("reads a host's own DEPENDS_ON by their ends, not every DEPENDS_ON in the graph", () => {
    for (const where of [PROCESS_DEPS_OF_SYSTEM, SYSTEM_DEPS_OF_SYSTEM]) {
      const select = `SELECT r.id FROM rels AS r WHERE ${where} AND r.gone_since IS NULL`;
      expect(wholeReads(plan(select))).toEqual([]);
      expect(db.prepare(select).all({ sys }).length).toBeGreaterThan(0);
    }
  });
});
