import type { ErrorList } from "../error-list.js";
import { compareIps } from "../netconfig/addresses.js";
import type { ArpcacheData, Neighbour, NeighbourEntry } from "./types.js";

/**
 * Groups neighbour entries by interface, then IP, both in a stable order so
 * that an unchanged table gives an unchanged document. The kernel keys its
 * table by (interface, IP); a repeated pair is an error and the first is kept.
 */
export function groupNeighbours(
  entries: readonly NeighbourEntry[],
  where: string,
  errors: ErrorList,
): ArpcacheData {
  const byDevice = new Map<string, Map<string, Neighbour>>();
  for (const { device, ip, mac, state, router } of entries) {
    const table = byDevice.get(device) ?? new Map<string, Neighbour>();
    byDevice.set(device, table);
    if (table.has(ip)) {
      errors.add(where, `${ip} on ${JSON.stringify(device)} listed twice; first kept`);
      continue;
    }
    table.set(ip, { mac, state, router });
  }
  const devices = [...byDevice.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  // Object.fromEntries makes own keys, so an interface called "__proto__" is just a key.
  return Object.fromEntries(
    devices.map((device) => {
      const table = byDevice.get(device) as Map<string, Neighbour>;
      const ips = [...table.keys()].sort(compareIps);
      return [device, Object.fromEntries(ips.map((ip) => [ip, table.get(ip) as Neighbour]))];
    }),
  );
}
