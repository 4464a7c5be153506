/**
 * What an output directory remembers between exports, under OUT/.state/:
 * the records of the last successful export (records.json), which files each
 * format wrote then, and how long the drift feed (OUT/drift.jsonl) was when
 * that export finished. The state file is replaced atomically and only after
 * every output of an export is written, so a failed or interrupted export
 * leaves the previous state in place and the next one diffs against it.
 */
import { open, readFile, stat, truncate } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../lib/atomic-file.js";
import type { ChangeSet } from "./diff.js";
import type { FileStamps } from "./output-files.js";
import type { ExportRecord, FieldObject, FieldValue, RecordKind } from "./records.js";

export const STATE_DIR = ".state";
export const STATE_FILE = "records.json";
export const DRIFT_FILE = "drift.jsonl";
export const STATE_VERSION = 1;

export interface ExportState {
  version: typeof STATE_VERSION;
  /** When the export that wrote this state ran (ISO 8601 UTC). */
  exported_at: string;
  records: ExportRecord[];
  /** The files (relative to OUT) each format wrote, by format name. */
  files: Record<string, string[]>;
  /** The drift feed's length in bytes once that export appended to it. */
  drift_bytes: number;
  /** What each file was when that export left it (output-files.ts); absent in older states. */
  stamps?: FileStamps;
}

/** The state file cannot be read: not something to paper over by exporting everything again. */
export class ExportStateError extends Error {
  override name = "ExportStateError";
}

export const statePath = (outDir: string) => join(outDir, STATE_DIR, STATE_FILE);
export const driftPath = (outDir: string) => join(outDir, DRIFT_FILE);

/** The last successful export's state, or null before the first one. */
export async function loadState(outDir: string): Promise<ExportState | null> {
  const path = statePath(outDir);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  let state: Partial<ExportState>;
  try {
    state = JSON.parse(text) as Partial<ExportState>;
  } catch (error) {
    throw new ExportStateError(`${path} is not JSON (${(error as Error).message})`);
  }
  if (
    state.version !== STATE_VERSION ||
    typeof state.exported_at !== "string" ||
    !Array.isArray(state.records) ||
    typeof state.drift_bytes !== "number" ||
    typeof state.files !== "object" ||
    state.files === null ||
    (state.stamps !== undefined &&
      (typeof state.stamps !== "object" ||
        state.stamps === null ||
        Array.isArray(state.stamps) ||
        !Object.values(state.stamps).every((stamp) => typeof stamp === "string")))
  ) {
    throw new ExportStateError(
      `${path} is not an export state of version ${STATE_VERSION}; remove ${join(outDir, STATE_DIR)} to export everything afresh`,
    );
  }
  return state as ExportState;
}

/** Replaces the state atomically: the last step of a successful export. */
export async function saveState(outDir: string, state: ExportState): Promise<void> {
  await writeFileAtomic(statePath(outDir), `${JSON.stringify(state)}\n`);
}

/** One line of the drift feed (schemas/export-records.schema.json#/definitions/driftLine). */
export interface DriftLine {
  at: string;
  since: string | null;
  change: "added" | "changed" | "removed";
  id: string;
  kind: RecordKind;
  /** A changed field's path, old and new value (change "changed"). */
  field?: string;
  old?: FieldValue;
  new?: FieldValue;
  /** The whole record (change "added" or "removed"). */
  fields?: FieldObject;
}

/** The drift feed's entries for a change set: one per field change, one per added or removed record. */
export function driftEntries(changes: ChangeSet, at: string, since: string | null): DriftLine[] {
  const lines: DriftLine[] = [];
  for (const r of changes.added) {
    lines.push({ at, since, change: "added", id: r.id, kind: r.kind, fields: r.fields });
  }
  for (const r of changes.changed) {
    for (const f of r.fields) {
      lines.push({ at, since, change: "changed", id: r.id, kind: r.kind, ...f });
    }
  }
  for (const r of changes.removed) {
    lines.push({ at, since, change: "removed", id: r.id, kind: r.kind, fields: r.fields });
  }
  return lines;
}

/** The drift feed's lines (JSON text) for a change set. */
export function driftLines(changes: ChangeSet, at: string, since: string | null): string[] {
  return driftEntries(changes, at, since).map((line) => JSON.stringify(line));
}

const APPEND_BATCH = 10_000;

/**
 * Appends lines to the drift feed, flushed, after cutting the
 * feed back to `committedBytes` (what the last successful export left): lines
 * an unfinished export appended are dropped, since the next export emits
 * those changes again. With no state (null) nothing is cut: a feed kept from
 * before the state was removed stays. Returns the feed's new length.
 */
export async function appendDrift(
  outDir: string,
  lines: readonly string[],
  committedBytes: number | null,
): Promise<number> {
  const path = driftPath(outDir);
  const size = await stat(path).then(
    (s) => s.size,
    () => 0,
  );
  if (committedBytes !== null && size > committedBytes) await truncate(path, committedBytes);
  const handle = await open(path, "a");
  try {
    // In batches (a first export of 100,000 hosts appends half a gigabyte), flushed once.
    for (let start = 0; start < lines.length; start += APPEND_BATCH) {
      await handle.writeFile(`${lines.slice(start, start + APPEND_BATCH).join("\n")}\n`);
    }
    if (lines.length > 0) await handle.sync();
    return (await handle.stat()).size;
  } finally {
    await handle.close();
  }
}
