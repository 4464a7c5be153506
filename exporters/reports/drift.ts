/**
 * The drift report: every change between two exports (or since a chosen
 * baseline, from the drift feed), sorted into what an auditor asks about:
 * hosts down and up, services and ports appearing and disappearing, packages,
 * NICs and addresses, switch ports (VLAN, MTU, speed), dependencies and
 * monitoring states, each with when it was seen.
 */
import { compareIds } from "../fields.js";
import type { ExportRecord, FieldValue } from "../records.js";
import type { DriftLine } from "../state.js";

export const DRIFT_CATEGORIES = [
  ["hosts", "Hosts down, up, appeared or gone"],
  ["services", "Services and ports appearing and disappearing"],
  ["monitoring", "Monitoring states"],
  ["packages", "Packages installed, removed or changed"],
  ["network", "NICs and IP addresses"],
  ["switches", "Switches and switch ports (VLAN, MTU, speed)"],
  ["dependencies", "Service dependencies"],
  ["facts", "Other host and switch facts"],
] as const;
export type DriftCategory = (typeof DRIFT_CATEGORIES)[number][0];

export interface DriftEntry {
  /** When the export that saw it ran; the change happened after `since`. */
  at: string;
  since: string | null;
  /** The exact time when the graph knows it (a host's or switch's status_since). */
  when: string | null;
  id: string;
  /** The host or switch it concerns, by name. */
  subject: string;
  change: DriftLine["change"];
  /** What changed, in words: "service nginx tcp/0.0.0.0:80", "nics/eth0/mtu". */
  what: string;
  old: FieldValue;
  new: FieldValue;
}

export interface DriftReport {
  generated_at: string;
  /** The earliest `since` of the entries: the baseline. */
  since: string | null;
  total: number;
  categories: { name: DriftCategory; title: string; entries: DriftEntry[] }[];
}

const text = (value: unknown): string | null => (typeof value === "string" ? value : null);

/** Names of hosts and switches by record id, from the current records and the removed ones. */
export function namesOf(records: Iterable<ExportRecord>): Map<string, string> {
  const names = new Map<string, string>();
  for (const r of records) {
    if (r.kind !== "host" && r.kind !== "switch") continue;
    names.set(r.id, text(r.fields.hostname) ?? text(r.fields.name) ?? r.id);
  }
  return names;
}

function owner(line: DriftLine): string | null {
  if (line.kind === "host" || line.kind === "switch") return line.id;
  if (line.kind === "dependency") return text(line.fields?.client_host);
  return text(line.fields?.host);
}

/** A host id from a service/package/dependency id: "service:<machine>:<hash>" → "host:<machine>". */
function hostOfId(id: string): string | null {
  const parts = id.split(":");
  return parts.length >= 2 ? `host:${parts[1]}` : null;
}

function categorize(line: DriftLine): DriftCategory {
  const field = line.field ?? "";
  switch (line.kind) {
    case "host":
      if (line.change !== "changed" || field.startsWith("status")) return "hosts";
      if (field.startsWith("nics")) return "network";
      return "facts";
    case "switch":
      return "switches";
    case "service":
      return field.startsWith("monitor") || field === "monitored" || field === "nomon"
        ? "monitoring"
        : "services";
    case "package":
      return "packages";
    case "dependency":
      return "dependencies";
  }
}

function describe(line: DriftLine): string {
  const f = line.fields;
  switch (line.kind) {
    case "service": {
      const name = text(f?.name) ?? "";
      const listen = Array.isArray(f?.listen) ? (f.listen as string[]).join(" ") : "";
      return line.change === "changed"
        ? `service ${line.field}`
        : `service ${name} ${listen}`.trim();
    }
    case "package":
      return line.change === "changed"
        ? `package ${line.id.split(":").slice(3, 4).join("")} ${line.field}`
        : `package ${text(f?.name) ?? line.id} ${Array.isArray(f?.versions) ? f.versions.join(", ") : ""}`.trim();
    case "dependency":
      return `uses ${text(f?.server_name) ?? "?"} on ${text(f?.proto) ?? "?"}/${String(f?.port ?? "?")}`;
    default:
      return line.change === "changed" ? (line.field ?? "") : `${line.kind} ${line.change}`;
  }
}

/** When a status change happened: the status_since that the same export saw change with it. */
function statusTimes(lines: readonly DriftLine[]): Map<string, string> {
  const times = new Map<string, string>();
  for (const line of lines) {
    const value = text(line.new);
    if (line.field === "status_since" && value !== null) times.set(`${line.at} ${line.id}`, value);
  }
  return times;
}

export function driftReport(
  lines: readonly DriftLine[],
  names: ReadonlyMap<string, string>,
  at: string,
): DriftReport {
  const times = statusTimes(lines);
  const byCategory = new Map<DriftCategory, DriftEntry[]>();
  let since: string | null = null;
  for (const line of lines) {
    if (line.since !== null && (since === null || line.since < since)) since = line.since;
    // Its value is the `when` of the status change beside it.
    if (line.field === "status_since") continue;
    const subjectId = owner(line) ?? hostOfId(line.id) ?? line.id;
    const when =
      line.field === "status"
        ? (times.get(`${line.at} ${line.id}`) ?? null)
        : line.change !== "changed" && (line.kind === "host" || line.kind === "switch")
          ? text(line.fields?.status_since)
          : null;
    const entry: DriftEntry = {
      at: line.at,
      since: line.since,
      when,
      id: line.id,
      subject: names.get(subjectId) ?? subjectId,
      change: line.change,
      what: describe(line),
      old: line.change === "changed" ? (line.old ?? null) : null,
      new: line.change === "changed" ? (line.new ?? null) : null,
    };
    const category = categorize(line);
    const entries = byCategory.get(category);
    if (entries) entries.push(entry);
    else byCategory.set(category, [entry]);
  }
  const categories = DRIFT_CATEGORIES.map(([name, title]) => ({
    name,
    title,
    entries: (byCategory.get(name) ?? []).sort(
      (a, b) =>
        compareIds(a.at, b.at) || compareIds(a.subject, b.subject) || compareIds(a.what, b.what),
    ),
  })).filter((c) => c.entries.length > 0);
  return { generated_at: at, since, total: lines.length, categories };
}
