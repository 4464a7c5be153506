/** The json format's files, checked against schemas/export-records.schema.json. */

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  AT,
  copy,
  fixtureDocument,
  ingestFixtureWorld,
  LATER,
  processKeyOf,
  SYSTEM,
  switchDocument,
} from "../../cma/graph/contract/support.js";
import { openEmbeddedStore } from "../../cma/graph/embedded/store.js";
import { ingestDocument } from "../../cma/ingest/ingest.js";
import { packageRoot } from "../../lib/package-root.js";
import { runExport } from "../run.js";
import { jsonExporter } from "./json.js";

const scratch = mkdtempSync(join(tmpdir(), "assim-json-export-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function validators() {
  const { Ajv } = createRequire(import.meta.url)("ajv") as typeof import("ajv");
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
  const schema = JSON.parse(
    readFileSync(join(packageRoot(), "schemas", "export-records.schema.json"), "utf8"),
  );
  ajv.addSchema(schema);
  const id = "export-records.schema.json";
  return {
    records: ajv.compile({ $ref: id }),
    changes: ajv.compile({ $ref: `${id}#/definitions/changes` }),
    drift: ajv.compile({ $ref: `${id}#/definitions/driftLine` }),
  };
}

describe("json format", () => {
  it("writes records, changes and drift lines that follow the export records schema", async () => {
    const validate = validators();
    const store = await openEmbeddedStore({ dataDir: join(scratch, "data") });
    const out = join(scratch, "out");
    const check = (name: "records" | "changes" | "drift", value: unknown) => {
      const ok = validate[name](value);
      expect(
        validate[name].errors ?? [],
        `${name}: ${JSON.stringify(value).slice(0, 200)}`,
      ).toEqual([]);
      expect(ok).toBe(true);
    };
    try {
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
              props: { rule: "http", class: "nagios", params: ["H=x"] },
            },
          ],
          AT,
        ),
      );
      await runExport({ store, outDir: out, formats: [jsonExporter], now: () => new Date(LATER) });
      // Something of every kind changes or goes for the second export.
      const tcp = copy(fixtureDocument("web1", "tcpdiscovery"), "2026-03-01T12:00:00.000Z");
      delete (tcp.data as Record<string, unknown>)["redis-server:2a3b4c5d6e7f"];
      await ingestDocument(store, tcp);
      await store.write((tx) =>
        tx.setSystemStatus(SYSTEM.db1, "down", "heartbeat lost", "2026-03-01T12:00:00.000Z"),
      );
      await runExport({
        store,
        outDir: out,
        formats: [jsonExporter],
        now: () => new Date("2026-03-01T13:00:00.000Z"),
      });

      const records = JSON.parse(readFileSync(join(out, "json", "records.json"), "utf8"));
      check("records", records);
      expect(new Set(records.records.map((r: { kind: string }) => r.kind))).toEqual(
        new Set(["host", "switch", "service", "dependency", "package"]),
      );
      const changes = JSON.parse(readFileSync(join(out, "json", "changes.json"), "utf8"));
      check("changes", changes);
      expect(changes.changed.length).toBeGreaterThan(0);
      expect(changes.removed.length).toBeGreaterThan(0);
      const lines = readFileSync(join(out, "drift.jsonl"), "utf8").trim().split("\n");
      for (const line of lines) check("drift", JSON.parse(line));
      expect(new Set(lines.map((l) => JSON.parse(l).change))).toEqual(
        new Set(["added", "changed", "removed"]),
      );
      // The schema is not a formality: a stray field, a wrong kind or a bad time fail it.
      const host = records.records.find((r: { kind: string }) => r.kind === "host");
      for (const broken of [
        { ...host, fields: { ...host.fields, extra: 1 } },
        { ...host, kind: "switch" },
        { ...host, fields: { ...host.fields, status: "sideways" } },
      ]) {
        expect(validate.records({ exported_at: records.exported_at, records: [broken] })).toBe(
          false,
        );
      }
      expect(validate.records({ exported_at: "yesterday", records: [] })).toBe(false);
      expect(validate.drift({ ...JSON.parse(lines[0] as string), change: "changed" })).toBe(false);
      // Sorted keys, two-space indentation, a final newline: the same graph gives the same bytes.
      expect(readFileSync(join(out, "json", "records.json"), "utf8")).toBe(
        `${JSON.stringify(records, null, 2)}\n`,
      );
    } finally {
      await store.close();
    }
  });
});
