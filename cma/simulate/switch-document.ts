/**
 * The switch discovery document a simulated system sends: its eth0 hears one
 * switch over LLDP, on one port, in the shape the real `switch` discovery
 * produces (probe/discovery/switch/), so the CMA's ingest and switch rings see
 * what they would see in a data center.
 */
export function simulatedSwitchDocument(
  machineId: string,
  hostname: string,
  switchNumber: number,
  portNumber: number,
): Record<string, unknown> {
  const mac = [
    0x02,
    0x5a,
    (switchNumber >> 16) & 255,
    (switchNumber >> 8) & 255,
    switchNumber & 255,
    1,
  ]
    .map((byte) => byte.toString(16).padStart(2, "0"))
    .join(":");
  return {
    discovertype: "switch",
    description: "switch ports heard (simulated)",
    host: hostname,
    machine_id: machineId,
    source: "simulation",
    proxy: "local/local",
    collected_at: new Date().toISOString(),
    data: {
      interfaces: {
        eth0: {
          neighbours: [
            {
              protocols: ["lldp"],
              ttl_seconds: 120,
              chassis: {
                id: mac,
                id_subtype: "mac_address",
                name: `simsw${switchNumber}`,
                capabilities: { supported: ["bridge"], enabled: ["bridge"] },
                management_addresses: [],
              },
              port: { id: `Gi1/0/${portNumber}`, id_subtype: "interface_name" },
            },
          ],
        },
      },
      capture: {
        seconds: 32,
        interfaces: {
          eth0: {
            state: "listened",
            frames: 1,
            lldp_frames: 1,
            cdp_frames: 0,
            ignored_frames: 0,
            undecodable_frames: 0,
          },
        },
        skipped: {},
        permission_denied: false,
      },
    },
    errors: [],
  };
}
