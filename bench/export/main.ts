/**
 * bench/export: a full export of 10,000 and 100,000 synthetic hosts in every
 * registered format (time, peak RSS, output size), then an incremental export
 * after 1% of the hosts changed. Targets: 100,000 hosts in at most 60 s; the
 * incremental export at most 15% of the full one.
 *
 * The hosts are clones of the contract fixture world (bench/export/synthetic.ts):
 * about 6 NICs/addresses, 2 services and 3 packages per host, a switch per 3
 * hosts. The graph store's own read (liveSnapshot) is not part of the figures:
 * the records come from an in-memory snapshot (bench/ingest measures the stores).
 * Each size runs in its own child process, so its peak RSS is its own.
 *
 * By default only 10,000 hosts (about 20 s); --hosts 10000,100000 adds the
 * large size, which takes about 7 minutes and 8–9 GiB of peak RSS (the
 * records of two exports are held, one format's output at a time).
 *
 *   npm run bench -- export
 *   node dist/bench/export/main.js [--hosts 10000,100000]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defaultExporters } from "../../exporters/formats.js";
import { runExport } from "../../exporters/run.js";
import { fixtureTemplate, mutate, snapshotStore, synthesize } from "./synthetic.js";

const say = (line: string) => process.stdout.write(`${line}\n`);
const progress = (line: string) => process.stderr.write(`bench/export: ${line}\n`);
const argv = process.argv.slice(2);
const option = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};

interface Figures {
  hosts: number;
  records: number;
  formats: string[];
  full_s: number;
  full_files_mib: number;
  incremental_s: number;
  incremental_changed_hosts: number;
  incremental_records_changed: number;
  /** Files the incremental export left as they were, of all its files. */
  incremental_files_unchanged: number;
  files: number;
  peak_rss_mib: number;
}

function sizeOf(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? sizeOf(path) : statSync(path).size;
  }
  return total;
}

const seconds = (ms: number) => Math.round(ms / 10) / 100;

/** One size, in this (child) process. */
async function child(hosts: number): Promise<Figures> {
  const out = mkdtempSync(join(tmpdir(), "assim-bench-export-out-"));
  try {
    const template = await fixtureTemplate();
    let snapshot = synthesize(template, hosts);
    const store = snapshotStore(() => snapshot);
    const formats = defaultExporters().all();
    progress(`${hosts} hosts: full export (${formats.map((f) => f.name).join(", ")})`);
    let started = performance.now();
    const full = await runExport({
      store,
      outDir: out,
      formats,
      now: () => new Date("2026-03-02T00:00:00Z"),
    });
    const fullMs = performance.now() - started;
    const fullBytes = sizeOf(out);
    snapshot = structuredClone(snapshot);
    const changedHosts = mutate(snapshot, 0.01, "2026-03-02T12:00:00.000Z");
    progress(`${hosts} hosts: incremental export after ${changedHosts} hosts changed`);
    started = performance.now();
    const incremental = await runExport({
      store,
      outDir: out,
      formats,
      now: () => new Date("2026-03-03T00:00:00Z"),
    });
    const incrementalMs = performance.now() - started;
    return {
      hosts: snapshot.nodes.filter((n) => n.label === "System" && n.props.kind === "host").length,
      records: full.records,
      formats: full.formats,
      full_s: seconds(fullMs),
      full_files_mib: Math.round(fullBytes / 1024 / 102.4) / 10,
      incremental_s: seconds(incrementalMs),
      incremental_changed_hosts: changedHosts,
      incremental_records_changed: incremental.changed,
      incremental_files_unchanged: incremental.unchanged,
      files: incremental.files.length,
      peak_rss_mib: Math.round(process.resourceUsage().maxRSS / 1024),
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function runChild(hosts: number): Figures {
  const result = spawnSync(
    process.execPath,
    ["--max-old-space-size=16384", fileURLToPath(import.meta.url), "--child", String(hosts)],
    {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      maxBuffer: 16 * 1024 * 1024,
      timeout: 30 * 60_000,
    },
  );
  if (result.status !== 0)
    throw new Error(`the ${hosts}-host export failed (${result.status ?? result.signal})`);
  return JSON.parse(result.stdout) as Figures;
}

async function main(): Promise<void> {
  const single = option("--child");
  if (single !== undefined) {
    process.stdout.write(`${JSON.stringify(await child(Number(single)))}\n`);
    return;
  }
  const sizes = (option("--hosts") ?? "10000").split(",").map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 3 || n > 1_000_000)) {
    process.stderr.write(
      "bench/export: --hosts takes sizes from 3 to 1,000,000, like 10000,100000\n",
    );
    process.exit(2);
  }
  say(
    "full and incremental exports of synthetic hosts (clones of the fixture world), every format",
  );
  say("  hosts     records    full s  output MiB  incr. s  incr./full  changed  peak RSS MiB");
  for (const size of sizes) {
    const f = runChild(size);
    const ratio = f.incremental_s / f.full_s;
    say(
      `  ${String(f.hosts).padEnd(9)} ${String(f.records).padEnd(10)} ${String(f.full_s).padStart(6)}  ${String(f.full_files_mib).padStart(10)}  ${String(f.incremental_s).padStart(7)}  ${(100 * ratio).toFixed(1).padStart(9)}%  ${String(f.incremental_records_changed).padStart(7)}  ${String(f.peak_rss_mib).padStart(12)}`,
    );
    say(
      `  incremental: ${f.incremental_files_unchanged} of ${f.files} files unchanged, left alone`,
    );
    const at100k = Math.round((f.full_s * 100_000) / f.hosts);
    say(
      size >= 100_000
        ? `  target: 100,000 hosts in at most 60 s: ${f.full_s <= 60 ? "met" : "NOT met"} (${f.full_s} s)`
        : `  target: 100,000 hosts in at most 60 s: about ${at100k} s if it scales linearly: ${at100k <= 60 ? "within" : "NOT within"} it`,
    );
    say(
      `  target: incremental at most 15% of full: ${ratio <= 0.15 ? "met" : "NOT met"} (${(100 * ratio).toFixed(1)}%)`,
    );
  }
  say(
    `  formats: ${runFormats().join(", ")}; the store's read is not included (see the file's header)`,
  );
}

function runFormats(): string[] {
  return defaultExporters().names();
}

await main();
