/**
 * The embedded store's SQLite schema: a property graph in two tables, nodes
 * and rels, each element unique by its identity, properties as a JSON object.
 */
import type Database from "better-sqlite3";

export const SCHEMA_VERSION = 1;

const DDL = `
CREATE TABLE IF NOT EXISTS nodes (
  id INTEGER PRIMARY KEY,
  label TEXT NOT NULL,
  key TEXT NOT NULL,
  props TEXT NOT NULL CHECK (json_type(props) = 'object'),
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  gone_since TEXT,
  UNIQUE (label, key)
);
CREATE TABLE IF NOT EXISTS rels (
  id INTEGER PRIMARY KEY,
  type TEXT NOT NULL,
  src INTEGER NOT NULL REFERENCES nodes (id),
  dst INTEGER NOT NULL REFERENCES nodes (id),
  key TEXT NOT NULL,
  props TEXT NOT NULL CHECK (json_type(props) = 'object'),
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  gone_since TEXT,
  UNIQUE (type, src, dst, key)
);
CREATE INDEX IF NOT EXISTS rels_by_dst ON rels (type, dst);
-- Lookups when linking dependencies: a system's wildcard listeners, its loopback addresses.
CREATE INDEX IF NOT EXISTS ipport_by_system
  ON nodes (props ->> 'system', props ->> 'port', props ->> 'proto') WHERE label = 'IPPort';
CREATE INDEX IF NOT EXISTS ipaddr_by_system ON nodes (props ->> 'system') WHERE label = 'IPAddr';
-- Lookups by name and address in queries.
CREATE INDEX IF NOT EXISTS system_by_hostname ON nodes (props ->> 'hostname') WHERE label = 'System';
CREATE INDEX IF NOT EXISTS nic_by_mac ON nodes (props ->> 'mac') WHERE label = 'NIC';
CREATE INDEX IF NOT EXISTS ipaddr_by_ip ON nodes (props ->> 'ip') WHERE label = 'IPAddr';
CREATE INDEX IF NOT EXISTS package_by_name ON nodes (props ->> 'name') WHERE label = 'Package';
CREATE INDEX IF NOT EXISTS arp_by_mac ON rels (props ->> 'mac') WHERE type = 'ARP_NEIGHBOUR';
-- When each system's last document of each type was observed: stale-document detection.
CREATE TABLE IF NOT EXISTS documents (
  system TEXT NOT NULL,
  discovertype TEXT NOT NULL,
  seen_at TEXT NOT NULL,
  PRIMARY KEY (system, discovertype)
) WITHOUT ROWID;
`;

/** Creates the tables on a new database; refuses a database written by a newer assim. */
export function migrate(db: Database.Database, file: string): void {
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new Error(
      `${file} has graph schema version ${version}; this assim knows up to ${SCHEMA_VERSION}: upgrade assim`,
    );
  }
  if (version === SCHEMA_VERSION) return;
  db.transaction(() => {
    db.exec(DDL);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
