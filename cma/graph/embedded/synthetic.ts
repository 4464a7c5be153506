/**
 * Generated discovery documents of a given size, for durability tests and
 * benchmarks: host n has its own machine id and `processes` processes, each
 * listening on one port and a client of the previous host.
 */
import type { DiscoveryDocument } from "../../../protocol/discovery-document.js";

export function syntheticMachineId(n: number): string {
  return n.toString(16).padStart(32, "0");
}

const hostIp = (n: number) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

export function syntheticTcpDocument(n: number, processes: number): DiscoveryDocument {
  const data: Record<string, unknown> = {};
  for (let p = 0; p < processes; p++) {
    data[`worker${p}:${p.toString(16).padStart(12, "0")}`] = {
      exe: `/usr/bin/worker${p}`,
      exe_deleted: false,
      cmdline: [`/usr/bin/worker${p}`, "--port", String(10000 + p)],
      pids: [1000 + p],
      uid: 1000,
      gid: 1000,
      user: "app",
      group: "app",
      cwd: "/srv",
      listen: [{ proto: "tcp", addr: "0.0.0.0", port: 10000 + p }],
      clients: n > 0 ? [{ proto: "tcp", addr: hostIp(n - 1), port: 10000 + p }] : [],
    };
  }
  return {
    discovertype: "tcpdiscovery",
    description: "synthetic",
    host: `host${n}`,
    machine_id: syntheticMachineId(n),
    source: "synthetic",
    proxy: "local/local",
    collected_at: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, n)).toISOString(),
    data,
    errors: [],
  };
}
