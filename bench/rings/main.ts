/**
 * bench/rings: the heartbeat rings and the CMA's registration, measured.
 *
 * 1. Registration through the CMA's real code (`assim simulate`, each run its
 *    own process so its peak RSS is its own): 10,000 systems over real UDP and
 *    crypto on loopback, 250,000 in memory (target < 2 min on the embedded
 *    store; the original managed about 380/s), 1,000,000 with --million
 *    (target < 11 min), and 10,000 on Neo4j when it can be started here.
 * 2. Heartbeat packets per node per second at N = 10, 10^4, 10^6 from the
 *    real ring code: must not grow with N.
 * 3. Ring commands (and packets: each is one sealed DATA and one ACK) a day
 *    for 1,000,000 nodes at 0.1% daily churn; the seed claims fewer than
 *    10,000 packets a day.
 * 4. Detection time (kill -> host_down) median and p99, over real UDP with
 *    the real failure detector.
 *
 *   npm run bench -- rings
 *   node dist/bench/rings/main.js [--million] [--no-neo4j]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openEmbeddedStore } from "../../cma/graph/embedded/store.js";
import { RingSet } from "../../cma/rings/ring-set.js";
import { inProcessStacks, runSimulation } from "../../cma/simulate/simulate.js";
import { packageRoot } from "../../lib/package-root.js";
import { openBenchStore } from "../ingest/stores.js";
import { measureDetection } from "./detection.js";
import { buildFleet, churnCommands, heartbeatsPerNodePerInterval } from "./ring-costs.js";

const HOSTS_PER_SWITCH = 40;
const args = new Set(process.argv.slice(2));
const say = (line: string) => process.stdout.write(`${line}\n`);

function simulate(systems: number, transport: "udp" | "memory", hostsPerSwitch: number) {
  const started = performance.now();
  const result = spawnSync(
    process.execPath,
    [
      join(packageRoot(), "bin", "assim.js"),
      "simulate",
      ...["--systems", String(systems), "--transport", transport],
      ...["--hosts-per-switch", String(hostsPerSwitch), "--json"],
    ],
    { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 16 * 1024 * 1024 },
  );
  // Exit 1 with figures means the rings came out inconsistent: that is a figure too.
  if (result.status !== 0 && !result.stdout.trim().startsWith("{"))
    throw new Error(
      `assim simulate --systems ${systems} failed (${result.status ?? result.signal})`,
    );
  return {
    wall_s: Math.round((performance.now() - started) / 100) / 10,
    ...(JSON.parse(result.stdout) as Record<string, unknown>),
  };
}

function printRun(label: string, figures: Record<string, unknown>): void {
  say(`  ${label}`);
  for (const key of [
    "registration_seconds",
    "registrations_per_second",
    "ring_messages_per_join",
    "ring_messages_per_leave",
    "ring_messages_per_switch_join",
    "partners_max",
    "rings_consistent",
    "inconsistent_probes",
    "peak_rss_mib",
    "wall_s",
  ]) {
    if (key in figures) say(`    ${key.padEnd(32)} ${JSON.stringify(figures[key])}`);
  }
}

async function registration(): Promise<void> {
  say("registration through the CMA's real code (embedded store)");
  printRun(
    "10,000 systems, real UDP + crypto on loopback, 40 hosts a switch",
    simulate(10_000, "udp", HOSTS_PER_SWITCH),
  );
  const big = simulate(250_000, "memory", 0);
  printRun("250,000 systems, in-process transport (target < 120 s; the original: ~380/s)", big);
  if (args.has("--million")) {
    printRun(
      "1,000,000 systems, in-process transport (target < 660 s)",
      simulate(1_000_000, "memory", 0),
    );
  } else say("  1,000,000 systems: run with --million (about 4 GiB of RSS, 5 minutes)");
  if (args.has("--no-neo4j")) return;
  const opened = await openBenchStore("neo4j");
  if (!opened.ok) {
    say(`  Neo4j: skipped (${opened.reason})`);
    return;
  }
  try {
    const report = await runSimulation({
      systems: 10_000,
      store: opened.bench.store,
      rings: new RingSet(),
      stacks: inProcessStacks(),
      hostsPerSwitch: 0,
    });
    printRun("10,000 systems on Neo4j, in-process transport", { ...report });
  } finally {
    await opened.bench.dispose();
  }
}

async function heartbeats(): Promise<void> {
  say("heartbeat packets per node per second (interval 1 s, 40 hosts a switch)");
  const figures: number[] = [];
  for (const size of [10, 10_000, 1_000_000]) {
    const fleet = await buildFleet(size, HOSTS_PER_SWITCH);
    const perNode = heartbeatsPerNodePerInterval(fleet);
    figures.push(perNode);
    say(`  N = ${size.toLocaleString("en").padEnd(10)} ${perNode.toFixed(2)} packets/node/s`);
    if (size === 1_000_000) {
      const churn = await churnCommands(fleet, 0.001, HOSTS_PER_SWITCH);
      say("ring repair for 1,000,000 nodes at 0.1% daily churn");
      say(`  ${churn.leaves} leaves and ${churn.joins} rejoins a day`);
      say(
        `  ${churn.commands} ring commands a day (${(churn.commands / (churn.leaves + churn.joins)).toFixed(2)} per change)`,
      );
      say(
        `  ${2 * churn.commands} packets a day (each command one DATA and one ACK; the seed claims < 10,000)`,
      );
    }
  }
  const growth = (figures.at(-1) ?? 0) / (figures[1] ?? 1);
  say(`  10^6 / 10^4 ratio: ${growth.toFixed(3)} (flat means O(1) per node)`);
}

async function detection(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "assim-bench-rings-"));
  const store = await openEmbeddedStore({ dataDir: dir });
  try {
    const timers = { interval_ms: 200, warn_ms: 600, dead_ms: 2000 };
    say(
      `detection time, kill -> host_down (real UDP; interval ${timers.interval_ms} ms, dead ${timers.dead_ms} ms)`,
    );
    const figures = await measureDetection(store, 200, 30, timers);
    say(
      `  systems ${figures.systems}, kills ${figures.kills}, false deaths ${figures.false_deaths}`,
    );
    say(`  median ${figures.median_ms} ms, p99 ${figures.p99_ms} ms, max ${figures.max_ms} ms`);
    say(`  (deadtime + 2 intervals = ${timers.dead_ms + 2 * timers.interval_ms} ms)`);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await registration();
await heartbeats();
await detection();
