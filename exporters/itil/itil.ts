/**
 * The `itil` format (OUT/itil/: servicenow.json, changes.json, csv/*.csv)
 * and the `glpi` format (OUT/glpi/<host>.json, OUT/glpi/switches/<switch>.json).
 */
import { ChunkedText, type Exporter } from "../exporter.js";
import { indentedJsonChunks } from "../json-chunks.js";
import { changeRecords } from "./changes.js";
import { csvFiles } from "./csv-classes.js";
import { computerDocument, switchDocument } from "./glpi.js";
import { fileStems } from "./names.js";
import { irePayload } from "./servicenow.js";
import { byHost, hostName, textOf } from "./values.js";

/**
 * JSON as built, indented: the IRE payload's item order matters (relations
 * index into items), and the change records are built with their keys in a
 * fixed order already, so no canonical key sort (costly on large exports).
 */
const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export const itilExporter: Exporter = {
  name: "itil",
  description:
    "ServiceNow IRE payload (servicenow.json), ITIL change records (changes.json) and CSV per CI class (csv/)",
  render(records, changes, context) {
    const payload = irePayload(records, context.at);
    const changeList = changeRecords(records, changes, context);
    return {
      "servicenow.json": new ChunkedText(() => indentedJsonChunks({ ...payload })),
      "changes.json": new ChunkedText(() =>
        indentedJsonChunks({ since: context.since, at: context.at, changes: changeList }),
      ),
      ...csvFiles(payload, changeList),
    };
  },
};

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
