import { join } from "node:path";
import type { Registry } from "prom-client";
import { exportEvery, scheduledExport } from "../../exporters/schedule.js";
import { writeFileAtomic } from "../../lib/atomic-file.js";
import { eventsLogOf, keyDirOf, trustDirOf } from "../../lib/data-dir.js";
import { listenFailure } from "../../lib/listen.js";
import { createLogger, type Logger } from "../../lib/log.js";
import { CmaMetrics } from "../../lib/metrics/cma-metrics.js";
import { startMetricsServer } from "../../lib/metrics/http.js";
import { createMetricsRegistry } from "../../lib/metrics/registry.js";
import { DEFAULT_MULTICAST_GROUP, type HeartbeatTimers } from "../../protocol/messages.js";
import type { ProtocolStack } from "../../protocol/stack.js";
import type { UdpAddress } from "../../protocol/transport.js";
import { openUdpStack, type UDP_LISTENER } from "../../protocol/udp-stack.js";
import { openEventSink } from "../events/event-bus.js";
import { openConfiguredStore } from "../graph/open.js";
import type { GraphStore } from "../graph/store.js";
import { loadRules } from "../monitoring/load.js";
import type { Rule } from "../monitoring/types.js";
import { PersistentRings } from "../rings/persistent-rings.js";
import { type TrustMode, TrustStore } from "../trust/trust-store.js";
import { CmaDaemon, type CmaOptions } from "./cma-daemon.js";
import { type CmaSettings, DEFAULT_CMA_SETTINGS } from "./config.js";
import { registeredProbes } from "./restore.js";

export interface RunCmaOptions {
  bind: UdpAddress;
  dataDir: string;
  trustMode: TrustMode;
  heartbeat: HeartbeatTimers;
  discovery: CmaSettings["discovery"];
  eventsLog: string | null;
  webhooks: string[];
  execDir: string | null;
  statusFile: string | null;
  /** Answer probes looking for the CMA by multicast, joined on this interface (null: by route). */
  multicast: { interface: string | null } | null;
  /** Auto-monitoring: shipped rules plus the operator's directory; null turns it off. */
  monitoring: { rulesDir?: string; flags: string[] } | null;
  /** Exports on a schedule into outDir (formats by name, all when null); null: none. */
  exports?: { outDir: string; everyMs: number; formats: string | null } | null;
  /** Serve Prometheus metrics on this TCP address ("/metrics"); null: not served by the CMA. */
  metricsListen?: { host: string; port: number } | null;
}

/** A running CMA: its store (shared with the API and exporters of `assim up`) and how to stop it. */
export interface RunningCma {
  store: GraphStore;
  /** The CMA's metrics (and its exports'), for whoever serves /metrics. */
  metrics: Registry;
  /** The auto-monitoring rules loaded (null: monitoring off). */
  rules: readonly Rule[] | null;
  daemon: CmaDaemon;
  log: Logger;
  /** The events log the CMA appends to. */
  eventsLog: string;
  statusFile: string;
  /** Stops the daemon, writes the last status, closes the events sink and the store. */
  close(): Promise<void>;
}

/** Runs the CMA until SIGTERM or SIGINT. */
export async function runCma(options: RunCmaOptions): Promise<void> {
  const cma = await startCma(options);
  const signal = await new Promise<string>((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
  cma.log.info({ signal }, "stopping");
  await cma.close();
  cma.log.info("stopped");
}

/** Which of startCma's sockets a ListenError is about. */
export type CmaListener = typeof UDP_LISTENER | "metrics";

/**
 * Starts the CMA: store, trust, rings, events, the UDP stack and the status file.
 * An address it cannot bind (options.bind) or serve metrics on (options.metricsListen)
 * for a reason listenProblem names is a ListenError whose listener is a CmaListener;
 * what it opened before is closed again.
 */
export async function startCma(
  options: RunCmaOptions,
  log: Logger = createLogger({ service: "cma" }),
): Promise<RunningCma> {
  const settings: CmaSettings = {
    ...DEFAULT_CMA_SETTINGS,
    heartbeat: options.heartbeat,
    discovery: options.discovery,
    checkTimeoutMs: 2 * options.heartbeat.interval_ms + 1000,
    outageWindowMs: options.heartbeat.dead_ms,
  };
  const store = await openConfiguredStore({ dataDir: options.dataDir });
  const trust = new TrustStore(trustDirOf(options.dataDir), options.trustMode);
  const { rings, broken } = await PersistentRings.open(store);
  const eventsLog = options.eventsLog ?? eventsLogOf(options.dataDir);
  const events = openEventSink({
    logFile: eventsLog,
    webhooks: options.webhooks,
    execDir: options.execDir,
    log,
  });
  let stack: ProtocolStack;
  try {
    stack = await openUdpStack({
      keyDir: keyDirOf(options.dataDir),
      keyName: "cma",
      bind: options.bind,
      admission: (key) => trust.admits(key),
      ...(options.multicast
        ? {
            multicastGroups: [DEFAULT_MULTICAST_GROUP],
            ...(options.multicast.interface
              ? { multicastInterface: options.multicast.interface }
              : {}),
          }
        : {}),
    });
  } catch (error) {
    // A ListenError from the stack names UDP_LISTENER, which is CmaListener "udp".
    await events.close();
    await store.close();
    throw error;
  }
  let monitoring: CmaOptions["monitoring"];
  let rules: Rule[] | null = null;
  if (options.monitoring) {
    const loaded = loadRules(
      options.monitoring.rulesDir ? { operatorDir: options.monitoring.rulesDir } : {},
    );
    for (const error of loaded.errors) {
      log.error(
        { file: error.file, line: error.line, column: error.column },
        `monitoring rule not loaded: ${error.message}`,
      );
    }
    log.info(
      { rules: loaded.rules.length, flags: options.monitoring.flags },
      "monitoring rules loaded",
    );
    rules = loaded.rules;
    monitoring = { rules: loaded.rules, explain: { flags: new Set(options.monitoring.flags) } };
  }
  const registry = createMetricsRegistry();
  const daemon = new CmaDaemon({
    metrics: new CmaMetrics(registry),
    stack,
    store,
    rings,
    events,
    settings,
    trust: (key, from) => trust.decide(key, from),
    log,
    ...(monitoring ? { monitoring } : {}),
  });
  const probes = await registeredProbes(store);
  for (const probe of probes) probe.switchKey = rings.switchKeyOf(probe.system);
  daemon.restore(probes);
  daemon.start();
  if (broken.length) {
    log.warn({ rings: broken }, "stored ring order was inconsistent: repaired, restating members");
    const view = rings.view();
    await daemon.restate([...new Set(broken.flatMap((ring) => view[ring] ?? []))]);
  }
  const statusFile = options.statusFile ?? join(options.dataDir, "cma-status.json");
  const writeStatus = async () => {
    try {
      await writeFileAtomic(statusFile, `${JSON.stringify(daemon.status(), null, 2)}\n`);
    } catch (error) {
      log.warn({ err: String(error) }, "could not write the status file");
    }
  };
  let trustSeen = trust.generation;
  const timer = setInterval(() => {
    trust.refresh();
    // Only a change of the trust directories can revoke anyone: no scan of the fleet otherwise.
    if (trust.generation !== trustSeen) {
      trustSeen = trust.generation;
      daemon
        .evict((key) => trust.admits(key))
        .catch((error: unknown) => log.error({ err: String(error) }, "could not evict a probe"));
    }
    void writeStatus();
  }, 1000);
  await writeStatus();
  const exports = options.exports
    ? startExports(
        { store, rules, flags: options.monitoring?.flags ?? [], registry, log },
        options.exports,
      )
    : null;
  let metricsServer: Awaited<ReturnType<typeof startMetricsServer>> | null = null;
  if (options.metricsListen) {
    const { host, port } = options.metricsListen;
    try {
      metricsServer = await startMetricsServer({ registry, host, port });
    } catch (error) {
      clearInterval(timer);
      await exports?.stop();
      await daemon.close();
      await events.close();
      await store.close();
      const where = `cannot serve metrics on ${host} port ${port}`;
      throw listenFailure("metrics" satisfies CmaListener, where, error);
    }
  }
  if (metricsServer) log.info({ url: metricsServer.url }, "metrics served");
  let closing: Promise<void> | undefined;
  return {
    store,
    metrics: registry,
    rules,
    daemon,
    log,
    eventsLog,
    statusFile,
    close() {
      closing ??= (async () => {
        clearInterval(timer);
        await metricsServer?.close();
        await exports?.stop();
        // The last status while the socket is open (status() reads its address).
        await writeStatus();
        await daemon.close();
        await events.close();
        await store.close();
      })();
      return closing;
    },
  };
}

/** The CMA's own export schedule over its store; stop() lets a run in progress finish. */
function startExports(
  cma: {
    store: GraphStore;
    rules: Rule[] | null;
    flags: string[];
    registry: Registry;
    log: Logger;
  },
  exports: NonNullable<RunCmaOptions["exports"]>,
): { stop(): Promise<void> } {
  // Without auto-monitoring the reports still explain by the shipped rules.
  const job = scheduledExport({
    store: cma.store,
    outDir: exports.outDir,
    formats: exports.formats,
    rules: cma.rules,
    flags: cma.flags,
    log: createLogger({ service: "export" }),
    metrics: cma.registry,
  });
  const controller = new AbortController();
  const running = exportEvery(job, exports.everyMs, controller.signal).catch((error: unknown) =>
    cma.log.error({ err: String(error) }, "the export schedule stopped"),
  );
  return {
    async stop() {
      controller.abort();
      await running;
    },
  };
}
