/**
 * bench/monitor: the probe's resource manager under a steady load (issue #6
 * §4): N monitoring actions (default 500) on one probe at one interval
 * (default 10 s) for a while (default 300 s). Target: the probe uses less than
 * 2% of one core and its RSS stays under 120 MB.
 *
 * A child process (child.ts) hosts one ResourceManager as the probe daemon
 * builds it, with a mix of real agents: check_tcp against a loopback listener
 * this process opens, check_dummy 0, and ocf:heartbeat:Dummy monitors
 * (started first). This process samples /proc/<child>/stat and status every
 * second:
 *
 * - the child's own utime + stime: the Node process, i.e. the probe's cost of
 *   scheduling, spawning, reading output and parsing results. This is what the
 *   2% target is about.
 * - its cutime + cstime: the agents it ran (reaped children and their
 *   children). Forking about 50 agent processes a second costs far more than
 *   the probe itself; that is the agents' cost, reported apart.
 * - VmRSS: the child's resident memory (agents not included).
 *
 * The first interval after the Dummy resources are started is warm-up (every
 * resource's first check, JIT) and is left out of the CPU figures; RSS max
 * counts the whole run. CPU is given as a mean over the measured part and as
 * the largest value over windows of one interval (one round of every check).
 * Completed checks are counted by the child, so operations per second shows
 * the load really ran (N / interval expected).
 *
 * There is no peer tool here: the figures are printed against the targets.
 *
 *   npm run bench -- monitor
 *   node dist/bench/monitor/main.js [--actions N] [--interval-seconds S] [--seconds S]
 *                                   [--cpu-prof DIR]
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const TARGET_CPU_PERCENT = 2;
const TARGET_RSS_MB = 120;
const MIB = 2 ** 20;
const SAMPLE_MS = 1_000;
const PROGRESS_EVERY_MS = 30_000;
/** How long the child may take to start its Dummy resources before the run gives up. */
const READY_TIMEOUT_MS = 120_000;
const PLUGINS = "/usr/lib/nagios/plugins";
const DUMMY = "/usr/lib/ocf/resource.d/heartbeat/Dummy";

interface Options {
  actions: number;
  intervalSeconds: number;
  seconds: number;
  cpuProf: string | null;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { actions: 500, intervalSeconds: 10, seconds: 300, cpuProf: null };
  const positive = (flag: string, text: string | undefined) => {
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new Error(`${flag} wants a positive integer, got ${JSON.stringify(text)}`);
    }
    return value;
  };
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === "--actions") options.actions = positive(flag, value);
    else if (flag === "--interval-seconds") options.intervalSeconds = positive(flag, value);
    else if (flag === "--seconds") options.seconds = positive(flag, value);
    else if (flag === "--cpu-prof" && value) options.cpuProf = value;
    else throw new Error(`unknown argument ${JSON.stringify(flag)}`);
  }
  if (options.intervalSeconds < 2) throw new Error("--interval-seconds must be at least 2");
  if (options.seconds < 2 * options.intervalSeconds)
    throw new Error("--seconds must cover at least two intervals (the first is warm-up)");
  return options;
}

const say = (text = "") => process.stdout.write(`${text}\n`);
const progress = (text: string) => process.stderr.write(`bench/monitor: ${text}\n`);
const fmt = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : "n/a");

function clockTicks(): number {
  const out = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" });
  const ticks = Number(out.stdout?.trim());
  return Number.isSafeInteger(ticks) && ticks > 0 ? ticks : 100;
}

interface Sample {
  /** ms, this process's clock */
  at: number;
  /** seconds of CPU: the child itself, and its reaped children */
  self: number;
  agents: number;
  rssBytes: number;
  /** completed checks, as last reported by the child */
  ops: number;
}

/** The child's CPU (own and reaped children's, seconds) and RSS; null once it is gone. */
function readProc(
  pid: number,
  ticks: number,
): { self: number; agents: number; rssBytes: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after "(comm)": state is field 3, utime 14, stime 15, cutime 16, cstime 17.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const field = (n: number) => Number(rest[n - 3]);
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const rss = /^VmRSS:\s+(\d+) kB/m.exec(status);
    return {
      self: (field(14) + field(15)) / ticks,
      agents: (field(16) + field(17)) / ticks,
      rssBytes: rss ? Number(rss[1]) * 1024 : 0,
    };
  } catch {
    return null;
  }
}

/** A loopback listener for check_tcp; it accepts and closes. */
function listen(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address && typeof address === "object") resolve({ server, port: address.port });
      else reject(new Error("listener has no port"));
    });
  });
}

interface ChildLine {
  t: number;
  ops: number;
  busy?: number;
  changes: number;
  ready?: boolean;
  notStarted?: number;
  done?: boolean;
  states?: Record<string, number>;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  for (const program of [join(PLUGINS, "check_tcp"), join(PLUGINS, "check_dummy"), DUMMY]) {
    if (!existsSync(program)) {
      say(`not measured: ${program} is not installed`);
      return;
    }
  }
  const ticks = clockTicks();
  const dir = mkdtempSync(join(tmpdir(), "assim-bench-monitor-"));
  const { server, port } = await listen();
  const childArgs = [
    ...(options.cpuProf ? ["--cpu-prof", "--cpu-prof-dir", options.cpuProf] : []),
    fileURLToPath(new URL("./child.js", import.meta.url)),
    ...["--dir", dir, "--port", String(port), "--actions", String(options.actions)],
    ...["--interval-seconds", String(options.intervalSeconds)],
    ...["--seconds", String(options.seconds)],
  ];
  const child = spawn(process.execPath, childArgs, { stdio: ["pipe", "pipe", "inherit"] });
  const pid = child.pid;
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) =>
    child.on("exit", () => {
      exited = true;
      resolve();
    }),
  );
  const cleanup = () => {
    if (!exited) child.kill("SIGKILL");
    server.close();
    // An agent the killed child left running may still touch the directory: retry.
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    } catch (error) {
      progress(`could not remove ${dir}: ${(error as Error).message}`);
    }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    cleanup();
    process.kill(process.pid, signal);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  process.once("exit", () => {
    if (!exited) child.kill("SIGKILL");
  });

  let last: ChildLine = { t: 0, ops: 0, changes: 0 };
  let final: ChildLine | null = null;
  let maxBusy = 0;
  let readyAt: number | null = null;
  createInterface({ input: child.stdout }).on("line", (line) => {
    let parsed: ChildLine;
    try {
      parsed = JSON.parse(line) as ChildLine;
    } catch {
      return;
    }
    if (parsed.done) final = parsed;
    else last = parsed;
    if (parsed.busy !== undefined && readyAt !== null) maxBusy = Math.max(maxBusy, parsed.busy);
    if (parsed.ready && readyAt === null) {
      readyAt = performance.now();
      if (parsed.notStarted) progress(`${parsed.notStarted} Dummy resources did not start`);
    }
  });

  try {
    if (pid === undefined) throw new Error("child did not start");
    say(
      `${options.actions} monitoring actions on one probe (ResourceManager, default concurrency cap), ` +
        `interval ${options.intervalSeconds} s, ${options.seconds} s`,
    );
    say(
      "agents in turn: check_tcp to a loopback listener, check_dummy 0, ocf:heartbeat:Dummy monitor",
    );
    const started = performance.now();
    while (readyAt === null) {
      if (exited) throw new Error("child exited before it was ready");
      if (performance.now() - started > READY_TIMEOUT_MS)
        throw new Error(`child not ready after ${READY_TIMEOUT_MS / 1000} s`);
      await sleep(100);
    }
    progress(`ready after ${fmt((performance.now() - started) / 1000)} s; measuring`);
    const samples: Sample[] = [];
    const endAt = (readyAt as number) + options.seconds * 1000;
    let nextProgress = (readyAt as number) + PROGRESS_EVERY_MS;
    // Bounded: one sample a second until the end of the run, or the child's exit.
    for (let i = 0; i <= options.seconds + 1 && !exited; i++) {
      const proc = readProc(pid, ticks);
      const now = performance.now();
      if (!proc) break;
      samples.push({ at: now, ...proc, ops: last.ops });
      if (now >= nextProgress) {
        nextProgress += PROGRESS_EVERY_MS;
        const first = samples[0] as Sample;
        progress(
          `${fmt((now - (readyAt as number)) / 1000, 0)} s: ${last.ops} checks, ` +
            `probe CPU ${fmt((100 * (proc.self - first.self) * 1000) / (now - first.at), 2)}% so far, ` +
            `RSS ${fmt(proc.rssBytes / MIB)} MiB`,
        );
      }
      if (now >= endAt) break;
      await sleep(Math.min(SAMPLE_MS, endAt - now));
    }
    if (exited) throw new Error("child exited during the run");
    child.stdin.end();
    await Promise.race([exitedPromise, sleep(15_000)]);
    report(options, samples, readyAt as number, maxBusy, final ?? last);
  } finally {
    cleanup();
  }
}

function report(
  options: Options,
  samples: Sample[],
  readyAt: number,
  maxBusy: number,
  final: ChildLine,
): void {
  const intervalMs = options.intervalSeconds * 1000;
  const measured = samples.filter((s) => s.at >= readyAt + intervalMs);
  const first = measured[0];
  const lastSample = measured[measured.length - 1];
  if (!first || !lastSample || lastSample === first) throw new Error("too few samples");
  const seconds = (lastSample.at - first.at) / 1000;
  const selfPercent = (100 * (lastSample.self - first.self)) / seconds;
  const agentsPercent = (100 * (lastSample.agents - first.agents)) / seconds;
  const opsPerSecond = (lastSample.ops - first.ops) / seconds;
  // Windows of one interval each (one round of every check), back to back.
  let windowMax = 0;
  let windows = 0;
  let start = first;
  for (const s of measured) {
    // Samples drift by a few ms a second: a window closes within half a sample of its length.
    if (s.at - start.at >= intervalMs - SAMPLE_MS / 2) {
      windowMax = Math.max(windowMax, (100 * (s.self - start.self) * 1000) / (s.at - start.at));
      windows++;
      start = s;
    }
  }
  const rssMax = Math.max(...samples.map((s) => s.rssBytes)) / MIB;
  const rssFinal = lastSample.rssBytes / MIB;
  const targetRssMiB = (TARGET_RSS_MB * 1e6) / MIB;
  const states = Object.entries(final.states ?? {})
    .map(([state, n]) => `${n} ${state}`)
    .join(", ");
  const met = (ok: boolean) => (ok ? "met" : "NOT met");
  const row = (label: string, value: string) => say(`  ${label.padEnd(34)} ${value}`);
  say();
  say(
    `measured from the end of the first interval (warm-up, left out of CPU) to the end: ${fmt(seconds)} s`,
  );
  row("actions, interval", `${options.actions}, ${options.intervalSeconds} s`);
  row("checks completed (whole run)", `${final.ops}`);
  row(
    "checks per second (measured part)",
    `${fmt(opsPerSecond, 1)} (expected ${fmt(options.actions / options.intervalSeconds, 1)})`,
  );
  row("resources busy at once, max", `${maxBusy} (running or queued, sampled each second)`);
  row("state changes reported", `${final.changes}`);
  row("last states", states || "n/a");
  row(
    "probe CPU, % of one core",
    `mean ${fmt(selfPercent, 2)}, max ${fmt(windowMax, 2)} over ${windows} windows of ${options.intervalSeconds} s`,
  );
  row(
    "probe CPU per check, ms",
    fmt((1000 * (lastSample.self - first.self)) / (lastSample.ops - first.ops), 2),
  );
  row("agents' CPU, % of one core", `mean ${fmt(agentsPercent, 1)}`);
  row("probe RSS, MiB", `max ${fmt(rssMax)}, final ${fmt(rssFinal)}`);
  say();
  say(
    "probe CPU is the Node process's own utime+stime (scheduling, spawning, reading and parsing);",
  );
  say(
    "agents' CPU is its reaped children's cutime+cstime (the plugins and OCF shell scripts it ran).",
  );
  const load = loadavg()
    .map((l) => fmt(l, 2))
    .join(" ");
  say(`load average at the end: ${load} (other work on the machine shows here)`);
  say();
  say(
    `target probe CPU < ${TARGET_CPU_PERCENT}% of one core: ${met(selfPercent < TARGET_CPU_PERCENT)} (mean ${fmt(selfPercent, 2)}%)`,
  );
  say(
    `target RSS < ${TARGET_RSS_MB} MB (${fmt(targetRssMiB)} MiB): ${met(rssMax < targetRssMiB)} (max ${fmt(rssMax)} MiB)`,
  );
  // The load did not run as asked: a broken run, not a figure.
  if (opsPerSecond < 0.5 * (options.actions / options.intervalSeconds)) process.exitCode = 1;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

main().catch((error: unknown) => {
  process.stderr.write(
    `bench/monitor: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(2);
});
