import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { Command } from "commander";
import {
  describeStore,
  openConfiguredStore,
  StoreConfigurationError,
} from "../../cma/graph/open.js";
import { ingestLines } from "../../cma/ingest/lines.js";
import { resolveDataDir } from "../../lib/data-dir.js";
import { UsageError } from "../errors.js";
import { writeStdout } from "../output.js";

const PROGRESS_EVERY_MS = 2000;

export function registerIngest(program: Command): void {
  program
    .command("ingest")
    .description("store discovery documents (one JSON document per line) in the graph")
    .argument("[file]", 'file of documents, or "-" for standard input', "-")
    .option(
      "--data-dir <dir>",
      "data directory of the embedded store (default: $ASSIM_DATA_DIR or ./.assim)",
    )
    .addHelpText(
      "after",
      "\nEach document is validated and stored in one transaction, or rejected whole with the reason\n" +
        "on stderr. Uses Neo4j when NEO4J_URI is set, otherwise the embedded store in the data\n" +
        "directory. Exit code: 0 when every document was stored, 1 when any was rejected.\n\n" +
        "  assim discover | assim ingest -",
    )
    .action(async (file: string, options: { dataDir?: string }) => {
      const input = file === "-" ? process.stdin : await openInput(file);
      const storeOptions = { dataDir: resolveDataDir(options.dataDir) };
      const store = await openStore(() => openConfiguredStore(storeOptions));
      let seen = 0;
      let lastProgress = Date.now();
      try {
        const totals = await ingestLines(store, input, (report) => {
          seen++;
          const where = `line ${report.line}`;
          if (report.rejected) process.stderr.write(`assim ingest: ${where}: ${report.rejected}\n`);
          for (const warning of report.outcome?.warnings ?? []) {
            process.stderr.write(`assim ingest: ${where}: ${warning}\n`);
          }
          if (report.outcome?.status === "stale") {
            process.stderr.write(
              `assim ingest: ${where}: ${report.outcome.discovertype} document from ${report.outcome.host} is older than the one stored; skipped\n`,
            );
          }
          if (Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
            lastProgress = Date.now();
            process.stderr.write(`assim ingest: ${seen} documents so far\n`);
          }
        });
        await writeStdout(
          `stored ${totals.stored}, stale ${totals.stale}, rejected ${totals.rejected} (${describeStore(storeOptions)})\n`,
        );
        if (totals.rejected > 0) process.exitCode = 1;
      } finally {
        await store.close();
      }
    });
}

async function openInput(file: string) {
  try {
    if (!(await stat(file)).isFile()) throw new UsageError(`${file} is not a file`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  return createReadStream(file);
}

/** Opens the store; a configuration problem is a usage error (exit 2). */
export async function openStore<T>(open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (error) {
    if (error instanceof StoreConfigurationError) throw new UsageError(error.message);
    throw error;
  }
}
