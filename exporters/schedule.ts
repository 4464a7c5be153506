/**
 * Exports with their log lines, once or on a schedule: what `assim export`,
 * `assim cma --export-every` and `assim up` share. A failed export is logged
 * and leaves the previous output; the schedule goes on.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Registry } from "prom-client";
import type { GraphStore } from "../cma/graph/store.js";
import type { Rule } from "../cma/monitoring/types.js";
import type { Logger } from "../lib/log.js";
import { ExportMetrics, recordExport } from "../lib/metrics/export-metrics.js";
import type { Exporter } from "./exporter.js";
import { defaultExporters } from "./formats.js";
import { type PushResult, type PushTarget, pushExport } from "./itil/push.js";
import { ExportLockedError } from "./lock.js";
import { type ExportSummary, runExport } from "./run.js";
import { ExportStateError } from "./state.js";

/** Where to push after each successful export, if anywhere. */
export interface Push {
  target: PushTarget;
  url: string;
  dryRun: boolean;
}

export type PushOutcome = PushResult & { error?: string };

export interface ScheduledExport {
  store: GraphStore;
  outDir: string;
  formats: readonly Exporter[];
  log: Logger;
  push?: Push | null;
  /** Called after every attempt: the summary, or null when the export failed. */
  onExport?: (summary: ExportSummary | null, error: Error | null) => void;
}

export interface ExportJobOptions {
  store: GraphStore;
  outDir: string;
  /** Format names ("json,itil"), every format when null. */
  formats: string | null;
  /** The rules the unmonitored report explains by; the shipped ones when null. */
  rules: readonly Rule[] | null;
  /** Rule flags the operator enabled (generic-tcp). */
  flags?: readonly string[];
  log: Logger;
  /** Where each export's outcome, duration and changes are counted, if anywhere. */
  metrics?: Registry;
}

/** The export job of a long-running service (the CMA, `assim up`): formats, rules and metrics. */
export function scheduledExport(options: ExportJobOptions): ScheduledExport {
  const { rules } = options;
  const registry = defaultExporters({
    reports: { ...(rules ? { rules: () => rules } : {}), flags: new Set(options.flags ?? []) },
  });
  const measured = options.metrics ? new ExportMetrics(options.metrics) : null;
  return {
    store: options.store,
    outDir: options.outDir,
    formats: options.formats === null ? registry.all() : registry.resolve(options.formats),
    log: options.log,
    ...(measured ? { onExport: (summary, error) => recordExport(measured, summary ?? error) } : {}),
  };
}

/** The smallest schedule: an export reads the whole graph, so not in a tight loop. */
export const MIN_EXPORT_EVERY_MS = 1000;

/** One export with its log lines; null when it failed (the previous output and state stand). */
export async function exportOnce(
  job: ScheduledExport,
): Promise<(ExportSummary & { push?: PushOutcome }) | null> {
  const { store, outDir, formats, log } = job;
  const names = formats.map((f) => f.name);
  log.info(
    { event: "export_started", out: outDir, formats: names, store: store.adapter },
    "export started",
  );
  let summary: ExportSummary;
  try {
    summary = await runExport({ store, outDir, formats });
  } catch (error) {
    // A locked directory or an unreadable state needs no stack; anything else keeps it.
    const expected = error instanceof ExportLockedError || error instanceof ExportStateError;
    log.error(
      {
        event: "export_failed",
        out: outDir,
        formats: names,
        error: (error as Error).message,
        ...(expected ? {} : { err: error }),
      },
      "export failed; the previous output and state are unchanged",
    );
    job.onExport?.(null, error as Error);
    return null;
  }
  for (const { format, message } of summary.warnings) {
    log.warn({ event: "export_warning", out: outDir, format, message }, "export warning");
  }
  const { files: _files, warnings, ...counts } = summary;
  log.info(
    { event: "export_done", out: outDir, ...counts, warnings: warnings.length },
    "export done",
  );
  job.onExport?.(summary, null);
  const pushed = job.push ? await pushOnce(outDir, job.push, log) : undefined;
  return pushed ? { ...summary, push: pushed } : summary;
}

/** Sends the export just written; a failure is logged and reported, the export stands. */
async function pushOnce(outDir: string, push: Push, log: Logger): Promise<PushOutcome> {
  try {
    const result = await pushExport({ ...push, outDir });
    for (const file of result.files) {
      const fields = { event: file.ok ? "push_sent" : "push_failed", target: push.target, ...file };
      if (file.ok) log.info(fields, result.dry_run ? "would push" : "pushed");
      else log.error(fields, "push failed");
    }
    return result;
  } catch (error) {
    const message = (error as Error).message;
    log.error({ event: "push_failed", target: push.target, error: message }, "push failed");
    return { target: push.target, dry_run: push.dryRun, ok: false, files: [], error: message };
  }
}

/**
 * Exports now and then every `everyMs` (counted from each start) until the signal
 * aborts; a run in progress finishes first. Resolves once stopped.
 */
export async function exportEvery(
  job: ScheduledExport,
  everyMs: number,
  signal: AbortSignal,
): Promise<void> {
  if (!(everyMs >= MIN_EXPORT_EVERY_MS)) {
    throw new RangeError(`an export schedule needs at least ${MIN_EXPORT_EVERY_MS} ms`);
  }
  job.log.info(
    { event: "export_scheduled", out: job.outDir, every_ms: everyMs },
    "exporting on a schedule",
  );
  while (!signal.aborted) {
    const started = Date.now();
    await exportOnce(job);
    const wait = Math.max(0, everyMs - (Date.now() - started));
    await sleep(wait, undefined, { signal }).catch(() => {});
  }
}
