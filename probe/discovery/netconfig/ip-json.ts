/**
 * Reading the JSON that iproute2 prints with `-j`. iproute2 writes strings
 * such as interface names byte for byte, so a name holding a control
 * character makes the whole output invalid JSON; those characters are escaped
 * here first, and the object is then read field by field with type checks.
 */
import type { ErrorList } from "../error-list.js";

/**
 * Parses iproute2 JSON output into an array of records. Raw control
 * characters inside strings are escaped first; empty output is an empty list.
 * Throws when the text is still not a JSON array.
 */
export function parseIpJson(text: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed === "") return [];
  const value: unknown = JSON.parse(escapeControlsInStrings(trimmed));
  if (!Array.isArray(value)) throw new Error("not a JSON array");
  return value;
}

/** Escapes U+0000..U+001F that appear inside JSON strings; text outside strings is kept. */
export function escapeControlsInStrings(text: string): string {
  let out = "";
  let inString = false;
  let escaped = false;
  let copiedUpTo = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!inString) {
      if (c === 0x22) inString = true;
      continue;
    }
    if (escaped) escaped = false;
    else if (c === 0x5c) escaped = true;
    else if (c === 0x22) inString = false;
    else if (c < 0x20) {
      out += `${text.slice(copiedUpTo, i)}\\u${c.toString(16).padStart(4, "0")}`;
      copiedUpTo = i + 1;
    }
  }
  return copiedUpTo === 0 ? text : out + text.slice(copiedUpTo);
}

/** One object of iproute2's JSON list, with where it was for error entries. */
export interface IpJsonRecord {
  fields: Fields;
  where: string;
}

/**
 * The objects of iproute2 JSON output, each wrapped for typed reading.
 * Output that is not a JSON list is one error entry and no records; an entry
 * that is not an object is an error entry and skipped.
 */
export function* ipJsonRecords(
  text: string,
  where: string,
  errors: ErrorList,
): Generator<IpJsonRecord> {
  let entries: unknown[];
  try {
    entries = parseIpJson(text);
  } catch (error) {
    errors.add(where, error);
    return;
  }
  // A generator, so error entries stay in the order of the output's entries.
  for (const [index, entry] of entries.entries()) {
    const entryWhere = `${where}: entry ${index}`;
    if (isRecord(entry)) yield { fields: new Fields(entry, entryWhere, errors), where: entryWhere };
    else errors.add(entryWhere, "not an object; skipped");
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Typed access to one JSON record. A field of the wrong type is recorded as an
 * error (naming where) and read as absent, so one odd field costs only itself.
 */
export class Fields {
  constructor(
    readonly record: Record<string, unknown>,
    private readonly where: string,
    private readonly errors: ErrorList,
  ) {}

  has(key: string): boolean {
    return Object.hasOwn(this.record, key);
  }

  private wrong(key: string, expected: string): undefined {
    this.errors.add(this.where, `field ${JSON.stringify(key)} is not ${expected}; ignored`);
    return undefined;
  }

  string(key: string, maxLength = 256): string | undefined {
    if (!this.has(key) || this.record[key] === null) return undefined;
    const value = this.record[key];
    if (typeof value !== "string") return this.wrong(key, "a string");
    if (value.length > maxLength) return this.wrong(key, `at most ${maxLength} characters long`);
    return value;
  }

  /** An integer in [min, max]. */
  integer(key: string, min: number, max: number): number | undefined {
    if (!this.has(key) || this.record[key] === null) return undefined;
    const value = this.record[key];
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      return this.wrong(key, `an integer from ${min} to ${max}`);
    }
    return value;
  }

  strings(key: string, maxLength = 256): string[] {
    if (!this.has(key) || this.record[key] === null) return [];
    const value = this.record[key];
    if (!Array.isArray(value) || value.some((v) => typeof v !== "string" || v.length > maxLength)) {
      this.wrong(key, "a list of strings");
      return [];
    }
    return value as string[];
  }

  object(key: string): Fields | undefined {
    if (!this.has(key) || this.record[key] === null) return undefined;
    const value = this.record[key];
    if (!isRecord(value)) return this.wrong(key, "an object");
    return new Fields(value, this.where, this.errors);
  }

  list(key: string): unknown[] {
    if (!this.has(key) || this.record[key] === null) return [];
    const value = this.record[key];
    if (!Array.isArray(value)) {
      this.wrong(key, "a list");
      return [];
    }
    return value;
  }
}
