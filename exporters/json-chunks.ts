/**
 * `${JSON.stringify(value, null, 2)}\n` in pieces, for an object whose arrays
 * are too large to write as one string (the ServiceNow payload of 100,000
 * hosts): keys in the object's own order, each top-level array's items
 * stringified a few hundred at a time and indented to their place.
 */

const ITEMS_PER_CHUNK = 512;

/** What JSON.stringify leaves out of an object (and writes as null in an array). */
const skipped = (value: unknown) =>
  value === undefined || typeof value === "function" || typeof value === "symbol";

/** A value's indented JSON placed `depth` levels deep: every line after the first indented. */
const placed = (value: unknown, depth: number) =>
  skipped(value)
    ? "null"
    : JSON.stringify(value, null, 2).replaceAll("\n", `\n${"  ".repeat(depth)}`);

export function* indentedJsonChunks(value: Record<string, unknown>): Generator<string> {
  let first = true;
  for (const key of Object.keys(value)) {
    const item = value[key];
    if (skipped(item)) continue;
    const head = `${first ? "{" : ","}\n  ${JSON.stringify(key)}: `;
    first = false;
    if (!Array.isArray(item) || item.length === 0) {
      yield head + placed(item, 1);
      continue;
    }
    yield `${head}[`;
    for (let start = 0; start < item.length; start += ITEMS_PER_CHUNK) {
      const parts: string[] = [];
      const end = Math.min(item.length, start + ITEMS_PER_CHUNK);
      for (let i = start; i < end; i++)
        parts.push(`${i === 0 ? "" : ","}\n    `, placed(item[i], 2));
      yield parts.join("");
    }
    yield "\n  ]";
  }
  yield first ? "{}\n" : "\n}\n";
}
