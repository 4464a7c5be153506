import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Command } from "commander";
import { openConfiguredStore } from "../../cma/graph/open.js";
import type { GraphStore } from "../../cma/graph/store.js";
import { loadRules } from "../../cma/monitoring/load.js";
import {
  type Exporter,
  type ExporterRegistry,
  UnknownFormatError,
} from "../../exporters/exporter.js";
import { defaultExporters } from "../../exporters/formats.js";
import {
  missingCredentials,
  PUSH_TARGETS,
  type PushResult,
  type PushTarget,
  pushExport,
} from "../../exporters/itil/push.js";
import { ExportLockedError } from "../../exporters/lock.js";
import { runExport } from "../../exporters/run.js";
import { ExportStateError } from "../../exporters/state.js";
import { resolveDataDir } from "../../lib/data-dir.js";
import { parseDuration } from "../../lib/duration.js";
import { createLogger, type Logger } from "../../lib/log.js";
import { UsageError } from "../errors.js";
import { writeStdout } from "../output.js";
import { openStore } from "./ingest.js";

interface ExportOptions {
  once?: boolean;
  every?: string;
  format?: string;
  out?: string;
  dataDir?: string;
  rulesDir?: string;
  enableRules: string[];
  push?: string[];
  dryRun?: boolean;
}

/** Where to push after each successful export, if anywhere. */
interface Push {
  target: PushTarget;
  url: string;
  dryRun: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** The smallest --every: an export reads the whole graph, so not in a tight loop. */
const MIN_EVERY_MS = 1000;

export function registerExport(program: Command): void {
  const registry = defaultExporters();
  program
    .command("export")
    .description(
      "export the graph and what changed since the last export: records (json), audit reports (unmonitored services, drift), …",
    )
    .option("--once", "export once and exit")
    .option("--every <duration>", "export every DURATION (30s, 5m, 1h) until SIGINT or SIGTERM")
    .option(
      "-f, --format <formats>",
      `comma-separated formats: ${registry.names().join(", ")} (default: all)`,
    )
    .option(
      "-o, --out <dir>",
      "output directory (formats write OUT/FORMAT/, the drift feed OUT/drift.jsonl)",
    )
    .option(
      "--data-dir <dir>",
      "data directory of the embedded store (default: $ASSIM_DATA_DIR or ./.assim)",
    )
    .option(
      "--rules-dir <dir>",
      "operator monitoring rules, as given to assim cma: the reports say which rule would monitor each unmonitored service",
    )
    .option(
      "--enable-rules <flag>",
      "monitoring rules that need a flag (generic-tcp), as given to assim cma; repeatable",
      collect,
      [],
    )
    .option(
      "--push <target_and_url...>",
      "after each successful export, send it: servicenow URL (the itil format's IRE payload) or glpi URL (the glpi documents); credentials from the environment (exporters/itil/README.md)",
    )
    .option("--dry-run", "with --push: say what would be sent, send nothing")
    .addHelpText(
      "after",
      "\nEach export diffs the graph against the last successful export into the same OUT\n" +
        "(its state is OUT/.state/records.json), writes every format's files atomically,\n" +
        "appends one JSON line per change to OUT/drift.jsonl, and saves the state last: a\n" +
        "failed export changes nothing, and the next one reports every change since the last\n" +
        "success. Uses Neo4j when NEO4J_URI is set, otherwise the embedded store.\n" +
        "Logs are JSON lines on stderr; --once prints its summary as JSON on stdout.\n\n" +
        "  assim export --once --format json --out /srv/export\n" +
        "  assim export --every 5m --out /srv/export",
    )
    .action(async (options: ExportOptions) => {
      const formats = resolveFormats(options.format, exportersFor(options));
      if (!options.out?.trim()) throw new UsageError("--out DIR is required");
      if (options.once && options.every !== undefined) {
        throw new UsageError("give --once or --every, not both");
      }
      if (!options.once && options.every === undefined) {
        throw new UsageError("give --once, or --every DURATION (30s, 5m, 1h)");
      }
      const everyMs = options.every === undefined ? null : parseDuration(options.every);
      if (options.every !== undefined && (everyMs === null || everyMs < MIN_EVERY_MS)) {
        throw new UsageError(
          `--every must be a duration of at least 1s like 30s, 5m or 1h, not "${options.every}"`,
        );
      }
      const push = pushOption(options, formats);
      const outDir = resolve(options.out);
      const log = createLogger({ service: "export" });
      const store = await openStore(() =>
        openConfiguredStore({ dataDir: resolveDataDir(options.dataDir), mustExist: true }),
      );
      try {
        if (everyMs === null) {
          const summary = await exportOnce(store, outDir, formats, log, push);
          if (summary === null || summary.push?.ok === false) process.exitCode = 1;
          if (summary !== null) await writeStdout(`${JSON.stringify(summary)}\n`);
        } else {
          await exportEvery(store, outDir, formats, everyMs, log, push);
        }
      } finally {
        await store.close();
      }
    });
}

/** The formats, with the reports explaining unmonitored services by the operator's rules. */
function exportersFor(options: ExportOptions): ExporterRegistry {
  const { rulesDir } = options;
  if (rulesDir !== undefined && !existsSync(rulesDir)) {
    throw new UsageError(`--rules-dir ${rulesDir} does not exist`);
  }
  return defaultExporters({
    reports: {
      rules: () => {
        const loaded = loadRules(rulesDir !== undefined ? { operatorDir: rulesDir } : {});
        for (const error of loaded.errors) {
          process.stderr.write(
            `assim export: monitoring rule not loaded: ${error.file}:${error.line}:${error.column}: ${error.message}\n`,
          );
        }
        return loaded.rules;
      },
      flags: new Set(options.enableRules),
    },
  });
}

function pushOption(options: ExportOptions, formats: readonly Exporter[]): Push | null {
  if (options.push === undefined) {
    if (options.dryRun) throw new UsageError("--dry-run goes with --push");
    return null;
  }
  const [target, url, ...rest] = options.push;
  if (!PUSH_TARGETS.includes(target as PushTarget) || url === undefined || rest.length > 0) {
    throw new UsageError(`--push takes ${PUSH_TARGETS.join(" or ")} and a URL`);
  }
  if (!/^https?:\/\//.test(url)) throw new UsageError(`--push URL must be http(s), not "${url}"`);
  const format = target === "servicenow" ? "itil" : "glpi";
  if (!formats.some((f) => f.name === format)) {
    throw new UsageError(`--push ${target} needs the ${format} format`);
  }
  const missing = missingCredentials(target as PushTarget, process.env);
  if (missing && !options.dryRun) throw new UsageError(missing);
  return { target: target as PushTarget, url, dryRun: options.dryRun === true };
}

function resolveFormats(list: string | undefined, registry: ExporterRegistry) {
  try {
    return registry.resolve(list ?? registry.names().join(","));
  } catch (error) {
    if (error instanceof UnknownFormatError) throw new UsageError(error.message);
    throw error;
  }
}

/** One export with its log lines; null when it failed (the previous output and state stand). */
async function exportOnce(
  store: GraphStore,
  outDir: string,
  formats: readonly Exporter[],
  log: Logger,
  push: Push | null = null,
) {
  const names = formats.map((f) => f.name);
  log.info(
    { event: "export_started", out: outDir, formats: names, store: store.adapter },
    "export started",
  );
  try {
    const summary = await runExport({ store, outDir, formats });
    for (const { format, message } of summary.warnings) {
      log.warn({ event: "export_warning", out: outDir, format, message }, "export warning");
    }
    const { files: _files, warnings, ...counts } = summary;
    log.info(
      { event: "export_done", out: outDir, ...counts, warnings: warnings.length },
      "export done",
    );
    const pushed = push === null ? undefined : await pushOnce(outDir, push, log);
    return { ...summary, ...(pushed ? { push: pushed } : {}) } as typeof summary & {
      push?: PushResult & { error?: string };
    };
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
    return null;
  }
}

/** Sends the export just written; a failure is logged and reported, the export stands. */
async function pushOnce(outDir: string, push: Push, log: Logger) {
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

/** Exports now and then every `everyMs` until SIGINT or SIGTERM; a run in progress finishes first. */
async function exportEvery(
  store: GraphStore,
  outDir: string,
  formats: readonly Exporter[],
  everyMs: number,
  log: Logger,
  push: Push | null,
): Promise<void> {
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    log.info({ event: "export_stopping", signal }, "stopping");
    controller.abort();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  log.info(
    { event: "export_scheduled", out: outDir, every_ms: everyMs },
    "exporting on a schedule",
  );
  try {
    while (!controller.signal.aborted) {
      const started = Date.now();
      await exportOnce(store, outDir, formats, log, push);
      const wait = Math.max(0, everyMs - (Date.now() - started));
      await sleep(wait, undefined, { signal: controller.signal }).catch(() => {});
    }
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}
