import { statSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { DEFAULT_API_HOST, DEFAULT_API_PORT } from "../../cma/api/defaults.js";
import { describeStore, openConfiguredStore } from "../../cma/graph/open.js";
import { DEFAULT_EXPORT_DIR, eventsLogOf, resolveDataDir } from "../../lib/data-dir.js";
import { listenProblem } from "../../lib/listen.js";
import { withConfigFile } from "../config-option.js";
import { UsageError } from "../errors.js";
import { openStore } from "./ingest.js";

interface ApiOptions {
  port: string;
  host: string;
  dataDir?: string;
  eventsLog?: string;
  exportDir?: string;
}

/** The default export directory: ./out when it is a directory, else none. */
function defaultExportDir(): string | null {
  const dir = resolve(DEFAULT_EXPORT_DIR);
  return statSync(dir, { throwIfNoEntry: false })?.isDirectory() ? dir : null;
}

const event = (fields: Record<string, unknown>) =>
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...fields })}\n`);

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text.trim()) || port > 65535) {
    throw new UsageError(`--port must be a TCP port from 0 to 65535, got "${text}"`);
  }
  return port;
}

const isLoopback = (host: string) => /^127\./.test(host) || host === "::1" || host === "localhost";

export function registerApi(program: Command): void {
  withConfigFile(program.command("api"), "api")
    .description("serve the graph's queries over HTTP: REST under /api, /health, OpenAPI document")
    .option(
      "-p, --port <port>",
      "TCP port to listen on (0: any free port)",
      String(DEFAULT_API_PORT),
    )
    .option(
      "-H, --host <address>",
      "address to listen on; the API has no authentication, so keep it on loopback",
      DEFAULT_API_HOST,
    )
    .option(
      "--data-dir <dir>",
      "data directory of the embedded store (default: $ASSIM_DATA_DIR or ./.assim)",
    )
    .option(
      "--events-log <file>",
      "the CMA's events log that /api/events and the web view read (default: DATA_DIR/events.jsonl)",
    )
    .option(
      "--export-dir <dir>",
      "the exporters' output directory, whose drift.jsonl /api/drift and the web view read (default: ./out when it exists)",
    )
    .addHelpText(
      "after",
      "\nServes until SIGINT or SIGTERM. Prints the URL on stdout once listening, and one JSON line\n" +
        "per request on stderr. Uses Neo4j when NEO4J_URI is set, otherwise the embedded store in\n" +
        "the data directory (which `assim ingest` may keep filling meanwhile). The web view is at /:\n" +
        "hosts, dependency graph, switch topology, unmonitored services, drift and events, live.\n\n" +
        "  assim api --port 8984\n  curl http://127.0.0.1:8984/api/systems\n" +
        "  curl http://127.0.0.1:8984/api/openapi.json",
    )
    .action(async (options: ApiOptions) => {
      const port = parsePort(options.port);
      const host = options.host.trim();
      if (host === "") throw new UsageError("--host must name an address");
      const storeOptions = { dataDir: resolveDataDir(options.dataDir) };
      const eventsLog = options.eventsLog?.trim()
        ? resolve(options.eventsLog)
        : eventsLogOf(storeOptions.dataDir);
      const exportDir = options.exportDir?.trim() ? resolve(options.exportDir) : defaultExportDir();
      // Loaded here, not at start: express costs every other command its load time.
      const { startApiServer } = await import("../../cma/api/server.js");
      const { jsonLineSink } = await import("../../cma/api/request-log.js");
      const store = await openStore(() => openConfiguredStore(storeOptions));
      let server: Awaited<ReturnType<typeof startApiServer>>;
      try {
        server = await startApiServer({
          store,
          host,
          port,
          eventsLog,
          exportDir,
          log: jsonLineSink(process.stderr),
        });
      } catch (error) {
        await store.close();
        const problem = listenProblem(error);
        if (problem) {
          // Not an address of this machine: --host is wrong; in use or privileged: --port.
          const option =
            (error as NodeJS.ErrnoException).code === "EADDRNOTAVAIL" ? "--host" : "--port";
          throw new UsageError(`${option}: cannot listen on ${host} port ${port}: it ${problem}`);
        }
        throw error;
      }
      if (!isLoopback(host)) {
        process.stderr.write(
          `assim api: listening on ${host}, reachable from other machines; the API has no authentication\n`,
        );
      }
      const where = describeStore(storeOptions);
      event({
        event: "listening",
        url: server.url,
        store: where,
        events_log: eventsLog,
        export_dir: exportDir,
      });
      process.stdout.write(`assim api: serving ${where} on ${server.url}\n`);

      const signal = await new Promise<NodeJS.Signals>((resolve) => {
        process.once("SIGINT", () => resolve("SIGINT"));
        process.once("SIGTERM", () => resolve("SIGTERM"));
      });
      event({ event: "stopping", signal });
      await server.close();
      await store.close();
      event({ event: "stopped" });
    });
}
