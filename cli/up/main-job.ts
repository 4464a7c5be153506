/**
 * The main job, `assim up`: the CMA with its graph, a probe for this host (or a
 * lab of hosts), the exporters on a schedule into OUT, and the REST API with the
 * web view on loopback. Stops everything on abort; a second run resumes the
 * same graph from the data directory.
 */
import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Registry } from "prom-client";
import type { ApiServer } from "../../cma/api/server.js";
import { describeStore, openConfiguredStore } from "../../cma/graph/open.js";
import type { GraphStore } from "../../cma/graph/store.js";
import type { Rule } from "../../cma/monitoring/types.js";
import { type CmaListener, type RunningCma, startCma } from "../../cma/server/run.js";
import type { ExportSummary } from "../../exporters/run.js";
import {
  exportEvery,
  exportOnce,
  type ScheduledExport,
  scheduledExport,
} from "../../exporters/schedule.js";
import { cmaDir, cmaStatusFile } from "../../lab/daemons.js";
import { Lab } from "../../lab/lab.js";
import { readJson } from "../../lab/status.js";
import { DEFAULT_NAME } from "../../lab/topology.js";
import { eventsLogOf, keyDirOf } from "../../lib/data-dir.js";
import { listenFailure } from "../../lib/listen.js";
import type { Logger } from "../../lib/log.js";
import { createMetricsRegistry } from "../../lib/metrics/registry.js";
import { allDiscoveryTypes } from "../../probe/discovery/registry.js";
import { type ProbeChild, startProbeChild } from "./probe-child.js";

export interface MainJobOptions {
  dataDir: string;
  outDir: string;
  /** The CMA's UDP port on 127.0.0.1 (local mode). */
  cmaPort: number;
  apiHost: string;
  apiPort: number;
  exportEveryMs: number;
  /** Run until the first export is written, then stop. */
  once: boolean;
  monitoring: boolean;
  /** Hosts of a lab in network namespaces instead of a probe for this host; null: this host. */
  lab: { hosts: number; switches: number; name: string } | null;
  /** Progress and "where is what" lines for the terminal. */
  say: (line: string) => void;
  /** A logger for each part ("cma", "export"). */
  logger: (service: string) => Logger;
  signal: AbortSignal;
}

/**
 * Which socket of the main job a ListenError is about: the CMA's UDP port
 * (cmaPort) or the API's address (apiHost, apiPort).
 */
export type UpListener = Extract<CmaListener, "udp"> | "api";

/** How long the graph must stay still before `--once` exports (discovery has landed). */
const SETTLE_MS = 4000;
const READY_TIMEOUT_MS = 180_000;

/** What the running parts have in common, whichever mode. */
interface Running {
  store: GraphStore;
  registry: Registry;
  /** The monitoring rules the unmonitored report explains by (null: the shipped ones). */
  rules: readonly Rule[] | null;
  eventsLog: string;
  /** Probes up and discovery documents stored so far. */
  progress(): { up: number; stored: number };
  expectedProbes: number;
  stop(): Promise<void>;
}

export async function runMainJob(options: MainJobOptions): Promise<ExportSummary | null> {
  const { say } = options;
  mkdirSync(join(options.dataDir, "logs"), { recursive: true });
  const running = options.lab ? await startLabMode(options) : await startLocalMode(options);
  let api: ApiServer | null = null;
  try {
    api = await startApi(options, running);
    say(`web view and API: ${api.url}/ (metrics: ${api.url}/metrics)`);
    const job = exportJob(options, running);
    const formats = job.formats.map((f) => f.name).join(", ");
    if (options.once) {
      say(`waiting for discovery to land (at most ${READY_TIMEOUT_MS / 1000} s)`);
      await waitForDiscovery(running, options);
      const summary = await exportOnce(job);
      if (summary) {
        say(
          `exported ${summary.records} records (${summary.added} added, ${summary.changed} changed, ${summary.removed} removed) into ${options.outDir}: ${formats}`,
        );
      }
      return summary;
    }
    say(`exports every ${options.exportEveryMs / 1000} s into ${options.outDir}: ${formats}`);
    say("Ctrl-C stops everything");
    await exportEvery(job, options.exportEveryMs, options.signal);
    return null;
  } finally {
    say("stopping");
    await api?.close(2000);
    await running.stop();
    say("stopped");
  }
}

async function startLocalMode(options: MainJobOptions): Promise<Running> {
  const { say, dataDir } = options;
  const cma: RunningCma = await startCma(
    {
      bind: { address: "127.0.0.1", port: options.cmaPort },
      dataDir,
      trustMode: "tofu",
      heartbeat: { interval_ms: 1000, warn_ms: 3000, dead_ms: 10_000 },
      discovery: { types: [...allDiscoveryTypes], interval_s: 300, switch_seconds: 32 },
      eventsLog: null,
      webhooks: [],
      execDir: null,
      statusFile: null,
      multicast: null,
      monitoring: options.monitoring ? { flags: [] } : null,
    },
    options.logger("cma"),
  );
  const known = (cma.daemon.status().probes as unknown[]).length;
  say(
    `graph: ${describeStore({ dataDir })}${known ? ` (resumed: ${known} probe(s) registered before)` : ""}`,
  );
  say(`CMA on udp 127.0.0.1:${options.cmaPort}, events in ${cma.eventsLog}`);
  let probe: ProbeChild;
  try {
    probe = await startProbeChild({
      cmaPort: options.cmaPort,
      cmaKey: join(keyDirOf(dataDir), "cma.pub"),
      dataDir: join(dataDir, "probe"),
      log: join(dataDir, "logs", "probe.log"),
    });
  } catch (error) {
    await cma.close();
    throw error;
  }
  say(`probe for this host: pid ${probe.child.pid}, log ${probe.log}`);
  let stopping = false;
  void probe.exited.then((code) => {
    if (!stopping) say(`the probe exited (${code}); see ${probe.log}`);
  });
  return {
    store: cma.store,
    registry: cma.metrics,
    rules: cma.rules,
    eventsLog: cma.eventsLog,
    expectedProbes: 1,
    progress() {
      const status = cma.daemon.status() as {
        probes: { state: string }[];
        counters: Record<string, number>;
      };
      return {
        up: status.probes.filter((p) => p.state === "up").length,
        stored: status.counters.documents_stored ?? 0,
      };
    },
    async stop() {
      stopping = true;
      await probe.stop();
      await cma.close();
    },
  };
}

async function startLabMode(options: MainJobOptions): Promise<Running> {
  const lab = options.lab as NonNullable<MainJobOptions["lab"]>;
  const { say } = options;
  say(`building a lab of ${lab.hosts} host(s) on ${lab.switches} switch(es)`);
  const built = await Lab.up({
    name: lab.name,
    hosts: lab.hosts,
    switches: lab.switches,
    replace: true,
    progress: (line) => say(`lab: ${line}`),
  });
  const dir = cmaDir(built.state);
  let store: GraphStore;
  try {
    store = await openConfiguredStore({ dataDir: dir });
  } catch (error) {
    await built.down();
    throw error;
  }
  say(
    `graph: ${describeStore({ dataDir: dir })}; "assim lab kill h2${lab.name === DEFAULT_NAME ? "" : ` --name ${lab.name}`}" shows a failure`,
  );
  return {
    store,
    // The lab's CMA is another process: this registry holds the exports' metrics only.
    registry: createMetricsRegistry(),
    rules: null,
    eventsLog: eventsLogOf(dir),
    expectedProbes: lab.hosts,
    progress() {
      const status = readJson(cmaStatusFile(built.state)) as
        | { probes?: { state: string }[]; counters?: Record<string, number> }
        | undefined;
      return {
        up: status?.probes?.filter((p) => p.state === "up").length ?? 0,
        stored: status?.counters?.documents_stored ?? 0,
      };
    },
    async stop() {
      await store.close();
      await built.down((line) => say(`lab: ${line}`));
    },
  };
}

async function startApi(options: MainJobOptions, running: Running): Promise<ApiServer> {
  // Loaded here: express costs every other command its load time.
  const { startApiServer } = await import("../../cma/api/server.js");
  const { jsonLineSink } = await import("../../cma/api/request-log.js");
  const requests = createWriteStream(join(options.dataDir, "logs", "api.log"), { flags: "a" });
  try {
    return await startApiServer({
      store: running.store,
      host: options.apiHost,
      port: options.apiPort,
      log: jsonLineSink(requests),
      metrics: running.registry,
      eventsLog: running.eventsLog,
      exportDir: options.outDir,
    });
  } catch (error) {
    requests.end();
    const where = `cannot listen on ${options.apiHost} port ${options.apiPort}`;
    throw listenFailure("api" satisfies UpListener, where, error);
  }
}

function exportJob(options: MainJobOptions, running: Running): ScheduledExport {
  return scheduledExport({
    store: running.store,
    outDir: options.outDir,
    formats: null,
    rules: running.rules,
    log: options.logger("export"),
    metrics: running.registry,
  });
}

/** Until every expected probe is up and no document arrived for SETTLE_MS (bounded). */
async function waitForDiscovery(running: Running, options: MainJobOptions): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = running.progress();
  let stillSince = Date.now();
  while (Date.now() < deadline && !options.signal.aborted) {
    await sleep(500);
    const now = running.progress();
    if (now.stored !== last.stored || now.up !== last.up) stillSince = Date.now();
    last = now;
    const settled = Date.now() - stillSince >= SETTLE_MS;
    if (now.up >= running.expectedProbes && now.stored > 0 && settled) return;
  }
  if (!options.signal.aborted) {
    options.say(
      `discovery did not settle within ${READY_TIMEOUT_MS / 1000} s (${last.up} probe(s) up, ${last.stored} document(s)); exporting what is there`,
    );
  }
}
