/**
 * The change set in ITIL form (itil/changes.json): one change record per
 * changed field, added CI or removed CI, naming the CI as the IRE payload
 * does (class and internal id), with the old and new values as text and the
 * window in which the change happened (after `since`, by `at`). A change
 * under a host's `nics/<name>/…` is a change of that network adapter.
 */
import type { ChangeSet } from "../diff.js";
import type { ExportContext } from "../exporter.js";
import type { ExportRecord, FieldValue, RecordKind } from "../records.js";
import { serverClass } from "./servicenow.js";
import { asText, hostName, objectOf, textOf } from "./values.js";

export interface ChangeRecord {
  operation: "INSERT" | "UPDATE" | "DELETE";
  className: string;
  /** The CI's internal id in servicenow.json (or the record id for what is no CI there). */
  ci: string;
  name: string;
  /** The export record the change is about. */
  record: string;
  /** The changed field (a path under the CI for a nested value); null for INSERT/DELETE. */
  field: string | null;
  old: string | null;
  new: string | null;
  detected_after: string | null;
  detected_by: string;
}

const CLASS_OF: Record<RecordKind, string> = {
  host: "cmdb_ci_linux_server",
  switch: "cmdb_ci_ip_switch",
  service: "cmdb_ci_appl",
  dependency: "cmdb_rel_ci",
  package: "cmdb_ci_spkg",
};

function nameOf(record: ExportRecord): string {
  const f = record.fields;
  if (record.kind === "host") return hostName(record);
  if (record.kind === "dependency") {
    return `${textOf(f.client_name) ?? "?"} -> ${textOf(f.server_name) ?? "?"} ${textOf(f.proto) ?? ""}/${f.port ?? ""}`;
  }
  return textOf(f.name) ?? textOf(f.chassis_id) ?? record.id;
}

/** The record's CI class as servicenow.json has it. */
const classOf = (record: ExportRecord) =>
  record.kind === "host" ? serverClass(record) : CLASS_OF[record.kind];

function isLoopback(host: ExportRecord | undefined, ifname: string, old: FieldValue): boolean {
  const nic = objectOf(objectOf(host?.fields.nics)?.[ifname]) ?? objectOf(old);
  return nic?.kind === "loopback";
}

const segmentName = (segment: string) => segment.replaceAll("~1", "/").replaceAll("~0", "~");

export function changeRecords(
  records: readonly ExportRecord[],
  changes: ChangeSet,
  context: ExportContext,
): ChangeRecord[] {
  const byId = new Map(records.map((r) => [r.id, r]));
  const when = { detected_after: context.since, detected_by: context.at };
  const whole = (record: ExportRecord, operation: "INSERT" | "DELETE"): ChangeRecord => ({
    operation,
    className: classOf(record),
    ci: record.id,
    name: nameOf(record),
    record: record.id,
    field: null,
    old: null,
    new: null,
    ...when,
  });
  const out: ChangeRecord[] = changes.added.map((r) => whole(r, "INSERT"));
  for (const change of changes.changed) {
    const current = byId.get(change.id);
    const name = current ? nameOf(current) : change.id;
    for (const field of change.fields) {
      const match = change.kind === "host" ? /^nics\/([^/]+)(?:\/(.+))?$/.exec(field.field) : null;
      const named = match?.[1] === undefined ? undefined : segmentName(match[1]);
      // A loopback interface is no CI of its own (servicenow.ts leaves it out): a host change.
      const nic = named !== undefined && !isLoopback(current, named, field.old) ? match : null;
      const ifname = nic ? named : undefined;
      // A whole NIC that appears or goes is an adapter added or removed.
      const whole = ifname !== undefined && nic?.[2] === undefined;
      out.push({
        operation:
          whole && field.old === null
            ? "INSERT"
            : whole && field.new === null
              ? "DELETE"
              : "UPDATE",
        className:
          ifname !== undefined
            ? "cmdb_ci_network_adapter"
            : current
              ? classOf(current)
              : CLASS_OF[change.kind],
        ci: ifname === undefined ? change.id : `nic:${change.id}/${ifname}`,
        name: ifname === undefined ? name : `${ifname}@${name}`,
        record: change.id,
        field: ifname === undefined ? field.field : (nic?.[2] ?? null),
        old: asText(field.old),
        new: asText(field.new),
        ...when,
      });
    }
  }
  out.push(...changes.removed.map((r) => whole(r, "DELETE")));
  return out;
}
