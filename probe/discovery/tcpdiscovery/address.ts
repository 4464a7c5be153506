/**
 * Decoding of the hex addresses in /proc/net/{tcp,tcp6,udp,udp6}. The kernel
 * prints each 32-bit word of the address with %08X in host byte order, so on
 * a little-endian machine the bytes of every word come out reversed; ports
 * are printed as plain numbers.
 */

/** Value of the hex digits text[start, end), or -1 when one is not a hex digit. */
export function hexValue(text: string, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    let digit: number;
    if (c >= 48 && c <= 57) digit = c - 48;
    else if (c >= 65 && c <= 70) digit = c - 55;
    else if (c >= 97 && c <= 102) digit = c - 87;
    else return -1;
    value = value * 16 + digit;
  }
  return end > start ? value : -1;
}

/** The four bytes of one printed word, in memory (network) order. */
function wordBytes(word: number, littleEndian: boolean): [number, number, number, number] {
  const b0 = word & 0xff;
  const b1 = (word >>> 8) & 0xff;
  const b2 = (word >>> 16) & 0xff;
  const b3 = word >>> 24;
  return littleEndian ? [b0, b1, b2, b3] : [b3, b2, b1, b0];
}

/**
 * RFC 5952 text of eight 16-bit groups: lowercase, no leading zeros, the
 * longest run (leftmost on a tie) of two or more zero groups as "::".
 */
export function formatIPv6(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  let runStart = -1;
  for (let i = 0; i <= groups.length; i++) {
    if (i < groups.length && groups[i] === 0) {
      if (runStart < 0) runStart = i;
      continue;
    }
    if (runStart >= 0 && i - runStart > bestLength) {
      bestStart = runStart;
      bestLength = i - runStart;
    }
    runStart = -1;
  }
  const hex = (g: number) => g.toString(16);
  if (bestStart < 0) return groups.map(hex).join(":");
  const head = groups.slice(0, bestStart).map(hex).join(":");
  const tail = groups
    .slice(bestStart + bestLength)
    .map(hex)
    .join(":");
  return `${head}::${tail}`;
}

/**
 * Canonical text of a /proc/net address of 8 (IPv4) or 32 (IPv6) hex digits,
 * or undefined when it is neither. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d,
 * an IPv4 peer of a dual-stack socket) are given as plain IPv4, so the same
 * peer reads the same whichever socket family saw it.
 */
export function decodeHexAddress(hex: string, littleEndian: boolean): string | undefined {
  if (hex.length === 8) {
    const word = hexValue(hex, 0, 8);
    if (word < 0) return undefined;
    return wordBytes(word, littleEndian).join(".");
  }
  if (hex.length !== 32) return undefined;
  const bytes: number[] = [];
  for (let w = 0; w < 4; w++) {
    const word = hexValue(hex, w * 8, w * 8 + 8);
    if (word < 0) return undefined;
    bytes.push(...wordBytes(word, littleEndian));
  }
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2)
    groups.push(((bytes[i] as number) << 8) | (bytes[i + 1] as number));
  const mapped = groups[5] === 0xffff && groups.slice(0, 5).every((g) => g === 0);
  return mapped ? bytes.slice(12).join(".") : formatIPv6(groups);
}

export function isIPv4(addr: string): boolean {
  return !addr.includes(":");
}
