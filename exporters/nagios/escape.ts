/**
 * Nagios object syntax rules for untrusted values. Object config is line
 * based: a newline ends a directive (and a line ending in `\` continues onto
 * the next), `;` starts a comment unless written `\;`, a line that is only `}`
 * ends the object, and `$…$` is a macro wherever Nagios expands macros. So:
 *
 * - names (host_name, service_description, group and command names) are made
 *   of a safe charset only, and never start with anything but a letter or digit;
 * - free text (alias, notes) loses control characters, backslashes, `$` and
 *   backquotes, and has `;` escaped as `\;`;
 * - check arguments are either of a narrow charset or refused.
 */
import { createHash } from "node:crypto";

/** What every name we write is made of. */
export const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const MAX_NAME = 64;
const MAX_TEXT = 200;

/** A short stable hash, to tell apart names that sanitise alike. */
export const shortHash = (text: string, length = 8): string =>
  createHash("sha256").update(text).digest("hex").slice(0, length);

/**
 * A Nagios-safe name from untrusted text: letters, digits, `.`, `_`, `-`;
 * anything else becomes `_`, leading non-alphanumerics go, and an empty result
 * is `fallback`.
 */
export function safeName(value: string | null | undefined, fallback: string): string {
  const replaced = (value ?? "")
    .normalize("NFKC")
    .replace(/[^A-Za-z0-9._-]/g, "_")
    .replace(/^[^A-Za-z0-9]+/, "")
    .replace(/_+/g, "_")
    .slice(0, MAX_NAME)
    .replace(/[._-]+$/, "");
  return replaced === "" ? fallback : replaced;
}

/**
 * Unique names for keyed items: an item whose name another item also wants
 * gets `-<hash of its key>`, every one of them, so a name never depends on
 * which item came first.
 */
export function uniqueNames(items: readonly { key: string; name: string }[]): Map<string, string> {
  const count = new Map<string, number>();
  for (const { name } of items)
    count.set(name.toLowerCase(), (count.get(name.toLowerCase()) ?? 0) + 1);
  const names = new Map<string, string>();
  const taken = new Set<string>();
  for (const { key, name } of items) {
    let unique = (count.get(name.toLowerCase()) ?? 0) > 1 ? `${name}-${shortHash(key)}` : name;
    // A sanitised name can still equal another's suffixed one: lengthen the hash.
    for (let length = 12; taken.has(unique.toLowerCase()); length += 4) {
      unique = `${name}-${shortHash(key, length)}`;
    }
    taken.add(unique.toLowerCase());
    names.set(key, unique);
  }
  return names;
}

/** Control characters (C0, DEL, C1) and the Unicode line and paragraph separators. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are what we remove
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/** Free text as a directive value: one line, no macro, no comment, no continuation. */
export function safeText(value: string | null | undefined, fallback: string): string {
  const cleaned = (value ?? "")
    .replace(CONTROL, " ")
    .replace(/[\\$`]/g, "")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, MAX_TEXT)
    .trim();
  return cleaned === "" ? fallback : cleaned.replace(/;/g, "\\;");
}

/**
 * A check argument we pass through `$ARGn$`: it ends up in a shell command
 * line, so only plain characters, and never a leading `-` (it would read as
 * an option). Returns null for anything else: the caller refuses the check.
 */
const ARG = /^[A-Za-z0-9._:/@%+,=][A-Za-z0-9._:/@%+,=-]*$/;
export function safeArgument(value: string): string | null {
  return value.length <= 255 && ARG.test(value) ? value : null;
}

/** A plugin name (`check_tcp`): the command's executable under $USER1$. */
export const PLUGIN = /^check_[a-z0-9_]+$/;

/** An option name from a rule (`H`, `port`, `pgport`). */
export const OPTION = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;
