import { resolve } from "node:path";
import type { Command } from "commander";
import { DEFAULT_API_PORT } from "../../cma/api/defaults.js";
import { MIN_EXPORT_EVERY_MS } from "../../exporters/schedule.js";
import { DEFAULT_NAME, MAX_HOSTS, MAX_SWITCHES } from "../../lab/topology.js";
import { DEFAULT_EXPORT_DIR, resolveDataDir } from "../../lib/data-dir.js";
import { parseDuration } from "../../lib/duration.js";
import { ListenError } from "../../lib/listen.js";
import { createLogger } from "../../lib/log.js";
import { DEFAULT_PORT } from "../../protocol/messages.js";
import { withConfigFile } from "../config-option.js";
import { UsageError } from "../errors.js";
import { listenAddress, wholeNumber } from "../option-values.js";
import type { UpListener } from "../up/main-job.js";

/** The option that gave each socket of the main job its address. */
const LISTENER_OPTIONS: Record<UpListener, string> = { udp: "--port", api: "--api" };

interface UpOptions {
  out: string;
  dataDir?: string;
  port: string;
  api: string;
  exportEvery: string;
  once?: boolean;
  lab?: string;
  switches: string;
  name: string;
  monitoring: boolean;
}

export function registerUp(program: Command): void {
  withConfigFile(program.command("up"), "up")
    .description(
      "run the main job: the CMA and its graph, a probe for this host (or a lab), the exporters on a schedule, the API and web view",
    )
    .option(
      "-o, --out <dir>",
      "where the exporters write (ITIL/GLPI, Ansible, Nagios, reports)",
      DEFAULT_EXPORT_DIR,
    )
    .option("--data-dir <dir>", "graph store, keys, logs (default: $ASSIM_DATA_DIR or ./.assim)")
    .option("--port <port>", "the CMA's UDP port on 127.0.0.1", String(DEFAULT_PORT))
    .option(
      "--api <address>",
      "where the API, the web view and /metrics listen (keep it on loopback: no authentication)",
      `127.0.0.1:${DEFAULT_API_PORT}`,
    )
    .option("--export-every <duration>", "how often the exporters run (30s, 5m, 1h)", "1m")
    .option("--once", "stop after the first export, once discovery has landed")
    .option(
      "--lab <hosts>",
      "instead of this host: a lab of HOSTS hosts in network namespaces (root, lldpd)",
    )
    .option("--switches <n>", "the lab's switches (with --lab)", "2")
    .option(
      "--name <name>",
      "the lab's name (with --lab; an existing lab of that name is replaced)",
      DEFAULT_NAME,
    )
    .option(
      "--monitoring",
      "set up monitors from the auto-monitoring rules (the default; wins over monitoring.enabled: false in --config)",
      true,
    )
    .option("--no-monitoring", "set up no monitors (auto-monitoring rules off)")
    .addHelpText(
      "after",
      "\nPrints where each part is, then runs until Ctrl-C (SIGINT) or SIGTERM, which stops\n" +
        "everything cleanly; a second run resumes the same graph from the data directory. Uses\n" +
        "Neo4j when NEO4J_URI is set, otherwise the embedded store. Logs go to stderr, one\n" +
        "human line each on a terminal (JSON lines otherwise, or with ASSIM_LOG_FORMAT=json).\n\n" +
        "  assim up\n  assim up --once --out /tmp/assim-out\n  sudo assim up --lab 6",
    )
    .action(async (options: UpOptions) => {
      const everyMs = parseDuration(options.exportEvery);
      if (everyMs === null || everyMs < MIN_EXPORT_EVERY_MS) {
        throw new UsageError(
          `--export-every must be a duration of at least 1s like 30s, 5m or 1h, not "${options.exportEvery}"`,
        );
      }
      const cmaPort = wholeNumber("--port", options.port, 1, 65535);
      const api = listenAddress("--api", options.api, DEFAULT_API_PORT);
      const lab =
        options.lab === undefined
          ? null
          : {
              hosts: wholeNumber("--lab", options.lab, 1, MAX_HOSTS),
              switches: wholeNumber("--switches", options.switches, 1, MAX_SWITCHES),
              name: options.name,
            };
      if (process.stderr.isTTY && process.env.ASSIM_LOG_FORMAT === undefined) {
        process.env.ASSIM_LOG_FORMAT = "pretty";
      }
      const log = createLogger({ service: "up" });
      const controller = new AbortController();
      const stop = (signal: NodeJS.Signals) => {
        log.info({ signal }, "stopping");
        controller.abort();
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      const { runMainJob } = await import("../up/main-job.js");
      try {
        const summary = await runMainJob({
          dataDir: resolveDataDir(options.dataDir),
          outDir: resolve(options.out),
          cmaPort,
          apiHost: api.host,
          apiPort: api.port,
          exportEveryMs: everyMs,
          once: options.once === true,
          monitoring: options.monitoring,
          lab,
          say: (line) => process.stdout.write(`assim up: ${line}\n`),
          logger: (service) => createLogger({ service }),
          signal: controller.signal,
        });
        if (options.once && summary === null) process.exitCode = 1;
      } catch (error) {
        if (error instanceof ListenError && error.listener in LISTENER_OPTIONS) {
          const option = LISTENER_OPTIONS[error.listener as UpListener];
          throw new UsageError(`${option}: ${error.message}`);
        }
        throw error;
      } finally {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
      }
    });
}
