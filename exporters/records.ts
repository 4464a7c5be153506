/**
 * Canonical export records: what every exporter reads. A snapshot of the live
 * graph becomes hosts, switches, services, dependencies and packages, each
 * with a stable id, sorted by id, so that the same graph always gives the same
 * records, byte for byte once serialized with canonicalJson().
 */
import type { GraphSnapshot, GraphStore } from "../cma/graph/store.js";
import { inCanonicalOrder } from "./canonical-json.js";
import { compareIds } from "./fields.js";
import { LiveGraph } from "./graph-view.js";
import { dependencyRecords, serviceRecords } from "./map-services.js";
import { hostRecords, packageRecords, switchRecords } from "./map-systems.js";

export { canonicalJson } from "./canonical-json.js";
export { compareIds };

/** A field value: JSON, with null for "not known". */
export type FieldValue = null | boolean | number | string | FieldValue[] | FieldObject;
export interface FieldObject {
  [name: string]: FieldValue;
}

export const RECORD_KINDS = ["host", "switch", "service", "dependency", "package"] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

export interface ExportRecord {
  /** Stable identity, prefixed by the kind: "host:<machine id>", "service:<machine id>:<hash>"… */
  id: string;
  kind: RecordKind;
  fields: FieldObject;
}

/** The records of a snapshot: live nodes and relationships only, sorted by id. */
export function recordsFromSnapshot(snapshot: GraphSnapshot): ExportRecord[] {
  const graph = new LiveGraph(snapshot);
  // Keys in canonical order from the start: serializing them is then JSON.stringify's own.
  const records = [
    ...hostRecords(graph),
    ...switchRecords(graph),
    ...serviceRecords(graph),
    ...dependencyRecords(graph),
    ...packageRecords(graph),
  ].map(inCanonicalOrder);
  records.sort((a, b) => compareIds(a.id, b.id));
  for (let i = 1; i < records.length; i++) {
    if (records[i]?.id === records[i - 1]?.id) {
      throw new Error(`two export records have the id ${records[i]?.id}`);
    }
  }
  return records;
}

/** Reads the live graph (one consistent read: liveSnapshot) and maps it to records. */
export async function readRecords(store: GraphStore): Promise<ExportRecord[]> {
  return recordsFromSnapshot(await store.liveSnapshot());
}

/** A value with every object's keys sorted: the canonical form written to files. */
export function canonical<T>(value: T): T {
  if (Array.isArray(value)) return value.map(canonical) as T;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      compareIds(a, b),
    );
    return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v)])) as T;
  }
  return value;
}
