/**
 * bench/ingest: a synthetic fleet (fleet.ts: per host 4 NICs, 6 IPs, 40
 * processes, 30 listening ports, 200 connections to other hosts' listeners)
 * as real os, netconfig and tcpdiscovery documents, pushed through the real
 * ingest (schema validation, mapping, one transaction per document) into each
 * store, at N = 1,000 and 10,000 hosts.
 *
 * Prints per adapter and N: hosts/s (ingest only, and with document
 * generation), the rate in the first and last tenth of the fleet, peak RSS,
 * the unmonitored-services query latency (median of several runs), and checks
 * that the graph holds what the fleet implies. Then the per-host cost at each
 * N and their ratio (linear cost: ratio near 1).
 *
 * During this first load a host links the dependencies whose other end is
 * already stored, so later hosts link more than earlier ones (about twice the
 * fleet average at the end, none at the start): the last tenth is slower than
 * the first even when every operation costs the same at any fleet size. The
 * whole run's cost per host is what compares across N.
 *
 * Each (adapter, N) runs in its own child process, so its peak RSS is its own.
 *
 *   npm run bench -- ingest
 *   node dist/bench/ingest/main.js [--hosts N]... [--adapter embedded|neo4j]... [--runs R]
 *                                  [--max-seconds S]
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type ChildOutcome, type RunResult, runChild } from "./child.js";

const DEFAULT_HOSTS = [1_000, 10_000];
const ADAPTERS = ["embedded", "neo4j"] as const;
type Adapter = (typeof ADAPTERS)[number];
const TARGET_HOSTS_PER_S: Record<Adapter, number> = { embedded: 2_000, neo4j: 300 };
const DEFAULT_RUNS = 7;
/** A run stops ingesting after this long and reports what it measured. */
const DEFAULT_MAX_SECONDS = 600;

interface Options {
  hosts: number[];
  adapters: Adapter[];
  runs: number;
  maxSeconds: number;
}

function parseArgs(argv: string[]): Options & { child?: { adapter: Adapter; hosts: number } } {
  const options: Options = {
    hosts: [],
    adapters: [],
    runs: DEFAULT_RUNS,
    maxSeconds: DEFAULT_MAX_SECONDS,
  };
  let child: { adapter: Adapter; hosts: number } | undefined;
  const positive = (flag: string, text: string | undefined) => {
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new Error(`${flag} wants a positive integer, got ${JSON.stringify(text)}`);
    }
    return value;
  };
  const adapter = (text: string | undefined): Adapter => {
    if (!ADAPTERS.includes(text as Adapter)) {
      throw new Error(`--adapter wants one of ${ADAPTERS.join(", ")}, got ${JSON.stringify(text)}`);
    }
    return text as Adapter;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    i++;
    if (flag === "--hosts") options.hosts.push(positive(flag, value));
    else if (flag === "--adapter") options.adapters.push(adapter(value));
    else if (flag === "--runs") options.runs = positive(flag, value);
    else if (flag === "--max-seconds") options.maxSeconds = positive(flag, value);
    else if (flag === "--child") {
      child = { adapter: adapter(value), hosts: positive("--child", argv[i + 1]) };
      i++;
    } else throw new Error(`unknown argument ${JSON.stringify(flag)}`);
  }
  if (options.hosts.length === 0) options.hosts = DEFAULT_HOSTS;
  if (options.adapters.length === 0) options.adapters = [...ADAPTERS];
  return child ? { ...options, child } : options;
}

const say = (text = "") => process.stdout.write(`${text}\n`);
/** Fixed decimals, but at least two significant digits for small values (0.42, not 0). */
const fmt = (value: number | null | undefined, digits = 0) => {
  if (value === null || value === undefined || !Number.isFinite(value)) return "n/a";
  const needed =
    value !== 0 && Math.abs(value) < 10 ? Math.ceil(-Math.log10(Math.abs(value))) + 1 : 0;
  return value.toFixed(Math.min(6, Math.max(digits, needed)));
};

/** Runs one (adapter, N) in a child process; resolves with its result or why it could not run. */
function runInChild(adapter: Adapter, hosts: number, options: Options): Promise<ChildOutcome> {
  return new Promise((resolve) => {
    const args = [
      "--expose-gc",
      fileURLToPath(import.meta.url),
      "--child",
      adapter,
      String(hosts),
      "--runs",
      String(options.runs),
      "--max-seconds",
      String(options.maxSeconds),
    ];
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.on("close", (code, signal) => {
      const line = stdout
        .split("\n")
        .reverse()
        .find((l) => l.startsWith("RESULT "));
      if (line) resolve(JSON.parse(line.slice("RESULT ".length)) as ChildOutcome);
      else resolve({ ok: false, reason: `child exited with ${signal ?? `code ${code}`}` });
    });
  });
}

function printRun(r: RunResult): void {
  const target = TARGET_HOSTS_PER_S[r.adapter as Adapter];
  const partial = r.hostsIngested < r.hosts ? ` (stopped after ${r.hostsIngested} hosts)` : "";
  say(`${r.adapter}, N = ${r.hosts.toLocaleString("en")}${partial}:`);
  say(
    `  ingest        ${fmt(r.hostsPerSecond)} hosts/s (target >= ${target}: ${r.hostsPerSecond >= target ? "met" : "NOT met"}), ` +
      `${fmt(r.documentsPerSecond)} documents/s, ${fmt(r.ingestSeconds, 1)} s`,
  );
  say(
    `                with document generation ${fmt(r.hostsPerSecondWithGeneration)} hosts/s; ` +
      `first tenth ${fmt(r.firstTenthHostsPerSecond)} hosts/s, last tenth ${fmt(r.lastTenthHostsPerSecond)} hosts/s of the hosts ingested`,
  );
  say(`  per host      ${fmt(r.msPerHost, 3)} ms`);
  say(
    `  peak RSS      ${fmt(r.peakRssMiB)} MiB (this process)` +
      (r.serverPeakRssMiB !== null ? `, ${fmt(r.serverPeakRssMiB)} MiB (Neo4j JVM)` : ""),
  );
  if (r.storeBytes !== null) say(`  on disk       ${fmt(r.storeBytes / 2 ** 20)} MiB`);
  for (const q of r.queries) {
    say(
      `  query         ${q.label.padEnd(34)} median ${fmt(q.medianMs, 1)} ms (min ${fmt(q.minMs, 1)}, ${q.runs} runs), ${q.rows.toLocaleString("en")} rows`,
    );
  }
  say(
    `  checks        ${r.problems.length === 0 ? "graph holds what the fleet implies" : r.problems.join("; ")}`,
  );
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if ("child" in options && options.child) {
    const outcome = await runChild(options.child.adapter, options.child.hosts, options);
    process.stdout.write(`RESULT ${JSON.stringify(outcome)}\n`);
    process.exit(outcome.ok ? 0 : 3);
  }
  say(
    "synthetic hosts: 4 NICs, 6 IPs, 40 processes, 30 listening ports, 200 connections to other hosts' listeners;",
  );
  say(
    "documents per host: os, netconfig, tcpdiscovery, each validated and stored in its own transaction",
  );
  say(`N: ${options.hosts.join(", ")}; adapters: ${options.adapters.join(", ")}`);
  say();
  const results: RunResult[] = [];
  for (const adapter of options.adapters) {
    for (const hosts of options.hosts) {
      process.stderr.write(`bench/ingest: ${adapter}, N = ${hosts}...\n`);
      const outcome = await runInChild(adapter, hosts, options);
      if (!outcome.ok) {
        say(`${adapter}, N = ${hosts.toLocaleString("en")}: not measured: ${outcome.reason}`);
        say();
        if (outcome.skipAdapter) break;
        continue;
      }
      results.push(outcome.result);
      printRun(outcome.result);
      say();
    }
  }
  say("cost per host, by N (linear cost: ratio near 1.00; complete runs only):");
  for (const adapter of options.adapters) {
    const runs = results.filter((r) => r.adapter === adapter).sort((a, b) => a.hosts - b.hosts);
    if (runs.length === 0) continue;
    const costs = runs
      .map((r) =>
        r.hostsIngested === r.hosts
          ? `${fmt(r.msPerHost, 3)} ms at N=${r.hosts}`
          : `N=${r.hosts} stopped after ${r.hostsIngested} hosts`,
      )
      .join(", ");
    const complete = runs.filter((r) => r.hostsIngested === r.hosts);
    const first = complete[0];
    const last = complete[complete.length - 1];
    const ratio =
      first && last && last !== first
        ? `; ratio ${fmt(last.msPerHost / first.msPerHost, 2)} for N x${fmt(last.hosts / first.hosts, 1)}`
        : "";
    say(`  ${adapter.padEnd(9)} ${costs}${ratio}`);
  }
  const failed = results.filter((r) => r.problems.length > 0);
  if (failed.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench/ingest: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
