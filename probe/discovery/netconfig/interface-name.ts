/**
 * Interface names come from the kernel, which allows almost anything: dots,
 * "@", unicode, quotes, even control characters (dev_valid_name refuses only
 * "", ".", "..", "/", ":", ASCII white space and more than 15 bytes). They
 * become JSON keys and /sys paths, so each one is checked before use.
 */

/** Kernel limit (IFNAMSIZ - 1) in bytes. */
export const MAX_INTERFACE_NAME_BYTES = 15;

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this finds
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const FORBIDDEN = /[/:\t\n\v\f\r ]/;

/** Kernel limit of an alternative name (ALTIFNAMSIZ - 1) in bytes. */
export const MAX_ALTNAME_BYTES = 127;

/** Why name cannot be used as an interface name here, or undefined when it can. */
export function interfaceNameProblem(
  name: string,
  maxBytes = MAX_INTERFACE_NAME_BYTES,
): string | undefined {
  if (name === "" || name === "." || name === "..") return "empty or a dot name";
  // What the output decoder made of bytes that are not UTF-8: the real name is unknown.
  if (name.includes("\ufffd")) return "not valid UTF-8";
  if (Buffer.byteLength(name, "utf8") > maxBytes) return `longer than ${maxBytes} bytes`;
  if (FORBIDDEN.test(name)) return "holds '/', ':' or white space";
  if (CONTROL.test(name)) return "holds control characters";
  return undefined;
}

/** A name for an error message: JSON-quoted, so control characters show as escapes. */
export function shownName(name: string): string {
  return JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}...` : name);
}
