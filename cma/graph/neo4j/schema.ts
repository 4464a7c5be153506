/**
 * Constraints and indexes, created at start with IF NOT EXISTS (idempotent):
 * a uniqueness constraint backs the key of every label, and a few property
 * indexes serve the lookups of ingest, linking and the named queries.
 */
import { LABELS } from "../store.js";

/** Bookkeeping label for documentSeenAt/recordDocument: not part of the graph. */
export const DOCUMENT_LABEL = "AssimDocument";

export const SCHEMA_STATEMENTS: readonly string[] = [
  ...LABELS.map(
    (label) =>
      `CREATE CONSTRAINT ${label.toLowerCase()}_key IF NOT EXISTS FOR (n:${label}) REQUIRE n.key IS UNIQUE`,
  ),
  `CREATE CONSTRAINT assim_document_id IF NOT EXISTS FOR (d:${DOCUMENT_LABEL}) REQUIRE d.id IS UNIQUE`,
  "CREATE INDEX system_name IF NOT EXISTS FOR (n:System) ON (n.name)",
  "CREATE INDEX system_machine_id IF NOT EXISTS FOR (n:System) ON (n.machine_id)",
  "CREATE INDEX system_chassis_id IF NOT EXISTS FOR (n:System) ON (n.chassis_id)",
  "CREATE INDEX nic_mac IF NOT EXISTS FOR (n:NIC) ON (n.mac)",
  "CREATE INDEX nic_permanent_mac IF NOT EXISTS FOR (n:NIC) ON (n.permanent_mac)",
  "CREATE INDEX ipaddr_ip IF NOT EXISTS FOR (n:IPAddr) ON (n.ip)",
  "CREATE INDEX ipport_port_proto IF NOT EXISTS FOR (n:IPPort) ON (n.port, n.proto)",
  "CREATE INDEX package_name IF NOT EXISTS FOR (n:Package) ON (n.name)",
  "CREATE INDEX arp_neighbour_mac IF NOT EXISTS FOR ()-[r:ARP_NEIGHBOUR]-() ON (r.mac)",
];
