import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { openConfiguredStore } from "../../cma/graph/open.js";
import { loadRules } from "../../cma/monitoring/load.js";
import {
  type Exporter,
  type ExporterRegistry,
  UnknownFormatError,
} from "../../exporters/exporter.js";
import { defaultExporters } from "../../exporters/formats.js";
import { missingCredentials, PUSH_TARGETS, type PushTarget } from "../../exporters/itil/push.js";
import {
  exportEvery,
  exportOnce,
  MIN_EXPORT_EVERY_MS,
  type Push,
  type ScheduledExport,
} from "../../exporters/schedule.js";
import { resolveDataDir } from "../../lib/data-dir.js";
import { parseDuration } from "../../lib/duration.js";
import { createLogger } from "../../lib/log.js";
import { withConfigFile } from "../config-option.js";
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

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerExport(program: Command): void {
  const registry = defaultExporters();
  withConfigFile(program.command("export"), "export")
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
      if (options.every !== undefined && (everyMs === null || everyMs < MIN_EXPORT_EVERY_MS)) {
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
        const job = { store, outDir, formats, log, push };
        if (everyMs === null) {
          const summary = await exportOnce(job);
          if (summary === null || summary.push?.ok === false) process.exitCode = 1;
          if (summary !== null) await writeStdout(`${JSON.stringify(summary)}\n`);
        } else {
          await exportUntilStopped(job, everyMs);
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
    return list === undefined ? registry.all() : registry.resolve(list);
  } catch (error) {
    if (error instanceof UnknownFormatError) throw new UsageError(error.message);
    throw error;
  }
}

/** Exports now and then every `everyMs` until SIGINT or SIGTERM; a run in progress finishes first. */
async function exportUntilStopped(job: ScheduledExport, everyMs: number): Promise<void> {
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    job.log.info({ event: "export_stopping", signal }, "stopping");
    controller.abort();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    await exportEvery(job, everyMs, controller.signal);
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}
