/** One resolved neighbour: an IP address on a link, and the MAC that answers for it. */
export interface Neighbour {
  mac: string;
  /**
   * The kernel's NUD state: "REACHABLE", "STALE", "DELAY", "PROBE",
   * "PERMANENT", "NOARP", "NONE"; null when only /proc/net/arp was read and
   * the entry is not permanent (that file does not say more).
   */
  state: string | null;
  /** The neighbour announced itself as an IPv6 router. */
  router: boolean;
}

/** Keyed by interface name, then by IP address (IPv4 first, then IPv6, in numeric order). */
export type ArpcacheData = Record<string, Record<string, Neighbour>>;

/** One row of a neighbour table, before grouping. */
export interface NeighbourEntry extends Neighbour {
  device: string;
  ip: string;
}
