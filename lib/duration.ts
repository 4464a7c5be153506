/** Durations as people write them on a command line: "30s", "5m", "1h", "1h30m", "250ms". */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const WHOLE = /^(?:\d+(?:ms|s|m|h|d))+$/;
const PART = /(\d+)(ms|s|m|h|d)/g;

/** Milliseconds, or null when the text is not a duration (a bare number has no unit: null). */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim().toLowerCase();
  if (!WHOLE.test(trimmed)) return null;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(PART)) {
    total += Number(amount) * (UNIT_MS[unit as string] as number);
  }
  return Number.isSafeInteger(total) ? total : null;
}
