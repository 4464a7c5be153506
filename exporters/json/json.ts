/**
 * The `json` format: every record (OUT/json/records.json) and the changes
 * since the last successful export (OUT/json/changes.json), canonical JSON.
 */
import { canonicalJsonChunks } from "../canonical-json.js";
import { ChunkedText, type Exporter } from "../exporter.js";

export const jsonExporter: Exporter = {
  name: "json",
  description: "all records and the change set as JSON (records.json, changes.json)",
  render(records, changes, context) {
    return {
      "records.json": new ChunkedText(() =>
        canonicalJsonChunks({ exported_at: context.at, records }),
      ),
      "changes.json": new ChunkedText(() =>
        canonicalJsonChunks({ since: context.since, at: context.at, ...changes }),
      ),
    };
  },
};
