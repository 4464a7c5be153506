/** Fixture documents and snapshot helpers shared by the contract suite. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../../../lib/package-root.js";
import type { DiscoveryDocument } from "../../../protocol/discovery-document.js";
import { ingestDocument } from "../../ingest/ingest.js";
import { hostSystemKey } from "../keys.js";
import type { GraphSnapshot, GraphStore, NodeRecord, RelationshipType } from "../store.js";

/** When the fixture documents were collected, and a later and an earlier time. */
export const AT = "2026-03-01T10:00:00.000Z";
export const LATER = "2026-03-01T11:00:00.000Z";
export const EARLIER = "2026-03-01T09:00:00.000Z";

export const MACHINE = { web1: "a1".repeat(16), db1: "b2".repeat(16), ldap1: "c3".repeat(16) };
export const SYSTEM = {
  web1: hostSystemKey(MACHINE.web1),
  db1: hostSystemKey(MACHINE.db1),
  ldap1: hostSystemKey(MACHINE.ldap1),
};
export type FixtureHost = keyof typeof MACHINE;

const fixtureDir = () => join(packageRoot(), "cma", "graph", "contract", "fixtures");

/**
 * The documents of one fixture host: web1 (nginx → gunicorn on loopback, which
 * uses redis on loopback, PostgreSQL on db1 and an outside API), db1
 * (PostgreSQL on 0.0.0.0, a client of LDAP on ldap1) and ldap1 (slapd on ::,
 * and its own loopback redis).
 */
export function fixtureDocuments(host: FixtureHost): DiscoveryDocument[] {
  return fixtureLines(host)
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as DiscoveryDocument);
}

function fixtureLines(host: FixtureHost): string {
  return readFileSync(join(fixtureDir(), `${host}.jsonl`), "utf8");
}

/** The three fixture hosts' documents as `assim ingest` reads them (one per line). */
export function fixtureWorldText(): string {
  return (["web1", "db1", "ldap1"] as const).map(fixtureLines).join("");
}

/** web1's switch document: eth0 hears sw1 port Gi1/0/1 over LLDP. */
export function switchDocument(): DiscoveryDocument {
  return JSON.parse(readFileSync(join(fixtureDir(), "switch-web1.json"), "utf8"));
}

export function fixtureDocument(host: FixtureHost, type: string): DiscoveryDocument {
  const found = fixtureDocuments(host).find((d) => d.discovertype === type);
  if (!found) throw new Error(`no ${type} document for ${host}`);
  return found;
}

/** A deep copy, optionally collected at another time. */
export function copy<D>(
  document: DiscoveryDocument<D>,
  collectedAt?: string,
): DiscoveryDocument<D> {
  const clone = structuredClone(document);
  if (collectedAt) clone.collected_at = collectedAt;
  return clone;
}

export async function ingestAll(
  store: GraphStore,
  documents: readonly DiscoveryDocument[],
): Promise<void> {
  for (const document of documents) await ingestDocument(store, document);
}

/** All three fixture hosts, in an order where clients come before their servers. */
export async function ingestFixtureWorld(store: GraphStore, collectedAt = AT): Promise<void> {
  for (const host of ["web1", "db1", "ldap1"] as const) {
    await ingestAll(
      store,
      fixtureDocuments(host).map((d) => copy(d, collectedAt)),
    );
  }
}

/** The snapshot with every last_seen blanked: what must not change when a document is seen again. */
export function withoutLastSeen(snapshot: GraphSnapshot) {
  return {
    nodes: snapshot.nodes.map((n) => ({ ...n, last_seen: "" })),
    relationships: snapshot.relationships.map((r) => ({ ...r, last_seen: "" })),
  };
}

export function node(snapshot: GraphSnapshot, label: string, key: string): NodeRecord {
  const found = snapshot.nodes.find((n) => n.label === label && n.key === key);
  if (!found) throw new Error(`no ${label} ${key} in the snapshot`);
  return found;
}

/** Relationships of a type as "from → to [key]" lines, active ones only unless told. */
export function edges(
  snapshot: GraphSnapshot,
  type: RelationshipType,
  options: { retired?: boolean; name?: (key: string) => string } = {},
): string[] {
  const name = options.name ?? ((key: string) => key);
  return snapshot.relationships
    .filter(
      (r) => r.type === type && (options.retired ? r.gone_since !== null : r.gone_since === null),
    )
    .map((r) => `${name(r.from.key)} -> ${name(r.to.key)}${r.key ? ` [${r.key}]` : ""}`)
    .sort();
}

/** Readable names for node keys: processes as "<host>/<process name>", systems as their name. */
export function namer(snapshot: GraphSnapshot): (key: string) => string {
  const systems = new Map(
    snapshot.nodes.filter((n) => n.label === "System").map((n) => [n.key, String(n.props.name)]),
  );
  const names = new Map<string, string>();
  for (const r of snapshot.relationships.filter((r) => r.type === "RUNS")) {
    const process = node(snapshot, "Process", r.to.key);
    names.set(r.to.key, `${systems.get(r.from.key)}/${process.props.name}`);
  }
  for (const [key, name] of systems) names.set(key, name);
  return (key) => names.get(key) ?? key;
}

/** The key of the process named `name` that `system` runs. */
export function processKeyOf(snapshot: GraphSnapshot, system: string, name: string): string {
  const keys = snapshot.relationships
    .filter((r) => r.type === "RUNS" && r.from.key === system)
    .map((r) => r.to.key)
    .filter((key) => node(snapshot, "Process", key).props.name === name);
  if (keys.length !== 1) throw new Error(`${keys.length} processes named ${name} on ${system}`);
  return keys[0] as string;
}
