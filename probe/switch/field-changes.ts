/**
 * What changed between two versions of a neighbour, field by field, as dotted
 * paths ("port.vlan_id"). Objects are walked; arrays and scalars are compared
 * whole (a VLAN list that changed is one change, not one per index).
 */
import { isDeepStrictEqual } from "node:util";

export interface FieldChange {
  field: string;
  /** Absent when the field is new. */
  before?: unknown;
  /** Absent when the field went away. */
  after?: unknown;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function fieldChanges(before: unknown, after: unknown, path = ""): FieldChange[] {
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) =>
      fieldChanges(before[key], after[key], path === "" ? key : `${path}.${key}`),
    );
  }
  if (isDeepStrictEqual(before, after)) return [];
  const change: FieldChange = { field: path };
  if (before !== undefined) change.before = before;
  if (after !== undefined) change.after = after;
  return [change];
}
