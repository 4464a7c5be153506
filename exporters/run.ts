/**
 * One export: read the graph, diff against the last successful export, render
 * every format, then write. Each format's files are staged (written beside
 * their targets and flushed; files whose content did not change are left
 * alone) before the next format renders; nothing replaces an output until
 * every format rendered; then each file is replaced atomically (renamed over),
 * the drift feed is appended and the state saved last. A failure anywhere leaves the previous state, so the next run
 * emits every change since the last success.
 */
import { readdir, rm } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import type { GraphStore } from "../cma/graph/store.js";
import { isTemporarySibling } from "../lib/atomic-file.js";
import { type ChangeSet, changeCounts, diffRecords } from "./diff.js";
import type { ExportContext, Exporter, RenderedFiles } from "./exporter.js";
import { lockOutput } from "./lock.js";
import { type FileContent, type FileStamps, StagedFiles } from "./output-files.js";
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
  /** The files of this export's formats, relative to the output directory. */
  files: string[];
  /** How many of them were left as they were: the same content as the last export wrote. */
  unchanged: number;
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

/** Removes the temporary files a killed export left behind. */
async function removeLeftovers(dir: string): Promise<void> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (entry.isFile() && isTemporarySibling(entry.name)) {
      await rm(join(entry.parentPath, entry.name), { force: true });
    }
  }
}

/** One format's files, their paths checked. */
async function renderFormat(
  format: Exporter,
  records: Awaited<ReturnType<typeof readRecords>>,
  changes: ChangeSet,
  context: ExportContext,
  warnings: ExportWarning[],
): Promise<RenderedFiles> {
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
  return files;
}

/**
 * Renders each format and stages its files before the next one renders, so
 * only one format's output is held at a time; commits them all once every
 * format rendered. Returns each format's paths (relative to OUT, sorted).
 */
async function renderAndStage(
  options: ExportOptions,
  staged: StagedFiles,
  records: Awaited<ReturnType<typeof readRecords>>,
  changes: ChangeSet,
  context: ExportContext,
  warnings: ExportWarning[],
): Promise<Map<string, string[]>> {
  const paths = new Map<string, string[]>();
  try {
    for (const format of options.formats) {
      const outputs = await renderFormat(format, records, changes, context, warnings);
      const files = new Map(
        Object.keys(outputs)
          .sort()
          .map((path) => [`${format.name}/${path}`, outputs[path] as FileContent]),
      );
      await staged.stage(files);
      paths.set(format.name, [...files.keys()]);
    }
    await staged.commit();
  } catch (error) {
    await staged.discard();
    throw error;
  }
  return paths;
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
    const staged = new StagedFiles(outDir, state?.stamps ?? {});
    const rendered = await renderAndStage(
      options,
      staged,
      records,
      changes,
      { at, since },
      warnings,
    );

    const files: Record<string, string[]> = { ...(state?.files ?? {}) };
    for (const [format, paths] of rendered) {
      // What this format wrote last time and no longer renders goes away.
      const now = new Set(paths);
      for (const old of files[format] ?? []) {
        const inside = old.startsWith(`${format}/`) && isSafePath(old);
        if (inside && !now.has(old)) await rm(join(outDir, old), { force: true });
      }
      files[format] = paths;
    }
    const stamps: FileStamps = {};
    for (const [path, stamp] of Object.entries(state?.stamps ?? {})) {
      if (!rendered.has(path.slice(0, path.indexOf("/")))) stamps[path] = stamp;
    }
    Object.assign(stamps, staged.stamps);
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
      stamps,
    });
    return {
      at,
      since,
      formats: options.formats.map((f) => f.name),
      records: records.length,
      ...changeCounts(changes),
      files: [...rendered.values()].flat(),
      unchanged: staged.unchanged.length,
      warnings,
      duration_ms: Math.round(performance.now() - started),
    };
  } finally {
    await release();
  }
}
