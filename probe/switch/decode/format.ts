/** Turning raw field bytes into the text forms the neighbour shape uses. */
import ipaddr from "ipaddr.js";

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** Lowercase hex, no separators. */
export function hex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += HEX[byte];
  return out;
}

/** "00:1b:2c:3d:4e:5f" for six bytes (any length is joined the same way). */
export function mac(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += (i === 0 ? "" : ":") + HEX[bytes[i] as number];
  return out;
}

/** An OUI as "00:12:0f". */
export function oui(value: number): string {
  return `${HEX[(value >> 16) & 0xff]}:${HEX[(value >> 8) & 0xff]}:${HEX[value & 0xff]}`;
}

export function ipv4(bytes: Uint8Array): string {
  return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
}

/** RFC 5952 text (lowercase, compressed). */
export function ipv6(bytes: Uint8Array): string {
  return ipaddr.fromByteArray(Array.from(bytes)).toString();
}

const utf8 = new TextDecoder("utf-8", { fatal: false });

/**
 * Text fields: UTF-8 (ASCII in practice), without the trailing NULs some
 * senders add. Invalid UTF-8 becomes U+FFFD rather than failing the frame.
 */
export function text(bytes: Uint8Array): string {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return utf8.decode(end === bytes.length ? bytes : bytes.subarray(0, end));
}

/** True when every byte is printable ASCII (space to tilde) and there is at least one. */
export function isPrintable(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return false;
  for (const byte of bytes) if (byte < 0x20 || byte > 0x7e) return false;
  return true;
}

/** Printable text as text, anything else as lowercase hex. */
export function textOrHex(bytes: Uint8Array): string {
  return isPrintable(bytes) ? text(bytes) : hex(bytes);
}

/**
 * A BER-encoded object identifier in dotted form. Accepts the content octets
 * alone or with the universal OID tag and length (0x06 LL ...), since senders
 * differ. Undefined when the bytes are not a well-formed OID.
 */
export function oid(bytes: Uint8Array): string | undefined {
  let content = bytes;
  if (bytes.length >= 2 && bytes[0] === 0x06 && bytes[1] === bytes.length - 2) {
    content = bytes.subarray(2);
  }
  if (content.length === 0) return undefined;
  const arcs: number[] = [];
  let value = 0;
  let digits = 0;
  for (const byte of content) {
    // Seven bits a byte; more than seven bytes would pass 2^49 and lose precision.
    if (digits === 7) return undefined;
    value = value * 128 + (byte & 0x7f);
    digits++;
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0;
      digits = 0;
    }
  }
  if (digits !== 0) return undefined;
  const first = arcs[0] as number;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...arcs.slice(1)].join(".");
}
