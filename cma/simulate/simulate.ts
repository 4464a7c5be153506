import { randomBytes } from "node:crypto";
import { silentLogger } from "../../lib/log.js";
import { InProcessNetwork } from "../../protocol/in-process.js";
import type { ProtocolStack } from "../../protocol/stack.js";
import type { UdpAddress } from "../../protocol/transport.js";
import { hostSystemKey } from "../graph/keys.js";
import type { GraphStore } from "../graph/store.js";
import { CmaDaemon } from "../server/cma-daemon.js";
import { type CmaSettings, DEFAULT_CMA_SETTINGS } from "../server/config.js";
import type { CmaEventInput, EventSink, Rings } from "../server/ports.js";
import { SimulatedProbe } from "./simulated-probe.js";

export type Transport = "udp" | "memory";

/** Makes the protocol stacks of one simulation: real UDP and crypto, or in-process. */
export interface StackFactory {
  cma(): Promise<ProtocolStack>;
  probe(index: number): Promise<ProtocolStack>;
  /** kill -9 of one probe's stack. */
  kill(stack: ProtocolStack): Promise<void>;
  /** Ring commands delivered so far (SEND_EXPECT_HB and STOP_SEND_EXPECT_HB). */
  ringCommands(probes: readonly SimulatedProbe[]): number;
  close(): Promise<void>;
}

export interface SimulationOptions {
  systems: number;
  store: GraphStore;
  rings: Rings;
  stacks: StackFactory;
  /** How many of the systems die after registration (default 1%, at least 1, at most 1000). */
  deaths?: number;
  concurrency?: number;
  /** Hosts per simulated switch: each system reports the switch port it is wired to (0: none). */
  hostsPerSwitch?: number;
  onProgress?: (phase: string, done: number, total: number) => void;
}

export interface SimulationReport {
  systems: number;
  registration_seconds: number;
  registrations_per_second: number;
  ring_messages_per_join: number;
  switches: number;
  switch_report_seconds: number;
  /** Ring commands per host moved onto its switch ring (after its switch document is stored). */
  ring_messages_per_switch_join: number;
  deaths: number;
  death_seconds: number;
  ring_messages_per_leave: number;
  heartbeat_packets_per_node_per_interval: number;
  partners_max: number;
  rings_consistent: boolean;
  inconsistent_probes: number;
  /** Events the CMA emitted, by type. */
  events: Record<string, number>;
  peak_rss_mib: number;
}

class CountingSink implements EventSink {
  readonly counts = new Map<string, number>();
  emit(event: CmaEventInput): void {
    this.counts.set(event.type, (this.counts.get(event.type) ?? 0) + 1);
  }
  async close(): Promise<void> {}
}

const machineIdOf = (index: number) => index.toString(16).padStart(32, "0");

/** In-process stacks: no sockets, no crypto; the CMA's code is the same. */
export function inProcessStacks(): StackFactory {
  const network = new InProcessNetwork();
  const address = (index: number): UdpAddress => ({
    address: `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`,
    port: 1984,
  });
  return {
    cma: async () => network.createStack("cma", { address: "10.255.255.254", port: 1984 }),
    probe: async (index) => network.createStack(`probe-${index}`, address(index)),
    kill: async (stack) => network.kill(stack.endpoint.publicKey),
    ringCommands: () =>
      (network.delivered.get("SEND_EXPECT_HB") ?? 0) +
      (network.delivered.get("STOP_SEND_EXPECT_HB") ?? 0),
    close: async () => undefined,
  };
}

async function inBatches<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
  progress: (done: number) => void,
): Promise<void> {
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
      done++;
      if (done % 1000 === 0 || done === items.length) progress(done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/**
 * Drives N simulated systems through the CMA's real registration and ring code,
 * then kills some and has their ring neighbours report them, and checks that
 * every live probe's partner sets equal the CMA's rings.
 */
export async function runSimulation(options: SimulationOptions): Promise<SimulationReport> {
  const { systems, stacks, rings } = options;
  const progress = options.onProgress ?? (() => undefined);
  const events = new CountingSink();
  const settings: CmaSettings = {
    ...DEFAULT_CMA_SETTINGS,
    checkTimeoutMs: 50,
    outageWindowMs: 1000,
  };
  const cmaStack = await stacks.cma();
  const cma = new CmaDaemon({
    stack: cmaStack,
    store: options.store,
    rings,
    events,
    settings,
    trust: () => "trusted",
    log: silentLogger,
  });
  cma.start();
  const cmaRef = { key: cmaStack.endpoint.publicKey, address: cmaStack.endpoint.address() };
  const probes: SimulatedProbe[] = [];
  for (let index = 1; index <= systems; index++) {
    probes.push(new SimulatedProbe(await stacks.probe(index), machineIdOf(index), cmaRef));
    if (index % 10_000 === 0) progress("start probes", index, systems);
  }

  const registrationStart = performance.now();
  await inBatches(
    probes,
    options.concurrency ?? 256,
    (probe) => probe.register(),
    (done) => progress("register", done, systems),
  );
  const registrationSeconds = (performance.now() - registrationStart) / 1000;
  // Ring commands are sent after each STARTUP is acknowledged: let them land.
  await settle(() => stacks.ringCommands(probes), cmaStack);
  const joinMessages = stacks.ringCommands(probes);

  const hostsPerSwitch = options.hostsPerSwitch ?? 0;
  const switchStart = performance.now();
  if (hostsPerSwitch > 0) {
    const indexOf = new Map(probes.map((probe, index) => [probe, index]));
    await inBatches(
      probes,
      options.concurrency ?? 256,
      (probe) => {
        const index = indexOf.get(probe) as number;
        return probe.reportSwitch(
          1 + Math.floor(index / hostsPerSwitch),
          1 + (index % hostsPerSwitch),
        );
      },
      (done) => progress("switch reports", done, systems),
    );
    await settle(() => stacks.ringCommands(probes), cmaStack);
  }
  const switchSeconds = (performance.now() - switchStart) / 1000;
  const switchJoinMessages = stacks.ringCommands(probes) - joinMessages;

  const deaths = Math.min(
    options.deaths ?? Math.min(1000, Math.max(1, Math.floor(systems / 100))),
    systems - 3,
  );
  const victims = pick(probes, Math.max(0, deaths));
  const bySystem = new Map(probes.map((probe) => [hostSystemKey(probe.machineId), probe]));
  const deathStart = performance.now();
  let reported = 0;
  for (const victim of victims) {
    await stacks.kill(victim.stack);
    const member = hostSystemKey(victim.machineId);
    const neighbours = [...new Set(Object.values(rings.partnersOf(member)).flat())];
    for (const neighbour of neighbours) {
      const reporter = bySystem.get(neighbour);
      if (!reporter) continue;
      const shared = Object.entries(rings.partnersOf(member))
        .filter(([, partners]) => partners.includes(neighbour))
        .map(([ring]) => ring);
      await reporter
        .reportDead(
          { key: victim.stack.endpoint.publicKey, machine_id: victim.machineId, addr: "" },
          shared,
        )
        .catch(() => undefined);
    }
    reported++;
    if (reported % 100 === 0 || reported === victims.length)
      progress("deaths", reported, victims.length);
  }
  const deadKeys = new Set(victims.map((victim) => victim.stack.endpoint.publicKey));
  await settle(() => stacks.ringCommands(probes), cmaStack, deadKeys);
  const deathSeconds = (performance.now() - deathStart) / 1000;
  const leaveMessages = stacks.ringCommands(probes) - joinMessages - switchJoinMessages;

  const dead = new Set(victims);
  const live = probes.filter((probe) => !dead.has(probe));
  let packets = 0;
  let inconsistent = 0;
  let partnersMax = 0;
  for (const probe of live) {
    packets += probe.heartbeatRound();
    const expected = rings.partnersOf(hostSystemKey(probe.machineId));
    const view = probe.rings.view();
    const count = new Set(Object.values(view).flatMap((ring) => ring.partners)).size;
    partnersMax = Math.max(partnersMax, count);
    const wanted = Object.fromEntries(
      Object.entries(expected)
        .filter(([, members]) => members.length > 0)
        .map(([ring, members]) => [ring, members.map((m) => m.replace(/^host:/, "")).sort()]),
    );
    const got = Object.fromEntries(
      Object.entries(view).map(([ring, state]) => [ring, state.partners]),
    );
    if (JSON.stringify(sortKeys(wanted)) !== JSON.stringify(sortKeys(got))) inconsistent++;
  }
  await cma.close();
  for (const probe of probes) await probe.stop();
  await stacks.close();
  return {
    systems,
    registration_seconds: round(registrationSeconds),
    registrations_per_second: Math.round(systems / registrationSeconds),
    ring_messages_per_join: round(joinMessages / systems),
    switches: hostsPerSwitch > 0 ? Math.ceil(systems / hostsPerSwitch) : 0,
    switch_report_seconds: round(switchSeconds),
    ring_messages_per_switch_join: hostsPerSwitch > 0 ? round(switchJoinMessages / systems) : 0,
    deaths: victims.length,
    death_seconds: round(deathSeconds),
    ring_messages_per_leave: victims.length ? round(leaveMessages / victims.length) : 0,
    heartbeat_packets_per_node_per_interval: round(packets / Math.max(1, live.length)),
    partners_max: partnersMax,
    rings_consistent: inconsistent === 0,
    inconsistent_probes: inconsistent,
    events: Object.fromEntries(events.counts),
    peak_rss_mib: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

const round = (value: number) => Math.round(value * 100) / 100;

function sortKeys(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

function pick<T>(items: readonly T[], count: number): T[] {
  const chosen = new Set<number>();
  const seed = randomBytes(4).readUInt32BE(0);
  let state = seed || 1;
  while (chosen.size < Math.min(count, items.length)) {
    state = (state * 1103515245 + 12345) >>> 0;
    chosen.add(state % items.length);
  }
  return [...chosen].map((index) => items[index] as T);
}

/**
 * Waits until a counter stops moving and the CMA has nothing left unacknowledged
 * (over UDP a lost packet is retransmitted later), bounded: 60 s.
 */
async function settle(
  counter: () => number,
  cma: ProtocolStack,
  dead: ReadonlySet<string> = new Set(),
): Promise<void> {
  const deadline = performance.now() + 60_000;
  let last = -1;
  while (performance.now() < deadline) {
    const now = counter();
    // Commands to a system killed meanwhile stay pending until they time out: not worth a wait.
    const waiting = Object.keys(cma.messenger.pending()).filter((key) => !dead.has(key));
    if (now === last && waiting.length === 0) return;
    last = now;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
