import { isIP } from "node:net";
import { resolve } from "node:path";
import type { Command } from "commander";
import {
  DISCOVERY_INTERVAL_LIMITS,
  type SecondsLimits,
  SWITCH_SECONDS_LIMITS,
} from "../../cma/server/discovery-limits.js";
import {
  HEARTBEAT_LIMITS,
  HEARTBEAT_TIMERS,
  type HeartbeatTimer,
} from "../../cma/server/heartbeat-limits.js";
import type { CmaListener } from "../../cma/server/run.js";
import { UnknownFormatError } from "../../exporters/exporter.js";
import { defaultExporters } from "../../exporters/formats.js";
import { MIN_EXPORT_EVERY_MS } from "../../exporters/schedule.js";
import { DEFAULT_EXPORT_DIR, resolveDataDir } from "../../lib/data-dir.js";
import { parseDuration } from "../../lib/duration.js";
import { ListenError } from "../../lib/listen.js";
import { parseAddress } from "../../protocol/address.js";
import {
  DEFAULT_MULTICAST_GROUP,
  DEFAULT_PORT,
  type HeartbeatTimers,
} from "../../protocol/messages.js";
import { withConfigFile } from "../config-option.js";
import { UsageError } from "../errors.js";
import { listenAddress, wholeNumber } from "../option-values.js";

interface CmaCommandOptions {
  bind: string;
  dataDir?: string;
  trust: string;
  interval: string;
  warn: string;
  dead: string;
  discoveryInterval: string;
  discoveryTypes?: string;
  switchSeconds: string;
  eventsLog?: string;
  webhook: string[];
  execDir?: string;
  statusFile?: string;
  multicast?: string | boolean;
  monitoring: boolean;
  rulesDir?: string;
  enableRules: string[];
  exportEvery?: string;
  exportOut?: string;
  exportFormat?: string;
  metrics?: string;
}

/** The option that gave each of startCma's sockets its address. */
const LISTENER_OPTIONS: Record<CmaListener, string> = { udp: "--bind", metrics: "--metrics" };

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerCma(program: Command): void {
  withConfigFile(program.command("cma"), "cma")
    .description(
      "run the CMA: register probes, keep the heartbeat rings, store discovery, raise events",
    )
    .option("--bind <address>", "local address and UDP port", `0.0.0.0:${DEFAULT_PORT}`)
    .option("--data-dir <dir>", "graph store, keys, events (default: $ASSIM_DATA_DIR or ./.assim)")
    .option(
      "--trust <mode>",
      "probe keys: tofu (trust on first use) or approve (assim keys approve)",
      "tofu",
    )
    .option("--interval <ms>", "heartbeat interval", String(HEARTBEAT_LIMITS.interval.defaultMs))
    .option(
      "--warn <ms>",
      "a heartbeat later than this is reported late",
      String(HEARTBEAT_LIMITS.warn.defaultMs),
    )
    .option(
      "--dead <ms>",
      "a partner silent this long is reported dead",
      String(HEARTBEAT_LIMITS.dead.defaultMs),
    )
    .option(
      "--discovery-interval <s>",
      "how often probes rediscover (they send only changes)",
      String(DISCOVERY_INTERVAL_LIMITS.defaultS),
    )
    .option("--discovery-types <list>", "comma-separated discovery types probes run (default: all)")
    .option(
      "--switch-seconds <s>",
      "how long one LLDP/CDP capture listens",
      String(SWITCH_SECONDS_LIMITS.defaultS),
    )
    .option(
      "--multicast [interface-ip]",
      `answer probes that look for the CMA at ${DEFAULT_MULTICAST_GROUP} (needs --bind 0.0.0.0:PORT); joined on the interface with this address`,
    )
    .option("--events-log <file>", "events as JSON lines (default: DATA_DIR/events.jsonl)")
    .option("--webhook <url>", "POST each event as JSON to this URL (repeatable)", collect, [])
    .option(
      "--exec-dir <dir>",
      "run each executable in this directory per event, event JSON on stdin",
    )
    .option(
      "--status-file <file>",
      "write status JSON here every second (default: DATA_DIR/cma-status.json)",
    )
    .option(
      "--monitoring",
      "set up monitors from the auto-monitoring rules (the default; wins over monitoring.enabled: false in --config)",
      true,
    )
    .option("--no-monitoring", "set up no monitors on the probes (auto-monitoring rules off)")
    .option(
      "--rules-dir <dir>",
      "operator monitoring rules; they replace shipped rules of the same name",
    )
    .option(
      "--enable-rules <flag>",
      "enable monitoring rules that need a flag (e.g. generic-tcp); repeatable",
      collect,
      [],
    )
    .option(
      "--export-every <duration>",
      "export the graph every DURATION (30s, 5m, 1h) into --export-out, as `assim export --every` does",
    )
    .option(
      "--export-out <dir>",
      `where the scheduled exports go (default: ./${DEFAULT_EXPORT_DIR})`,
    )
    .option("--export-format <list>", "formats of the scheduled exports (default: all)")
    .option(
      "--metrics <address>",
      "serve Prometheus metrics at http://IP:PORT/metrics (keep it on loopback, e.g. 127.0.0.1:9184)",
    )
    .addHelpText(
      "after",
      "\nThe CMA's key pair is DATA_DIR/keys/cma.key (0600) and cma.pub: give cma.pub to every probe\n" +
        "(--cma-key). Uses Neo4j when NEO4J_URI is set, otherwise the embedded store in DATA_DIR.\n" +
        "Logs are JSON lines on stderr. SIGTERM or SIGINT stops it; a restarted CMA resumes its\n" +
        "probes and rings from the graph.\n\n" +
        "  assim cma --bind 10.0.0.1:1984 --data-dir /var/lib/assim --webhook http://127.0.0.1:9000/",
    )
    .action(async (options: CmaCommandOptions, command: Command) => {
      let bind: ReturnType<typeof parseAddress>;
      try {
        bind = parseAddress(options.bind, DEFAULT_PORT);
      } catch (error) {
        throw new UsageError(`--bind: ${(error as Error).message}`);
      }
      let multicast: { interface: string | null } | null = null;
      if (options.multicast !== undefined) {
        if (bind.address !== "0.0.0.0") {
          throw new UsageError(
            `--multicast needs --bind 0.0.0.0:PORT (a socket bound to ${bind.address} hears no multicast)`,
          );
        }
        const iface = typeof options.multicast === "string" ? options.multicast : null;
        if (iface !== null && isIP(iface) !== 4) {
          throw new UsageError(`--multicast: "${iface}" is not an IPv4 address of this host`);
        }
        multicast = { interface: iface };
      }
      if (options.trust !== "tofu" && options.trust !== "approve") {
        throw new UsageError(`--trust must be tofu or approve, got "${options.trust}"`);
      }
      const heartbeat = heartbeatTimers(options, command);
      const { isDiscoveryType, allDiscoveryTypes } = await import(
        "../../probe/discovery/registry.js"
      );
      const types = options.discoveryTypes
        ? options.discoveryTypes
            .split(",")
            .map((type) => type.trim())
            .filter(Boolean)
        : [...allDiscoveryTypes];
      for (const type of types) {
        if (!isDiscoveryType(type)) {
          throw new UsageError(
            `--discovery-types: unknown type "${type}" (known: ${allDiscoveryTypes.join(", ")})`,
          );
        }
      }
      for (const url of options.webhook) {
        if (!/^https?:\/\//.test(url))
          throw new UsageError(`--webhook must be an http(s) URL, got "${url}"`);
      }
      const dataDir = resolveDataDir(options.dataDir);
      const exports = exportSchedule(options);
      const { runCma } = await import("../../cma/server/run.js");
      await runCma({
        bind,
        dataDir,
        trustMode: options.trust,
        heartbeat,
        discovery: {
          types,
          interval_s: seconds(
            "--discovery-interval",
            options.discoveryInterval,
            DISCOVERY_INTERVAL_LIMITS,
          ),
          switch_seconds: seconds("--switch-seconds", options.switchSeconds, SWITCH_SECONDS_LIMITS),
        },
        eventsLog: options.eventsLog ?? null,
        webhooks: options.webhook,
        execDir: options.execDir ?? null,
        statusFile: options.statusFile ?? null,
        multicast,
        monitoring: options.monitoring
          ? {
              ...(options.rulesDir ? { rulesDir: options.rulesDir } : {}),
              flags: options.enableRules,
            }
          : null,
        exports,
        metricsListen:
          options.metrics === undefined ? null : listenAddress("--metrics", options.metrics),
      }).catch((error: unknown) => {
        if (!(error instanceof ListenError)) throw error;
        const option = LISTENER_OPTIONS[error.listener as CmaListener];
        throw new UsageError(option ? `${option}: ${error.message}` : error.message);
      });
    });
}

/** A whole number of seconds within the limits, or a usage error naming the option. */
const seconds = (option: string, text: string, { minS, maxS }: SecondsLimits) =>
  wholeNumber(option, text, minS, maxS);

/**
 * --interval, --warn and --dead, each in range and together in order. They may
 * come from the command line, the --config file or the defaults, so the order
 * is checked here, on the values the CMA would run with.
 */
function heartbeatTimers(options: CmaCommandOptions, command: Command): HeartbeatTimers {
  const values = HEARTBEAT_TIMERS.map(([name, { minMs, maxMs }]) => ({
    name,
    ms: wholeNumber(`--${name}`, options[name], minMs, maxMs),
  }));
  const [interval, warn, dead] = values.map(({ ms }) => ms) as [number, number, number];
  if (!(interval < warn && warn < dead)) {
    const given = values.map(({ name, ms }) => `--${name} ${ms}${origin(command, name)}`);
    throw new UsageError(`need --interval < --warn < --dead, got ${given.join(", ")}`);
  }
  return { interval_ms: interval, warn_ms: warn, dead_ms: dead };
}

/** Where an option's value came from, for messages: "" for the command line. */
function origin(command: Command, name: HeartbeatTimer): string {
  switch (command.getOptionValueSource(name)) {
    case "default":
      return " (the default)";
    case "config":
      return ` (cma.heartbeat.${name} in ${command.getOptionValue("config") as string})`;
    default:
      return "";
  }
}

/** The CMA's export schedule from --export-every/--export-out/--export-format, checked up front. */
function exportSchedule(options: CmaCommandOptions) {
  if (options.exportEvery === undefined) {
    if (options.exportOut !== undefined || options.exportFormat !== undefined) {
      throw new UsageError("--export-out and --export-format go with --export-every");
    }
    return null;
  }
  const everyMs = parseDuration(options.exportEvery);
  if (everyMs === null || everyMs < MIN_EXPORT_EVERY_MS) {
    throw new UsageError(
      `--export-every must be a duration of at least 1s like 30s, 5m or 1h, not "${options.exportEvery}"`,
    );
  }
  const formats = options.exportFormat ?? null;
  if (formats !== null) {
    try {
      defaultExporters().resolve(formats);
    } catch (error) {
      if (error instanceof UnknownFormatError) throw new UsageError(error.message);
      throw error;
    }
  }
  const outDir = resolve(options.exportOut?.trim() || DEFAULT_EXPORT_DIR);
  return { outDir, everyMs, formats };
}
