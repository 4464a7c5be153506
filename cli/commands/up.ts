import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Command } from "commander";
import { writeFileAtomic } from "../../lib/atomic-file.js";
import { discoverAll, liveContext } from "../../probe/discovery/discover.js";
import { discoveryTypes, loadAgents } from "../../probe/discovery/registry.js";
import { UsageError } from "../errors.js";

interface UpOptions {
  out: string;
  interval: string;
}

/** One discovery pass: writes each changed document to OUT/discovery/TYPE.json. */
async function discoveryPass(
  outDirectory: string,
  lastDigests: Map<string, string>,
  signal: AbortSignal,
): Promise<{ written: number; failed: number }> {
  let written = 0;
  let failed = 0;
  const agents = await loadAgents(discoveryTypes);
  for await (const outcome of discoverAll(agents, liveContext())) {
    if (signal.aborted) break;
    const ms = `${Math.round(outcome.elapsedMs)} ms`;
    if (!outcome.ok) {
      failed++;
      process.stderr.write(`  ${outcome.type.padEnd(17)} FAILED  ${outcome.error} (${ms})\n`);
      continue;
    }
    const { document } = outcome;
    const digest = createHash("sha256").update(JSON.stringify(document.data)).digest("hex");
    const path = resolve(outDirectory, "discovery", `${outcome.type}.json`);
    const changed = lastDigests.get(outcome.type) !== digest;
    if (changed) {
      await writeFileAtomic(path, `${JSON.stringify(document, null, 2)}\n`);
      lastDigests.set(outcome.type, digest);
      written++;
    }
    const summary = outcome.summary;
    const skipped = document.errors.length ? `, ${document.errors.length} skipped` : "";
    const state = changed ? "written" : "unchanged";
    process.stderr.write(
      `  ${outcome.type.padEnd(17)} ${state.padEnd(9)} ${summary}${skipped} (${ms})\n`,
    );
  }
  return { written, failed };
}

export function registerUp(program: Command): void {
  program
    .command("up")
    .description(
      "run the main job: discover this host and write the documents under OUT/discovery/",
    )
    .option("-o, --out <dir>", "output directory", "out")
    .option(
      "-i, --interval <seconds>",
      "rediscover every N seconds, rewriting only what changed, until interrupted (0: once)",
      "0",
    )
    .addHelpText(
      "after",
      "\nEach discovery type becomes OUT/discovery/TYPE.json, written atomically.\n" +
        "Later releases grow this command into the whole system (CMA, probe, exporters).",
    )
    .action(async (options: UpOptions) => {
      const interval = Number(options.interval);
      if (!Number.isFinite(interval) || interval < 0) {
        throw new UsageError(
          `--interval must be a number of seconds >= 0, got "${options.interval}"`,
        );
      }
      const outDirectory = resolve(options.out);
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      const digests = new Map<string, string>();
      let failedTotal = 0;
      try {
        do {
          process.stderr.write(`assim up: discovering this host into ${outDirectory}/discovery\n`);
          const { written, failed } = await discoveryPass(outDirectory, digests, controller.signal);
          failedTotal = failed;
          process.stderr.write(
            `assim up: ${written} document(s) written, ${failed} type(s) failed\n`,
          );
          if (interval > 0 && !controller.signal.aborted) {
            await sleep(interval * 1000, undefined, { signal: controller.signal }).catch(() => {});
          }
        } while (interval > 0 && !controller.signal.aborted);
      } finally {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
      }
      if (failedTotal > 0) process.exitCode = 1;
    });
}
