/**
 * The `json` format: every record (OUT/json/records.json) and the changes
 * since the last successful export (OUT/json/changes.json), canonical JSON.
 */
import type { Exporter } from "../exporter.js";
import { canonicalJson } from "../records.js";

export const jsonExporter: Exporter = {
  name: "json",
  description: "all records and the change set as JSON (records.json, changes.json)",
  render(records, changes, context) {
    return {
      "records.json": canonicalJson({ exported_at: context.at, records }),
      "changes.json": canonicalJson({ since: context.since, at: context.at, ...changes }),
    };
  },
};
