import type { DiscoveryError } from "../../../protocol/discovery-document.js";
import { LineErrors } from "../line-errors.js";

/** os-release fields as written in the file, except ID_LIKE which is split into a list. */
export type OsRelease = Record<string, string | string[]>;

export interface ParsedOsRelease {
  release: OsRelease;
  errors: DiscoveryError[];
}

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const MAX_VALUE_LENGTH = 1024;
export const MAX_FIELDS = 200;

/**
 * Parses os-release(5): KEY=value lines, values optionally in single or double
 * quotes, shell-style backslash escapes, "#" comments and blank lines ignored.
 * `where` names the file in error entries ("path:line").
 */
export function parseOsRelease(text: string, where: string): ParsedOsRelease {
  const release: OsRelease = {};
  const malformed = new LineErrors(where);
  const fail = (lineNumber: number, message: string) => malformed.add(lineNumber, message);

  const lines = text.split("\n");
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const lineNumber = index + 1;
    const equals = line.indexOf("=");
    const key = equals > 0 ? line.slice(0, equals) : "";
    if (!KEY.test(key)) {
      fail(lineNumber, "not a KEY=value assignment");
      continue;
    }
    const value = unquote(line.slice(equals + 1));
    if (value === undefined) {
      fail(lineNumber, `${key}: unterminated or misplaced quote`);
      continue;
    }
    if (value.length > MAX_VALUE_LENGTH) {
      fail(lineNumber, `${key}: value longer than ${MAX_VALUE_LENGTH} characters`);
      continue;
    }
    if (hasControlCharacters(value)) {
      fail(lineNumber, `${key}: value holds control characters`);
      continue;
    }
    if (!(key in release) && Object.keys(release).length >= MAX_FIELDS) {
      fail(lineNumber, `more than ${MAX_FIELDS} fields; the rest are ignored`);
      break;
    }
    release[key] = key === "ID_LIKE" ? value.split(/\s+/).filter((id) => id !== "") : value;
  }
  return { release, errors: malformed.finish() };
}

/** The value of one assignment, or undefined when its quoting is broken. */
export function unquote(raw: string): string | undefined {
  const first = raw[0];
  if (first === "'") {
    if (raw.length < 2 || !raw.endsWith("'")) return undefined;
    const inner = raw.slice(1, -1);
    return inner.includes("'") ? undefined : inner;
  }
  if (first === '"') {
    if (raw.length < 2 || !raw.endsWith('"')) return undefined;
    return unescapeDoubleQuoted(raw.slice(1, -1));
  }
  return unescapeUnquoted(raw);
}

/** Inside double quotes a backslash escapes only $ ` " and \ (as in sh); other backslashes stay. */
function unescapeDoubleQuoted(inner: string): string | undefined {
  let out = "";
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i] as string;
    if (c === "\\") {
      const next = inner[i + 1];
      if (next === undefined) return undefined; // the closing quote was escaped
      if ('$`"\\'.includes(next)) {
        out += next;
        i++;
        continue;
      }
      out += c;
      continue;
    }
    if (c === '"') return undefined; // concatenated quoted strings are not supported
    out += c;
  }
  return out;
}

/**
 * Unquoted, a backslash escapes any character and an unescaped quote is an error. Blanks are
 * kept, as systemd's own parser does, though the spec asks for quotes around them.
 */
function unescapeUnquoted(raw: string): string | undefined {
  let out = "";
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c === "\\") {
      const next = raw[i + 1];
      if (next === undefined) return undefined;
      out += next;
      i++;
      continue;
    }
    if (c === '"' || c === "'") return undefined;
    out += c;
  }
  return out;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
const CONTROL = /[\u0000-\u001f\u007f]/;

export function hasControlCharacters(value: string): boolean {
  return CONTROL.test(value);
}
