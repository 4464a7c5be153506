/**
 * Ingest of a stream of discovery documents, one JSON document per line (what
 * `assim discover` prints). Each line is stored or rejected on its own; a bad
 * line never stops the stream.
 */
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import type { GraphStore } from "../graph/store.js";
import { DocumentRejectedError } from "./errors.js";
import { type IngestOutcome, ingestDocument } from "./ingest.js";

export interface LineReport {
  line: number;
  outcome?: IngestOutcome;
  /** Why the line was rejected. */
  rejected?: string;
}

export interface StreamTotals {
  stored: number;
  stale: number;
  rejected: number;
}

/** Longest line parsed (a packages document of a large host is a few MB); longer ones are rejected. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

export async function ingestLines(
  store: GraphStore,
  input: Readable,
  onLine: (report: LineReport) => void = () => {},
): Promise<StreamTotals> {
  const totals: StreamTotals = { stored: 0, stale: 0, rejected: 0 };
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let number = 0;
  for await (const text of lines) {
    number++;
    if (text.trim() === "") continue;
    const reject = (why: string) => {
      totals.rejected++;
      onLine({ line: number, rejected: why });
    };
    if (text.length > MAX_LINE_BYTES) {
      reject(`longer than ${MAX_LINE_BYTES} bytes`);
      continue;
    }
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (error) {
      reject(`not JSON: ${(error as Error).message}`);
      continue;
    }
    try {
      const outcome = await ingestDocument(store, document);
      totals[outcome.status]++;
      onLine({ line: number, outcome });
    } catch (error) {
      if (!(error instanceof DocumentRejectedError)) throw error;
      reject(error.message);
    }
  }
  return totals;
}
