/**
 * Detection time, measured: N simulated systems over real UDP and crypto on
 * loopback heartbeat their partners with the real failure detector; systems
 * are killed one at a time (their sockets closed, as kill -9 would) and the
 * time from the kill to the CMA's host_down event is recorded.
 */

import type { GraphStore } from "../../cma/graph/store.js";
import { RingSet } from "../../cma/rings/ring-set.js";
import { CmaDaemon } from "../../cma/server/cma-daemon.js";
import { type CmaSettings, DEFAULT_CMA_SETTINGS } from "../../cma/server/config.js";
import type { CmaEventInput } from "../../cma/server/ports.js";
import { SimulatedProbe } from "../../cma/simulate/simulated-probe.js";
import { udpStacks } from "../../cma/simulate/udp-stacks.js";
import { silentLogger } from "../../lib/log.js";
import type { HeartbeatTimers } from "../../protocol/messages.js";

export interface DetectionFigures {
  systems: number;
  kills: number;
  timers: HeartbeatTimers;
  median_ms: number;
  p99_ms: number;
  max_ms: number;
  false_deaths: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;

export async function measureDetection(
  store: GraphStore,
  systems: number,
  kills: number,
  timers: HeartbeatTimers,
): Promise<DetectionFigures> {
  const stacks = udpStacks();
  const cmaStack = await stacks.cma();
  const downs = new Map<string, number>();
  const settings: CmaSettings = {
    ...DEFAULT_CMA_SETTINGS,
    heartbeat: timers,
    checkTimeoutMs: 2 * timers.interval_ms + 200,
    outageWindowMs: timers.dead_ms,
  };
  const cma = new CmaDaemon({
    stack: cmaStack,
    store,
    rings: new RingSet(),
    events: {
      emit: (event: CmaEventInput) => {
        if (event.type === "host_down") downs.set(event.system, performance.now());
      },
      close: async () => undefined,
    },
    settings,
    trust: () => "trusted",
    log: silentLogger,
  });
  cma.start();
  const ref = { key: cmaStack.endpoint.publicKey, address: cmaStack.endpoint.address() };
  const probes: SimulatedProbe[] = [];
  for (let index = 1; index <= systems; index++) {
    const probe = new SimulatedProbe(
      await stacks.probe(index),
      (0xd0000000 + index).toString(16).padStart(32, "0"),
      ref,
    );
    await probe.register();
    probes.push(probe);
  }
  await new Promise((resolve) => setTimeout(resolve, 1000)); // ring commands land
  for (const probe of probes) probe.startHeartbeats(timers);
  await new Promise((resolve) => setTimeout(resolve, 3 * timers.interval_ms));

  const times: number[] = [];
  const killed = new Set<string>();
  for (let k = 0; k < Math.min(kills, systems - 3); k++) {
    const victim = probes[(k * 7919) % probes.length] as SimulatedProbe;
    const system = `host:${victim.machineId}`;
    if (killed.has(system)) continue;
    killed.add(system);
    const at = performance.now();
    await victim.stop();
    const deadline = at + 4 * timers.dead_ms + 5000;
    while (!downs.has(system) && performance.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10));
    const seen = downs.get(system);
    if (seen !== undefined) times.push(seen - at);
    // Let the ring settle around the gap before the next kill.
    await new Promise((resolve) => setTimeout(resolve, 2 * timers.interval_ms));
  }
  const falseDeaths = [...downs.keys()].filter((system) => !killed.has(system)).length;
  await cma.close();
  for (const probe of probes) await probe.stop();
  await stacks.close();
  times.sort((a, b) => a - b);
  return {
    systems,
    kills: times.length,
    timers,
    median_ms: Math.round(percentile(times, 0.5)),
    p99_ms: Math.round(percentile(times, 0.99)),
    max_ms: Math.round(times.at(-1) ?? 0),
    false_deaths: falseDeaths,
  };
}
