/**
 * The drift report over any span: the drift feed (OUT/drift.jsonl) read back
 * from a chosen baseline, named by the last export's records. Only what the
 * last successful export committed counts: lines an interrupted export left
 * past that point are not read.
 */
import { open } from "node:fs/promises";
import { type DriftLine, driftPath, loadState } from "../state.js";
import { type DriftReport, driftReport, namesOf } from "./drift.js";

export class DriftFeedError extends Error {
  override name = "DriftFeedError";
}

const CHANGES = new Set(["added", "changed", "removed"]);

function parseLine(text: string, where: string): DriftLine {
  let line: Partial<DriftLine>;
  try {
    line = JSON.parse(text) as Partial<DriftLine>;
  } catch (error) {
    throw new DriftFeedError(`${where}: not JSON (${(error as Error).message})`);
  }
  if (
    typeof line !== "object" ||
    line === null ||
    typeof line.at !== "string" ||
    typeof line.id !== "string" ||
    typeof line.kind !== "string" ||
    !CHANGES.has(line.change as string)
  ) {
    throw new DriftFeedError(`${where}: not a drift line (at, id, kind and change are required)`);
  }
  return line as DriftLine;
}

/** The committed lines of OUT's drift feed seen by exports after `since` (all when null). */
export async function readDriftFeed(outDir: string, since: string | null): Promise<DriftLine[]> {
  const state = await loadState(outDir);
  if (state === null) throw new DriftFeedError(`${outDir} holds no export yet (no state)`);
  const path = driftPath(outDir);
  const handle = await open(path, "r").catch((error: NodeJS.ErrnoException) => {
    throw new DriftFeedError(`cannot read ${path}: ${error.message}`);
  });
  try {
    const buffer = Buffer.alloc(state.drift_bytes);
    const { bytesRead } = await handle.read(buffer, 0, state.drift_bytes, 0);
    const lines = buffer.subarray(0, bytesRead).toString("utf8").split("\n");
    const out: DriftLine[] = [];
    lines.forEach((text, index) => {
      if (text.trim() === "") return;
      const line = parseLine(text, `${path} line ${index + 1}`);
      if (since === null || line.at > since) out.push(line);
    });
    return out;
  } finally {
    await handle.close();
  }
}

/** The drift report of everything the exports into OUT saw after `since`. */
export async function driftSince(
  outDir: string,
  since: string | null,
  at: string,
): Promise<DriftReport> {
  const lines = await readDriftFeed(outDir, since);
  const state = await loadState(outDir);
  const removed = lines.flatMap((l) =>
    l.change === "removed" && l.fields ? [{ id: l.id, kind: l.kind, fields: l.fields }] : [],
  );
  const report = driftReport(lines, namesOf([...removed, ...(state?.records ?? [])]), at);
  return { ...report, since: since ?? report.since };
}
