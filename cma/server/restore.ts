import { parseAddress } from "../../protocol/address.js";
import type { GraphStore } from "../graph/store.js";
import type { ProbeRecord, ProbeState } from "./registry.js";

/**
 * The probes a previous run registered, read back from their System nodes
 * (probe_key, probe_address, status), so a restarted CMA knows its fleet
 * without asking anyone to register again.
 */
export async function registeredProbes(store: GraphStore): Promise<ProbeRecord[]> {
  const snapshot = await store.snapshot();
  const probes: ProbeRecord[] = [];
  for (const node of snapshot.nodes) {
    if (node.label !== "System" || node.gone_since !== null) continue;
    const {
      probe_key,
      probe_address,
      machine_id,
      hostname,
      status,
      status_reason,
      probe_start_id,
    } = node.props;
    if (typeof probe_key !== "string" || typeof probe_address !== "string") continue;
    if (typeof machine_id !== "string") continue;
    let address: ReturnType<typeof parseAddress>;
    try {
      address = parseAddress(probe_address);
    } catch {
      continue;
    }
    const state: ProbeState =
      status === "up"
        ? "up"
        : typeof status_reason === "string" && status_reason.startsWith("shutdown")
          ? "shutdown"
          : "down";
    probes.push({
      system: node.key,
      machineId: machine_id,
      hostname: typeof hostname === "string" ? hostname : "",
      key: probe_key,
      address,
      startId: typeof probe_start_id === "string" ? probe_start_id : "",
      state,
      switchKey: null,
    });
  }
  return probes;
}
