import { join } from "node:path";
import { writeFileAtomic } from "../../lib/atomic-file.js";
import { keyDirOf, trustDirOf } from "../../lib/data-dir.js";
import { createLogger } from "../../lib/log.js";
import { DEFAULT_MULTICAST_GROUP, type HeartbeatTimers } from "../../protocol/messages.js";
import type { UdpAddress } from "../../protocol/transport.js";
import { openUdpStack } from "../../protocol/udp-stack.js";
import { openEventSink } from "../events/event-bus.js";
import { openConfiguredStore } from "../graph/open.js";
import { loadRules } from "../monitoring/load.js";
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
}

/** Runs the CMA until SIGTERM or SIGINT. */
export async function runCma(options: RunCmaOptions): Promise<void> {
  const log = createLogger({ service: "cma" });
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
  const events = openEventSink({
    logFile: options.eventsLog ?? join(options.dataDir, "events.jsonl"),
    webhooks: options.webhooks,
    execDir: options.execDir,
    log,
  });
  const stack = await openUdpStack({
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
  let monitoring: CmaOptions["monitoring"];
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
    monitoring = { rules: loaded.rules, explain: { flags: new Set(options.monitoring.flags) } };
  }
  const daemon = new CmaDaemon({
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
  const writeStatus = () =>
    writeFileAtomic(statusFile, `${JSON.stringify(daemon.status(), null, 2)}\n`).catch(
      (error: unknown) => log.warn({ err: String(error) }, "could not write the status file"),
    );
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
  const signal = await new Promise<string>((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
  log.info({ signal }, "stopping");
  clearInterval(timer);
  await daemon.close();
  await writeStatus();
  await events.close();
  await store.close();
  log.info("stopped");
}
