import { resolve } from "node:path";
import type { Command } from "commander";
import { canonicalJson } from "../../exporters/records.js";
import { DriftFeedError, driftSince } from "../../exporters/reports/drift-feed.js";
import { renderReport } from "../../exporters/reports/render.js";
import { ExportStateError } from "../../exporters/state.js";
import { parseDuration } from "../../lib/duration.js";
import { UsageError } from "../errors.js";
import { writeStdout } from "../output.js";

interface DriftOptions {
  out?: string;
  since?: string;
  format: string;
}

const FORMATS = ["md", "html", "json"] as const;
const ISO_TIME = /^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)?)?$/;

/** "2026-03-01", "2026-03-01T12:00:00Z" or a duration back from now ("24h", "7d"). */
export function parseBaseline(text: string, now: Date): string {
  const back = parseDuration(text);
  if (back !== null) return new Date(now.getTime() - back).toISOString();
  const time = ISO_TIME.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(time)) {
    throw new UsageError(
      `--since must be a time (2026-03-01, 2026-03-01T12:00:00Z) or a duration back from now (24h, 7d), not "${text}"`,
    );
  }
  return new Date(time).toISOString();
}

export function registerReport(program: Command): void {
  const report = program.command("report").description("audit reports from what assim export saw");
  report
    .command("drift")
    .description("every change the exports into DIR saw since a baseline, by category, with times")
    .option("-o, --out <dir>", "the export directory (assim export --out DIR)")
    .option(
      "--since <when>",
      "the baseline: a time (2026-03-01T12:00:00Z) or a duration back (24h, 7d); default: the first export",
    )
    .option("-f, --format <format>", `output format: ${FORMATS.join(", ")}`, "md")
    .addHelpText(
      "after",
      "\nReads DIR/drift.jsonl, the drift feed every successful export appends to, so the\n" +
        "baseline can be any time since the first export (each export's own reports/drift.*\n" +
        "covers only the changes since the export before it). Prints to stdout.\n\n" +
        "  assim report drift --out /srv/export --since 7d --format html > drift.html",
    )
    .action(async (options: DriftOptions) => {
      if (!options.out?.trim()) throw new UsageError("--out DIR is required");
      const format = options.format as (typeof FORMATS)[number];
      if (!FORMATS.includes(format)) {
        throw new UsageError(
          `--format must be one of ${FORMATS.join(", ")}, not "${options.format}"`,
        );
      }
      const now = new Date();
      const since = options.since === undefined ? null : parseBaseline(options.since, now);
      let drift: Awaited<ReturnType<typeof driftSince>>;
      try {
        drift = await driftSince(resolve(options.out), since, now.toISOString());
      } catch (error) {
        if (error instanceof DriftFeedError || error instanceof ExportStateError) {
          process.stderr.write(`assim report drift: ${error.message}\n`);
          process.exitCode = 1;
          return;
        }
        throw error;
      }
      await writeStdout(
        format === "json" ? canonicalJson(drift) : renderReport("drift", format, drift),
      );
    });
}
