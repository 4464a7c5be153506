/**
 * The IRE payload and the change records as CSV: one file per CI class
 * (csv/<class>.csv: internal_id, then every field any item of the class has,
 * sorted; a related entry such as a host's software has parent_id instead),
 * csv/relations.csv (parent, type, child by internal id and class)
 * and csv/changes.csv. For CMDBs fed by import sets or spreadsheets.
 */
import { compareIds } from "../fields.js";
import type { ChangeRecord } from "./changes.js";
import { csvDocument } from "./csv.js";
import type { IrePayload } from "./servicenow.js";

export const CHANGE_COLUMNS = [
  "operation",
  "className",
  "ci",
  "name",
  "record",
  "field",
  "old",
  "new",
  "detected_after",
  "detected_by",
] as const;

export function csvFiles(payload: IrePayload, changes: readonly ChangeRecord[]) {
  const files: Record<string, string> = {};
  const byClass = new Map<string, IrePayload["items"]>();
  for (const item of payload.items) {
    const list = byClass.get(item.className) ?? [];
    list.push(item);
    byClass.set(item.className, list);
  }
  for (const [className, items] of [...byClass].sort(([a], [b]) => compareIds(a, b))) {
    const fields = [...new Set(items.flatMap((i) => Object.keys(i.values)))].sort(compareIds);
    files[`csv/${className}.csv`] = csvDocument(
      ["internal_id", ...fields],
      items.map((i) => ({ internal_id: i.internal_id, ...i.values })),
    );
  }
  // Related entries (a host's software) have no id of their own: their parent's.
  const related = new Map<string, Record<string, string>[]>();
  for (const item of payload.items) {
    for (const entry of item.related ?? []) {
      const list = related.get(entry.className) ?? [];
      list.push({ parent_id: item.internal_id, ...entry.values });
      related.set(entry.className, list);
    }
  }
  for (const [className, rows] of [...related].sort(([a], [b]) => compareIds(a, b))) {
    const fields = [...new Set(rows.flatMap((r) => Object.keys(r)))]
      .filter((f) => f !== "parent_id")
      .sort(compareIds);
    files[`csv/${className}.csv`] = csvDocument(["parent_id", ...fields], rows);
  }
  files["csv/relations.csv"] = csvDocument(
    ["parent_id", "parent_class", "type", "child_id", "child_class"],
    payload.relations.map((r) => {
      const parent = payload.items[r.parent];
      const child = payload.items[r.child];
      return {
        parent_id: parent?.internal_id,
        parent_class: parent?.className,
        type: r.type,
        child_id: child?.internal_id,
        child_class: child?.className,
      };
    }),
  );
  files["csv/changes.csv"] = csvDocument(
    CHANGE_COLUMNS,
    changes.map((c) => ({ ...c })),
  );
  return files;
}
