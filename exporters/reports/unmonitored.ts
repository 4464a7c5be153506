/**
 * The unmonitored services audit: every listening service that nothing
 * monitors and that no `nomon` rule excuses, by host, with the rule that would
 * monitor it (and why it does not yet) or why no rule applies.
 */
import type { Rule } from "../../cma/monitoring/types.js";
import { compareIds } from "../fields.js";
import type { ExportRecord } from "../records.js";
import { explainServices } from "./explain-records.js";

export interface UnmonitoredService {
  id: string;
  name: string | null;
  exe: string | null;
  argv: string[];
  user: string | null;
  listen: string[];
  /** The rules' verdict on it: partial, agent-missing, no-rule, or applied (a monitor is due). */
  verdict: string;
  /** The rule that would monitor it, when one matches. */
  rule: string | null;
  /** Why it is not monitored, in words. */
  reason: string;
}

export interface UnmonitoredHost {
  id: string;
  name: string;
  status: string | null;
  services: UnmonitoredService[];
}

export interface UnmonitoredReport {
  generated_at: string;
  totals: {
    hosts: number;
    listening_services: number;
    monitored: number;
    nomon: number;
    unmonitored: number;
  };
  hosts: UnmonitoredHost[];
}

const text = (value: unknown): string | null => (typeof value === "string" ? value : null);
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];

function groupBy(records: readonly ExportRecord[], field: string): Map<string, ExportRecord[]> {
  const groups = new Map<string, ExportRecord[]>();
  for (const record of records) {
    const key = text(record.fields[field]);
    if (key === null) continue;
    groups.set(key, [...(groups.get(key) ?? []), record]);
  }
  return groups;
}

function why(verdict: string, reason: string, unowned: boolean): string {
  if (unowned)
    return "no visible process holds these sockets (a kernel socket, or another namespace's)";
  if (verdict === "applied") return `${reason}, but the CMA has not set up its monitor yet`;
  return reason;
}

export function unmonitoredReport(
  records: readonly ExportRecord[],
  rules: readonly Rule[],
  flags: ReadonlySet<string>,
  at: string,
): UnmonitoredReport {
  const hosts = records.filter((r) => r.kind === "host");
  const services = records.filter((r) => r.kind === "service");
  const servicesByHost = groupBy(services, "host");
  const packagesByHost = groupBy(
    records.filter((r) => r.kind === "package"),
    "host",
  );
  const totals = {
    hosts: hosts.length,
    listening_services: services.length,
    monitored: services.filter((s) => s.fields.monitored === true).length,
    nomon: services.filter((s) => s.fields.nomon === true).length,
    unmonitored: 0,
  };
  const out: UnmonitoredHost[] = [];
  for (const host of hosts) {
    const own = servicesByHost.get(host.id) ?? [];
    const unmonitored = own.filter((s) => s.fields.monitored !== true && s.fields.nomon !== true);
    if (unmonitored.length === 0) continue;
    const explained = explainServices(rules, host, own, packagesByHost.get(host.id) ?? [], flags);
    const entries = unmonitored.map((service): UnmonitoredService => {
      const explanation = explained.get(service.id);
      const verdict = explanation?.verdict ?? "no-rule";
      const rule =
        explanation?.applied?.rule ??
        explanation?.partial[0]?.rule ??
        explanation?.agentMissing[0]?.rule ??
        null;
      return {
        id: service.id,
        name: text(service.fields.name),
        exe: text(service.fields.exe),
        argv: strings(service.fields.argv),
        user: text(service.fields.user),
        listen: strings(service.fields.listen),
        verdict,
        rule,
        reason: why(
          verdict,
          explanation?.reason ?? "no rule matched",
          service.fields.unowned === true,
        ),
      };
    });
    entries.sort((a, b) => compareIds(a.listen[0] ?? a.id, b.listen[0] ?? b.id));
    totals.unmonitored += entries.length;
    out.push({
      id: host.id,
      name: text(host.fields.hostname) ?? text(host.fields.name) ?? host.id,
      status: text(host.fields.status),
      services: entries,
    });
  }
  out.sort((a, b) => compareIds(a.name, b.name) || compareIds(a.id, b.id));
  return { generated_at: at, totals, hosts: out };
}
