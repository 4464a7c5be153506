/**
 * Parsers of the small attribute files under /sys/class/net/<name>/. Each
 * takes the file's text and gives the value, or null when the kernel says it
 * does not know (speed -1, duplex "unknown").
 */

/** carrier: "1" or "0". */
export function parseCarrier(text: string): boolean | null {
  const value = text.trim();
  return value === "1" ? true : value === "0" ? false : null;
}

/** The largest speed taken at face value (Mb/s); 1.6 Tb/s links exist, this leaves room. */
const MAX_SPEED = 100_000_000;

/**
 * speed in Mb/s. Drivers that do not know report -1, or SPEED_UNKNOWN
 * (0xffffffff) printed unsigned by older kernels; both, and 0, are null.
 */
export function parseSpeed(text: string): number | null {
  const value = text.trim();
  if (!/^-?\d{1,12}$/.test(value)) return null;
  const speed = Number(value);
  return speed > 0 && speed <= MAX_SPEED ? speed : null;
}

export function parseDuplex(text: string): "full" | "half" | null {
  const value = text.trim();
  return value === "full" || value === "half" ? value : null;
}

/** A non-negative decimal integer file (mtu, ifindex, type), or null. */
export function parseCount(text: string, max = 4294967295): number | null {
  const value = text.trim();
  if (!/^\d{1,10}$/.test(value)) return null;
  const count = Number(value);
  return count <= max ? count : null;
}

/** flags: hexadecimal IFF_* bits; IFF_UP (0x1) is the administrative state. */
export function parseAdminUp(text: string): boolean | null {
  const value = text.trim();
  if (!/^0x[0-9a-f]{1,8}$/i.test(value)) return null;
  return (Number.parseInt(value, 16) & 0x1) === 1;
}

/** A KEY=value line of a uevent file (DRIVER, DEVTYPE, ...). */
export function ueventField(text: string, key: string): string | null {
  for (const line of text.split("\n")) {
    if (line.startsWith(`${key}=`)) {
      const value = line.slice(key.length + 1).trim();
      return /^[\x21-\x7e]{1,64}$/.test(value) ? value : null;
    }
  }
  return null;
}

/** iproute2's names for ARPHRD_* link types (include/uapi/linux/if_arp.h), the common ones. */
const LINK_TYPES: Record<number, string> = {
  1: "ether",
  24: "ieee1394",
  32: "infiniband",
  256: "slip",
  280: "can",
  512: "ppp",
  768: "ipip",
  769: "tunnel6",
  772: "loopback",
  776: "sit",
  778: "gre",
  801: "ieee802.11",
  802: "ieee802.11/prism",
  803: "ieee802.11/radiotap",
  804: "ieee802.15.4",
  823: "ip6gre",
  824: "netlink",
  65534: "none",
};

/** The /sys `type` number as iproute2 names it; "[N]" (as iproute2 prints) when not known. */
export function linkTypeName(arphrd: number): string {
  return LINK_TYPES[arphrd] ?? `[${arphrd}]`;
}
