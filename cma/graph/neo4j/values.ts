/**
 * Values between the store interface and Bolt. The interface carries integers as JS
 * numbers; the driver would send those as FLOAT, so integers go out as Neo4j
 * INTEGER (neo4j.int) and come back as numbers, refusing any beyond 2^53 rather
 * than rounding them.
 */
import neo4j, { type Integer } from "neo4j-driver";
import type { Props, PropValue } from "../store.js";

/** Names the adapter keeps on every element beside its properties. */
export const RESERVED = new Set(["key", "first_seen", "last_seen", "gone_since"]);

type Outgoing =
  | string
  | boolean
  | null
  | Integer
  | number
  | Outgoing[]
  | { [name: string]: Outgoing };

function outgoing(value: unknown, where: string): Outgoing {
  if (neo4j.isInt(value)) return value as Integer;
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`${where}: ${value} is not a finite number`);
    if (!Number.isInteger(value)) return value; // a FLOAT stays a FLOAT
    if (!Number.isSafeInteger(value)) {
      throw new TypeError(`${where}: ${value} is beyond 2^53 and cannot be an exact integer`);
    }
    return neo4j.int(value);
  }
  if (Array.isArray(value)) return value.map((item, i) => outgoing(item, `${where}[${i}]`));
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const map: { [name: string]: Outgoing } = {};
    for (const [name, item] of Object.entries(value))
      map[name] = outgoing(item, `${where}.${name}`);
    return map;
  }
  throw new TypeError(`${where}: unsupported value ${JSON.stringify(value)}`);
}

/** A property map for `SET n += $props`: integers as INTEGER, null (remove) kept. */
export function toNeo4jProps(props: Props, where: string): Record<string, Outgoing> {
  const out: Record<string, Outgoing> = {};
  for (const [name, value] of Object.entries(props)) {
    if (RESERVED.has(name)) throw new TypeError(`${where}: property name "${name}" is reserved`);
    out[name] = outgoing(value, `${where}.${name}`);
  }
  return out;
}

/** Any query parameter: numbers that are integers become INTEGER. */
export function toNeo4jParam(value: unknown, where = "parameter"): Outgoing {
  return outgoing(value, where);
}

/** A value read back: INTEGER → number (exact, or an error), lists element by element. */
export function fromNeo4j(value: unknown): PropValue {
  if (neo4j.isInt(value)) {
    const integer = value as Integer;
    if (!integer.inSafeRange()) {
      throw new RangeError(`Neo4j returned ${integer.toString()}, beyond 2^53: not a JS number`);
    }
    return integer.toNumber();
  }
  if (typeof value === "bigint") {
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new RangeError(`Neo4j returned ${value}, beyond 2^53: not a JS number`);
    }
    return Number(value);
  }
  if (Array.isArray(value)) return value.map((item) => fromNeo4j(item)) as PropValue;
  if (value === undefined) return null;
  return value as PropValue;
}

/** An element's properties without the adapter's own (key, first_seen, last_seen, gone_since). */
export function propsOf(properties: Record<string, unknown>): Record<string, PropValue> {
  const props: Record<string, PropValue> = {};
  for (const [name, value] of Object.entries(properties)) {
    if (!RESERVED.has(name)) props[name] = fromNeo4j(value);
  }
  return props;
}

/**
 * Strings by code point, as the catalogue asks (and SQLite's BINARY collation
 * does); Neo4j's ORDER BY compares UTF-16 code units, which differs above U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(i) as number;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/** Orders query values: null first (as ""), numbers numerically, strings by code point. */
export function compareValues(a: unknown, b: unknown): number {
  const x = a ?? "";
  const y = b ?? "";
  if (typeof x === "number" && typeof y === "number") return x - y;
  if (typeof x === "string" && typeof y === "string") return compareCodePoints(x, y);
  if (Array.isArray(x) || Array.isArray(y) || typeof x !== typeof y) {
    return compareCodePoints(JSON.stringify(x), JSON.stringify(y));
  }
  return x < y ? -1 : x > y ? 1 : 0;
}
