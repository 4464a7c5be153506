/**
 * Canonical JSON text, written directly: the same bytes as
 * `JSON.stringify(canonical(value), null, 2)` (every object's keys in code
 * point order, except that array-index keys such as "0" or "10" come first in
 * numeric order, as JSON.stringify lists them) without building a sorted copy
 * of the value first, which dominated the cost on large exports.
 */
import { compareIds } from "./fields.js";

const ARRAY_INDEX = /^(?:0|[1-9]\d*)$/;
const isArrayIndex = (key: string) => ARRAY_INDEX.test(key) && Number(key) < 2 ** 32 - 1;

/** The keys in the order JSON.stringify writes an object built with them sorted. */
function canonicalKeys(object: object): string[] {
  const keys = Object.keys(object).sort(compareIds);
  if (!keys.some(isArrayIndex)) return keys;
  const indices = keys.filter(isArrayIndex).sort((a, b) => Number(a) - Number(b));
  return [...indices, ...keys.filter((k) => !isArrayIndex(k))];
}

/** What JSON.stringify leaves out of an object (and writes as null in an array). */
const skipped = (value: unknown) =>
  value === undefined || typeof value === "function" || typeof value === "symbol";

const indents: string[] = ["\n"];
const indent = (depth: number) => {
  for (let d = indents.length; d <= depth; d++) indents[d] = `\n${"  ".repeat(d)}`;
  return indents[depth] as string;
};

function write(value: unknown, depth: number, parts: string[]): void {
  if (value === null) {
    parts.push("null");
  } else if (typeof value === "string") {
    parts.push(JSON.stringify(value));
  } else if (typeof value === "number") {
    parts.push(Number.isFinite(value) ? String(value) : "null");
  } else if (typeof value === "boolean") {
    parts.push(value ? "true" : "false");
  } else if (typeof value === "bigint") {
    throw new TypeError("Do not know how to serialize a BigInt");
  } else if (Array.isArray(value)) {
    if (value.length === 0) {
      parts.push("[]");
      return;
    }
    const inner = indent(depth + 1);
    for (let i = 0; i < value.length; i++) {
      parts.push(i === 0 ? `[${inner}` : `,${inner}`);
      const item: unknown = value[i];
      if (skipped(item)) parts.push("null");
      else write(item, depth + 1, parts);
    }
    parts.push(`${indent(depth)}]`);
  } else {
    const object = value as Record<string, unknown>;
    const inner = indent(depth + 1);
    let first = true;
    for (const key of canonicalKeys(object)) {
      const item = object[key];
      if (skipped(item)) continue;
      parts.push(`${first ? "{" : ","}${inner}${JSON.stringify(key)}: `);
      first = false;
      write(item, depth + 1, parts);
    }
    parts.push(first ? "{}" : `${indent(depth)}}`);
  }
}

/**
 * Whether every object in `value` has its keys in canonical order (nothing
 * allocated). `writable`: also that JSON.stringify writes it as write() would
 * (plain objects only, no value it skips, no BigInt).
 */
function inOrder(value: unknown, writable: boolean): boolean {
  if (value === null || typeof value !== "object") {
    return !writable || (typeof value !== "bigint" && !skipped(value));
  }
  if (Array.isArray(value)) {
    for (const item of value) if (!inOrder(item, writable)) return false;
    return true;
  }
  if (writable) {
    const prototype = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) return false;
  }
  const object = value as Record<string, unknown>;
  let previous: string | undefined;
  for (const key in object) {
    // Index keys come first in numeric order in any object: only the others need checking.
    if (!isArrayIndex(key)) {
      if (previous !== undefined && previous > key) return false;
      previous = key;
    }
    if (!inOrder(object[key], writable)) return false;
  }
  return true;
}

const isCanonical = (value: unknown) => inOrder(value, true);
const isOrdered = (value: unknown) => inOrder(value, false);

/**
 * The value with every plain object's keys in canonical order: the same
 * value when they already are (the record builders write them so), else a
 * reordered copy. Built records go through it once, so that writing them
 * takes writeItem's native path.
 */
export function inCanonicalOrder<T>(value: T): T {
  return isOrdered(value) ? value : reordered(value);
}

function reordered<T>(value: T): T {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(reordered) as T;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  const object = value as Record<string, unknown>;
  const copy: Record<string, unknown> = {};
  for (const key of canonicalKeys(object)) {
    // defineProperty: a key "__proto__" (discovered text) stays a key.
    Object.defineProperty(copy, key, {
      value: reordered(object[key]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy as T;
}

/**
 * An item written `depth` levels deep. Records are built with their keys in
 * canonical order, so their text is usually JSON.stringify's own (native, several
 * times faster), indented to its place; anything else goes through write().
 */
function writeItem(value: unknown, depth: number, parts: string[]): void {
  if (isCanonical(value)) {
    parts.push(JSON.stringify(value, null, 2).replaceAll("\n", indent(depth)));
  } else {
    write(value, depth, parts);
  }
}

/** Canonical, indented JSON with a final newline. */
export function canonicalJson(value: unknown): string {
  if (skipped(value)) return `${undefined}\n`;
  const parts: string[] = [];
  write(value, 0, parts);
  parts.push("\n");
  return parts.join("");
}

/** Array items written per chunk by canonicalJsonChunks. */
const ITEMS_PER_CHUNK = 512;

/**
 * canonicalJson(value) in pieces, for an object whose arrays are too large to
 * write as one string (records.json): the same text, each top-level array's
 * items written a few hundred at a time.
 */
export function* canonicalJsonChunks(value: Record<string, unknown>): Generator<string> {
  let first = true;
  for (const key of canonicalKeys(value)) {
    const item = value[key];
    if (skipped(item)) continue;
    const head = `${first ? "{" : ","}${indent(1)}${JSON.stringify(key)}: `;
    first = false;
    if (!Array.isArray(item) || item.length === 0) {
      const parts = [head];
      write(item, 1, parts);
      yield parts.join("");
      continue;
    }
    yield `${head}[`;
    for (let start = 0; start < item.length; start += ITEMS_PER_CHUNK) {
      const parts: string[] = [];
      const end = Math.min(item.length, start + ITEMS_PER_CHUNK);
      for (let i = start; i < end; i++) {
        parts.push(i === 0 ? indent(2) : `,${indent(2)}`);
        if (skipped(item[i])) parts.push("null");
        else writeItem(item[i], 2, parts);
      }
      yield parts.join("");
    }
    yield `${indent(1)}]`;
  }
  yield first ? "{}\n" : `${indent(0)}}\n`;
}
