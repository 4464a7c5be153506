/**
 * What the itil exporter tests share: stores in a scratch directory, the
 * world they export (the fixture world, web1 heard on sw1, optionally the
 * hostile host of test/support/ansible.ts), and the two judges: our IRE schema
 * (ajv, strict) and GLPI's published inventory schema from the shared
 * reference (ajv with strict off plus ajv-formats, as its README says).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, expect } from "vitest";
import {
  AT,
  copy,
  ingestAll,
  ingestFixtureWorld,
  switchDocument,
} from "../../cma/graph/contract/support.js";
import { openEmbeddedStore } from "../../cma/graph/embedded/store.js";
import type { GraphStore } from "../../cma/graph/store.js";
import { ingestDocument } from "../../cma/ingest/ingest.js";
import { glpiExporter, itilExporter } from "../../exporters/itil/itil.js";
import type { IrePayload } from "../../exporters/itil/servicenow.js";
import { readRecords } from "../../exporters/records.js";
import { runExport } from "../../exporters/run.js";
import { packageRoot } from "../../lib/package-root.js";
import { hostileDocuments } from "./ansible.js";

export interface Scratch {
  store: GraphStore;
  out: string;
}

/** A function giving a fresh embedded store and an output directory; all closed and removed after the file. */
export function useStores(prefix: string): () => Promise<Scratch> {
  const scratch = mkdtempSync(join(tmpdir(), prefix));
  const open: GraphStore[] = [];
  let made = 0;
  afterEach(async () => {
    for (const store of open.splice(0)) await store.close();
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  return async () => {
    const n = ++made;
    const store = await openEmbeddedStore({ dataDir: join(scratch, `store-${n}`) });
    open.push(store);
    return { store, out: join(scratch, `out-${n}`) };
  };
}

/** Ingests the world (hostile host included when asked) and exports itil and glpi into `out`. */
export async function exportWorld({ store, out }: Scratch, hostile: boolean) {
  await ingestFixtureWorld(store);
  await ingestDocument(store, copy(switchDocument(), AT));
  if (hostile) await ingestAll(store, hostileDocuments());
  const summary = await runExport({ store, outDir: out, formats: [itilExporter, glpiExporter] });
  return { out, summary, records: await readRecords(store) };
}

/**
 * The project's shared reference beside the repository (../shared/reference,
 * as CI lays it out): GLPI's published inventory schema and one of its example
 * documents (glpi/), and an IRE payload composed from ServiceNow's
 * documentation (samples/).
 */
const reference = (path: string) =>
  JSON.parse(readFileSync(join(packageRoot(), "..", "shared", "reference", path), "utf8"));

type Ajv = typeof import("ajv");
const require = createRequire(import.meta.url);

export function ireValidator() {
  const { Ajv } = require("ajv") as Ajv;
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
  const schema = JSON.parse(
    readFileSync(join(packageRoot(), "schemas", "servicenow-ire.schema.json"), "utf8"),
  );
  return ajv.compile(schema);
}

export function glpiValidator() {
  const { Ajv } = require("ajv") as Ajv;
  const addFormats = require("ajv-formats") as typeof import("ajv-formats").default;
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(reference("glpi/inventory.schema.json"));
}

export const ireExample = () => reference("samples/servicenow-ire-example.json");
export const glpiExample = () => reference("glpi/example-computer.json");

/** The payload follows our schema, and what a schema cannot say: relations index items, ids are unique. */
export function checkIre(payload: IrePayload) {
  const validate = ireValidator();
  expect(validate(payload), JSON.stringify(validate.errors)).toBe(true);
  const ids = payload.items.map((i) => i.internal_id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const r of payload.relations) {
    expect(r.parent).toBeLessThan(payload.items.length);
    expect(r.child).toBeLessThan(payload.items.length);
  }
  for (const r of payload.referenceItems) {
    expect(ids).toContain(r.referenced);
    expect(ids).toContain(r.referencedBy);
  }
}

export function checkGlpi(document: unknown) {
  const validate = glpiValidator();
  expect(validate(document), JSON.stringify(validate.errors)).toBe(true);
}
