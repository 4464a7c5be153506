/**
 * /api/events and /api/drift: the newest entries of two JSON-lines files that
 * live beside the graph, not in it: the CMA's events log (DATA_DIR/events.jsonl,
 * cma/events/) and the exporters' drift feed (OUT/drift.jsonl, exporters/state.ts).
 * Only the file's tail is read; a missing file is an empty feed and a line that
 * is not a JSON object is skipped (and counted), never an error.
 */
import type { RequestHandler } from "express";
import { readTailLines } from "../../lib/tail-lines.js";
import { QueryParameterError } from "../queries/errors.js";

export const FEED_DEFAULT_LIMIT = 100;
export const FEED_MAX_LIMIT = 1_000;
/** How much of a file's end one answer may read: 1,000 drift lines of whole records fit. */
export const FEED_MAX_BYTES = 4 * 1024 * 1024;

export type FeedName = "events" | "drift";

export interface FeedAnswer {
  feed: FeedName;
  /** The newest entries, oldest first; at most `limit`. */
  entries: Record<string, unknown>[];
  /** Lines among the ones read that were not JSON objects. */
  skipped: number;
  /** Why the feed is empty when it is not configured or its file does not exist yet. */
  note?: string;
}

function parseLimit(feed: FeedName, search: URLSearchParams): number {
  const values = search.getAll("limit");
  for (const name of new Set(search.keys())) {
    if (name !== "limit") throw new QueryParameterError(feed, name, "unknown parameter");
  }
  if (values.length > 1) throw new QueryParameterError(feed, "limit", "given more than once");
  if (values.length === 0) return FEED_DEFAULT_LIMIT;
  const text = values[0] as string;
  const limit = Number(text);
  if (!/^\d+$/.test(text) || limit < 1 || limit > FEED_MAX_LIMIT) {
    throw new QueryParameterError(
      feed,
      "limit",
      `must be an integer from 1 to ${FEED_MAX_LIMIT}, got "${text.slice(0, 40)}"`,
    );
  }
  return limit;
}

function parseEntries(lines: readonly string[]): Pick<FeedAnswer, "entries" | "skipped"> {
  const entries: Record<string, unknown>[] = [];
  let skipped = 0;
  for (const line of lines) {
    try {
      const value: unknown = JSON.parse(line);
      if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        entries.push(value as Record<string, unknown>);
        continue;
      }
    } catch {
      // Counted below like any other line that is not an entry.
    }
    skipped++;
  }
  return { entries, skipped };
}

/** The newest `limit` entries of the feed at `path` (null: not configured). */
export async function readFeed(
  feed: FeedName,
  path: string | null,
  limit: number,
): Promise<FeedAnswer> {
  if (path === null) {
    return { feed, entries: [], skipped: 0, note: `no ${feed} file is configured` };
  }
  const tail = await readTailLines(path, { maxLines: limit, maxBytes: FEED_MAX_BYTES });
  const answer: FeedAnswer = { feed, ...parseEntries(tail.lines) };
  if (!tail.exists) answer.note = `the ${feed} file does not exist yet`;
  return answer;
}

export function feedRoute(feed: FeedName, path: string | null): RequestHandler {
  return async (req, res) => {
    const search = new URL(req.originalUrl, "http://localhost").searchParams;
    res.json(await readFeed(feed, path, parseLimit(feed, search)));
  };
}
