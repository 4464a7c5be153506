import type { DiscoveryDocument } from "../../protocol/discovery-document.js";

/**
 * Who this probe says it is. Normally read from the host (/etc/machine-id and
 * the kernel hostname); a lab or a simulation runs many probes on one kernel and
 * gives each its own identity, which then replaces the host's in every document
 * (envelope and the `os` document's own fields), so the CMA sees N machines.
 */
export interface ProbeIdentity {
  machineId: string;
  hostname: string;
  /** True when given on the command line rather than read from the host. */
  overridden: boolean;
}

const MACHINE_ID = /^[0-9a-f]{32}$/;
const HOSTNAME =
  /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

export function checkMachineId(value: string, where: string): string {
  if (!MACHINE_ID.test(value)) {
    throw new Error(
      `${where}: a machine id is 32 lowercase hex digits, got "${value.slice(0, 64)}"`,
    );
  }
  return value;
}

export function checkHostname(value: string, where: string): string {
  if (value.length > 253 || !HOSTNAME.test(value)) {
    throw new Error(`${where}: not a valid hostname: "${value.slice(0, 64)}"`);
  }
  return value;
}

/** Puts an overridden identity on a document the host's collectors produced. */
export function applyIdentity(
  document: DiscoveryDocument,
  identity: ProbeIdentity,
): DiscoveryDocument {
  if (!identity.overridden) return document;
  const stamped: DiscoveryDocument = {
    ...document,
    host: identity.hostname,
    machine_id: identity.machineId,
  };
  if (document.discovertype === "os" && typeof document.data === "object" && document.data) {
    stamped.data = {
      ...(document.data as Record<string, unknown>),
      machine_id: identity.machineId,
      hostname: identity.hostname,
      fqdn: null,
    };
  }
  return stamped;
}
