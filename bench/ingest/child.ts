/**
 * One benchmark run, in its own process: ingest N synthetic hosts into one
 * adapter's store, time a few queries, check the graph, report.
 */
import { performance } from "node:perf_hooks";
import type { GraphStore } from "../../cma/graph/store.js";
import { ingestDocument } from "../../cma/ingest/ingest.js";
import {
  expectedDependencies,
  hostDocuments,
  hostName,
  IPS_PER_HOST,
  LISTENERS_PER_HOST,
  NICS_PER_HOST,
  PROCESSES_PER_HOST,
} from "./fleet.js";
import { openBenchStore } from "./stores.js";

const AT = "2026-03-01T10:00:00.000Z";
const PROGRESS_EVERY_MS = 2_000;

export interface QueryTiming {
  label: string;
  medianMs: number;
  minMs: number;
  runs: number;
  rows: number;
}

export interface RunResult {
  adapter: string;
  hosts: number;
  hostsIngested: number;
  documents: number;
  ingestSeconds: number;
  generateSeconds: number;
  hostsPerSecond: number;
  hostsPerSecondWithGeneration: number;
  documentsPerSecond: number;
  firstTenthHostsPerSecond: number | null;
  lastTenthHostsPerSecond: number | null;
  msPerHost: number;
  peakRssMiB: number;
  serverPeakRssMiB: number | null;
  storeBytes: number | null;
  queries: QueryTiming[];
  problems: string[];
}

export type ChildOutcome =
  | { ok: true; result: RunResult }
  | { ok: false; reason: string; skipAdapter?: boolean };

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

async function timeQuery(
  label: string,
  runs: number,
  query: () => Promise<number>,
): Promise<QueryTiming> {
  await query(); // warm-up: caches, statement preparation, JIT
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < runs; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    const started = performance.now();
    rows = await query();
    times.push(performance.now() - started);
  }
  return { label, medianMs: median(times), minMs: Math.min(...times), runs, rows };
}

async function checkGraph(store: GraphStore, hosts: number, complete: boolean): Promise<string[]> {
  const problems: string[] = [];
  const counts = await store.counts();
  const expectNodes = (label: keyof typeof counts.nodes, perHost: number) => {
    const active = counts.nodes[label]?.active ?? 0;
    if (active !== hosts * perHost)
      problems.push(`${label}: ${active} active, expected ${hosts * perHost}`);
  };
  expectNodes("System", 1);
  expectNodes("NIC", NICS_PER_HOST);
  // Before the whole fleet is in, connections also reach the addresses of hosts not yet ingested.
  if (complete) expectNodes("IPAddr", IPS_PER_HOST);
  expectNodes("Process", PROCESSES_PER_HOST);
  if (complete) {
    const expected = expectedDependencies(hosts);
    const active = counts.relationships.DEPENDS_ON?.active ?? 0;
    const want = expected.processes + expected.systems;
    if (active !== want) {
      problems.push(
        `DEPENDS_ON: ${active} active, expected ${want} (${expected.processes} between processes, ${expected.systems} between hosts)`,
      );
    }
  }
  return problems;
}

export async function runChild(
  adapter: string,
  hosts: number,
  options: { runs: number; maxSeconds: number },
): Promise<ChildOutcome> {
  const opened = await openBenchStore(adapter);
  if (!opened.ok) return opened;
  const { bench } = opened;
  const { store } = bench;
  try {
    const problems: string[] = [];
    let generateMs = 0;
    let ingestMs = 0;
    /** Ingest time so far after each host, to rate the first and last tenth of what was ingested. */
    const elapsedAfter = new Float64Array(hosts);
    let documents = 0;
    let ingested = 0;
    let lastProgress = performance.now();
    const deadline = performance.now() + options.maxSeconds * 1000;
    for (let n = 0; n < hosts; n++) {
      const generated = performance.now();
      const docs = hostDocuments(n, hosts, AT);
      const started = performance.now();
      generateMs += started - generated;
      for (const doc of docs) {
        const outcome = await ingestDocument(store, doc);
        if (outcome.status !== "stored") {
          problems.push(`${doc.discovertype} of host ${n}: ${outcome.status}`);
        }
        documents++;
      }
      const now = performance.now();
      ingestMs += now - started;
      elapsedAfter[n] = ingestMs;
      ingested = n + 1;
      if (now - lastProgress >= PROGRESS_EVERY_MS) {
        lastProgress = now;
        const rate = ingested / (ingestMs / 1000);
        process.stderr.write(
          `  ${adapter} N=${hosts}: ${ingested}/${hosts} hosts, ${rate.toFixed(1)} hosts/s, ~${((hosts - ingested) / rate).toFixed(0)} s to go\n`,
        );
      }
      if (now > deadline) {
        process.stderr.write(`  ${adapter} N=${hosts}: stopping after ${options.maxSeconds} s\n`);
        break;
      }
    }
    const complete = ingested === hosts;
    const tenth = Math.max(1, Math.floor(ingested / 10));
    const at = (i: number) => (i < 0 ? 0 : (elapsedAfter[i] as number));
    const firstTenthHostsPerSecond = ingested > 0 ? tenth / (at(tenth - 1) / 1000) : null;
    const lastTenthHostsPerSecond =
      ingested > 0 ? tenth / ((at(ingested - 1) - at(ingested - 1 - tenth)) / 1000) : null;

    process.stderr.write(`  ${adapter} N=${hosts}: ingested; timing queries...\n`);
    const queries = [
      await timeQuery(
        "unmonitored-services (all hosts)",
        options.runs,
        async () => (await store.runQuery("unmonitored-services")).rows.length,
      ),
      await timeQuery(
        `host-dependencies host=${hostName(0)}`,
        options.runs,
        async () => (await store.runQuery("host-dependencies", { host: hostName(0) })).rows.length,
      ),
      await timeQuery(
        "down-systems (what /health asks)",
        options.runs,
        async () => (await store.runQuery("down-systems")).rows.length,
      ),
      await timeQuery(
        "node-counts (/api/counts)",
        options.runs,
        async () => (await store.runQuery("node-counts")).rows.length,
      ),
    ];
    const unmonitored = queries[0]?.rows;
    if (unmonitored !== ingested * LISTENERS_PER_HOST) {
      problems.push(
        `unmonitored-services: ${unmonitored} rows, expected ${ingested * LISTENERS_PER_HOST}`,
      );
    }
    process.stderr.write(`  ${adapter} N=${hosts}: checking the graph...\n`);
    problems.push(...(await checkGraph(store, ingested, complete)));

    const peakRssMiB = process.resourceUsage().maxRSS / 1024;
    const ingestSeconds = ingestMs / 1000;
    return {
      ok: true,
      result: {
        adapter,
        hosts,
        hostsIngested: ingested,
        documents,
        ingestSeconds,
        generateSeconds: generateMs / 1000,
        hostsPerSecond: ingested / ingestSeconds,
        hostsPerSecondWithGeneration: ingested / ((ingestMs + generateMs) / 1000),
        documentsPerSecond: documents / ingestSeconds,
        firstTenthHostsPerSecond,
        lastTenthHostsPerSecond,
        msPerHost: ingestMs / ingested,
        peakRssMiB,
        serverPeakRssMiB: bench.serverPeakRssMiB(),
        storeBytes: bench.storeBytes(),
        queries,
        problems: problems.slice(0, 20),
      },
    };
  } finally {
    await bench.dispose();
  }
}
