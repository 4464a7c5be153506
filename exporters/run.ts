/**
 * One export: read the graph, diff against the last successful export, render
 * every format, then write. Nothing is written until every format rendered;
 * each file is replaced atomically; the drift feed is appended and the state
 * saved last. A failure anywhere leaves the previous state, so the next run
 * emits every change since the last success.
 */
import { readdir, rm } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import type { GraphStore } from "../cma/graph/store.js";
import { writeFileAtomic } from "../lib/atomic-file.js";
import { type ChangeSet, changeCounts, diffRecords } from "./diff.js";
import type { ExportContext, Exporter, RenderedFiles } from "./exporter.js";
import { lockOutput } from "./lock.js";
import { readRecords } from "./records.js";
import { appendDrift, driftLines, loadState, STATE_DIR, saveState } from "./state.js";

export interface ExportOptions {
  store: GraphStore;
  outDir: string;
  formats: readonly Exporter[];
  /** The export's time; defaults to now. */
  now?: () => Date;
}

export interface ExportWarning {
  format: string;
  message: string;
}

export interface ExportSummary {
  at: string;
  since: string | null;
  formats: string[];
  records: number;
  added: number;
  changed: number;
  removed: number;
  /** Files written, relative to the output directory. */
  files: string[];
  /** What the formats reported they left out (ExportContext.warn). */
  warnings: ExportWarning[];
  duration_ms: number;
}

/** A relative path of plain segments: nothing absolute, no "." or "..", no backslash or NUL. */
export function isSafePath(path: string): boolean {
  return !(
    path === "" ||
    isAbsolute(path) ||
    path.includes("\\") ||
    path.includes("\0") ||
    path.split("/").some((s) => s === "" || s === "." || s === "..")
  );
}

/** A rendered path must stay inside its format's directory. */
export function checkRenderedPath(format: string, path: string): void {
  if (!isSafePath(path)) {
    throw new Error(`export format ${format} rendered an unsafe path ${JSON.stringify(path)}`);
  }
}

/** Temporary files of writeFileAtomic (".NAME.<12 hex>.tmp") that a killed export left behind. */
const LEFTOVER = /^\..+\.[0-9a-f]{12}\.tmp$/;

async function removeLeftovers(dir: string): Promise<void> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (entry.isFile() && LEFTOVER.test(entry.name)) {
      await rm(join(entry.parentPath, entry.name), { force: true });
    }
  }
}

async function renderAll(
  formats: readonly Exporter[],
  records: Awaited<ReturnType<typeof readRecords>>,
  changes: ChangeSet,
  context: ExportContext,
  warnings: ExportWarning[],
): Promise<Map<string, RenderedFiles>> {
  const rendered = new Map<string, RenderedFiles>();
  for (const format of formats) {
    let files: RenderedFiles;
    const warn = (message: string) => warnings.push({ format: format.name, message });
    try {
      files = await format.render(records, changes, { ...context, warn });
    } catch (error) {
      throw new Error(`export format ${format.name} failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
    for (const path of Object.keys(files)) checkRenderedPath(format.name, path);
    rendered.set(format.name, files);
  }
  return rendered;
}

export async function runExport(options: ExportOptions): Promise<ExportSummary> {
  const started = performance.now();
  const at = (options.now?.() ?? new Date()).toISOString();
  const { outDir } = options;
  const release = await lockOutput(outDir);
  try {
    for (const dir of [STATE_DIR, ...options.formats.map((f) => f.name)]) {
      await removeLeftovers(join(outDir, dir));
    }
    const state = await loadState(outDir);
    const since = state?.exported_at ?? null;
    const records = await readRecords(options.store);
    const changes = diffRecords(state?.records ?? [], records);
    const warnings: ExportWarning[] = [];
    const rendered = await renderAll(options.formats, records, changes, { at, since }, warnings);

    const files: Record<string, string[]> = { ...(state?.files ?? {}) };
    const written: string[] = [];
    for (const [format, outputs] of rendered) {
      const paths = Object.keys(outputs).sort();
      for (const path of paths) {
        await writeFileAtomic(join(outDir, format, path), outputs[path] as string | Uint8Array);
        written.push(`${format}/${path}`);
      }
      // What this format wrote last time and no longer renders goes away.
      const now = new Set(paths.map((p) => `${format}/${p}`));
      for (const old of files[format] ?? []) {
        const inside = old.startsWith(`${format}/`) && isSafePath(old);
        if (inside && !now.has(old)) await rm(join(outDir, old), { force: true });
      }
      files[format] = [...now];
    }
    const driftBytes = await appendDrift(
      outDir,
      driftLines(changes, at, since),
      state?.drift_bytes ?? null,
    );
    await saveState(outDir, {
      version: 1,
      exported_at: at,
      records,
      files,
      drift_bytes: driftBytes,
    });
    return {
      at,
      since,
      formats: options.formats.map((f) => f.name),
      records: records.length,
      ...changeCounts(changes),
      files: written,
      warnings,
      duration_ms: Math.round(performance.now() - started),
    };
  } finally {
    await release();
  }
}
