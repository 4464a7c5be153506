/**
 * The exporters' metrics. Exports run in whichever process schedules them
 * (`assim export --every`, or beside the CMA), so they are recorded by the
 * caller: recordExport after each run.
 */
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { ExportSummary } from "../../exporters/run.js";
import { METRIC_PREFIX } from "./registry.js";

const EXPORT_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
const CHANGE_KINDS = ["added", "changed", "removed"] as const;

export class ExportMetrics {
  readonly duration: Histogram;
  readonly exports: Counter<"outcome">;
  readonly changes: Counter<"kind">;
  readonly records: Gauge;
  readonly lastSuccess: Gauge;

  constructor(readonly registry: Registry) {
    const registers = [registry];
    const name = (suffix: string) => `${METRIC_PREFIX}${suffix}`;
    this.duration = new Histogram({
      name: name("export_duration_seconds"),
      help: "Duration of each successful export (read the graph, diff, render, write)",
      buckets: EXPORT_BUCKETS,
      registers,
    });
    this.exports = new Counter({
      name: name("exports_total"),
      help: "Exports run, by outcome (ok, failed)",
      labelNames: ["outcome"],
      registers,
    });
    this.exports.inc({ outcome: "ok" }, 0);
    this.exports.inc({ outcome: "failed" }, 0);
    this.changes = new Counter({
      name: name("export_changes_total"),
      help: "Record changes the exports found since the previous successful export, by kind",
      labelNames: ["kind"],
      registers,
    });
    for (const kind of CHANGE_KINDS) this.changes.inc({ kind }, 0);
    this.records = new Gauge({
      name: name("export_records"),
      help: "Records in the last successful export",
      registers,
    });
    this.lastSuccess = new Gauge({
      name: name("export_last_success_timestamp_seconds"),
      help: "When the last successful export ran (its export time), in Unix seconds",
      registers,
    });
  }
}

/** Records one export: its summary when it succeeded, anything else (the error) as a failure. */
export function recordExport(metrics: ExportMetrics, summary: ExportSummary): void;
export function recordExport(metrics: ExportMetrics, error: unknown): void;
export function recordExport(metrics: ExportMetrics, result: unknown): void {
  if (!isSummary(result)) {
    metrics.exports.inc({ outcome: "failed" });
    return;
  }
  metrics.exports.inc({ outcome: "ok" });
  metrics.duration.observe(result.duration_ms / 1000);
  for (const kind of CHANGE_KINDS) metrics.changes.inc({ kind }, result[kind]);
  metrics.records.set(result.records);
  metrics.lastSuccess.set(Date.parse(result.at) / 1000);
}

function isSummary(result: unknown): result is ExportSummary {
  const summary = result as Partial<ExportSummary> | null;
  return (
    typeof summary === "object" &&
    summary !== null &&
    typeof summary.duration_ms === "number" &&
    typeof summary.records === "number" &&
    typeof summary.at === "string"
  );
}
