/**
 * The `itil` format (OUT/itil/: servicenow.json, the same payload in batches
 * servicenow/batch-NNNN.json, changes.json, csv/*.csv)
 * and the `glpi` format (OUT/glpi/<host>.json, OUT/glpi/switches/<switch>.json).
 */
import { ChunkedText, type Exporter, type RenderedFiles } from "../exporter.js";
import { indentedJsonChunks } from "../json-chunks.js";
import { changeRecords } from "./changes.js";
import { csvFiles } from "./csv-classes.js";
import { computerDocument, switchDocument } from "./glpi.js";
import { ireBatches } from "./ire-batches.js";
import { fileStems } from "./names.js";
import { irePayload } from "./servicenow.js";
import { byHost, hostName, textOf } from "./values.js";

/**
 * JSON as built, indented: the IRE payload's item order matters (relations
 * index into items), and the change records are built with their keys in a
 * fixed order already, so no canonical key sort (costly on large exports).
 */
const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export interface ItilOptions {
  /** Items per IRE batch file (servicenow/batch-NNNN.json); default IRE_BATCH_ITEMS. */
  ireBatchItems?: number;
}

/** "servicenow/batch-0001.json" for the first batch. */
export const ireBatchFile = (n: number) =>
  `servicenow/batch-${String(n + 1).padStart(4, "0")}.json`;

export function itilFormat(options: ItilOptions = {}): Exporter {
  return {
    name: "itil",
    description:
      "ServiceNow IRE payload (servicenow.json, and in batches: servicenow/batch-NNNN.json), ITIL change records (changes.json) and CSV per CI class (csv/)",
    render(records, changes, context) {
      const payload = irePayload(records, context.at);
      const changeList = changeRecords(records, changes, context);
      const files: RenderedFiles = {
        "servicenow.json": new ChunkedText(() => indentedJsonChunks({ ...payload })),
        "changes.json": new ChunkedText(() =>
          indentedJsonChunks({ since: context.since, at: context.at, changes: changeList }),
        ),
        ...csvFiles(payload, changeList),
      };
      ireBatches(payload, options.ireBatchItems).forEach((batch, n) => {
        files[ireBatchFile(n)] = json(batch);
      });
      return files;
    },
  };
}

export const itilExporter: Exporter = itilFormat();

export const glpiExporter: Exporter = {
  name: "glpi",
  description:
    "GLPI native inventory documents: one Computer per host, one NetworkEquipment per switch",
  render(records) {
    const files: Record<string, string> = {};
    const hosts = records.filter((r) => r.kind === "host");
    const switches = records.filter((r) => r.kind === "switch");
    const packages = byHost(records, "package");
    const hostStems = fileStems(hosts.map((h) => ({ id: h.id, name: hostName(h) })));
    for (const host of hosts) {
      files[`${hostStems.get(host.id)}.json`] = json(
        computerDocument(host, packages.get(host.id) ?? []),
      );
    }
    const byId = new Map(hosts.map((h) => [h.id, h]));
    const switchStems = fileStems(
      switches.map((s) => ({ id: s.id, name: textOf(s.fields.name) ?? s.id })),
    );
    for (const sw of switches) {
      files[`switches/${switchStems.get(sw.id)}.json`] = json(switchDocument(sw, byId));
    }
    return files;
  },
};
