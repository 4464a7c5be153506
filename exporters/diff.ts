/**
 * The diff engine: two record sets (the last successful export's and the
 * graph's now) → a change set of added, changed and removed records. A change
 * names each field that differs with its old and new value; nested objects
 * (a host's NICs, a switch's ports) are compared field by field, with the
 * path written like a JSON Pointer without the leading slash ("nics/eth0/mtu";
 * "~" and "/" inside a name are written "~0" and "~1"). Arrays are values:
 * a changed list of addresses is one change with the whole old and new list.
 */
import { compareIds } from "./fields.js";
import type { ExportRecord, FieldObject, FieldValue, RecordKind } from "./records.js";

export interface FieldChange {
  field: string;
  old: FieldValue;
  new: FieldValue;
}

export interface RecordChange {
  id: string;
  kind: RecordKind;
  fields: FieldChange[];
}

/** Every list sorted by id; a change's fields sorted by path. */
export interface ChangeSet {
  added: ExportRecord[];
  changed: RecordChange[];
  removed: ExportRecord[];
}

export const isObject = (value: FieldValue | undefined): value is FieldObject =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/** Deep equality: arrays item by item, objects with the same keys and equal values. */
export function sameValue(a: FieldValue | undefined, b: FieldValue | undefined): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    if (!Object.hasOwn(b, key) || !sameValue(a[key], b[key])) return false;
  }
  return true;
}

/** One segment of a field path, escaped as in a JSON Pointer. */
export const pathSegment = (name: string) => name.replaceAll("~", "~0").replaceAll("/", "~1");

/** The fields that differ between two field objects; an absent field counts as null. */
export function fieldChanges(before: FieldObject, after: FieldObject, prefix = ""): FieldChange[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort(compareIds);
  const changes: FieldChange[] = [];
  for (const name of names) {
    const old = before[name] ?? null;
    const now = after[name] ?? null;
    const field = `${prefix}${pathSegment(name)}`;
    if (isObject(old) && isObject(now)) {
      changes.push(...fieldChanges(old, now, `${field}/`));
    } else if (!sameValue(old, now)) {
      changes.push({ field, old, new: now });
    }
  }
  return changes;
}

export function diffRecords(
  before: readonly ExportRecord[],
  after: readonly ExportRecord[],
): ChangeSet {
  const previous = new Map(before.map((r) => [r.id, r]));
  const current = new Set(after.map((r) => r.id));
  const changes: ChangeSet = { added: [], changed: [], removed: [] };
  for (const record of after) {
    const old = previous.get(record.id);
    if (!old) {
      changes.added.push(record);
      continue;
    }
    // Most records did not change: a plain comparison is far cheaper than listing field changes.
    if (sameValue(old.fields, record.fields)) continue;
    const fields = fieldChanges(old.fields, record.fields);
    if (fields.length > 0) changes.changed.push({ id: record.id, kind: record.kind, fields });
  }
  for (const record of before) if (!current.has(record.id)) changes.removed.push(record);
  const byId = (a: { id: string }, b: { id: string }) => compareIds(a.id, b.id);
  changes.added.sort(byId);
  changes.changed.sort(byId);
  changes.removed.sort(byId);
  return changes;
}

export const isEmptyChangeSet = (changes: ChangeSet) =>
  changes.added.length + changes.changed.length + changes.removed.length === 0;

/** How many records each list holds, for logs. */
export function changeCounts(changes: ChangeSet): {
  added: number;
  changed: number;
  removed: number;
} {
  return {
    added: changes.added.length,
    changed: changes.changed.length,
    removed: changes.removed.length,
  };
}
