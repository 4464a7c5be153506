/**
 * The graph store: one interface of small, named operations, implemented by
 * the embedded adapter (SQLite, `embedded/`) and the Neo4j adapter (`neo4j/`),
 * and checked by one contract suite (`contract/`) that runs unchanged against both.
 *
 * Rules every adapter follows (the contract suite checks them):
 * - Identity is decided by the caller (cma/ingest, with cma/graph/keys.ts): every
 *   node arrives with its `key`; adapters never derive identity themselves.
 *   A node is unique per (label, key); a relationship per (type, from, to, key).
 * - Values are plain JS: strings, booleans, integers as JS numbers (always within
 *   Number.MAX_SAFE_INTEGER; no fractional numbers occur), and homogeneous arrays of
 *   strings or of integers (possibly empty). Neo4j must write integers as INTEGER and
 *   read them back as numbers. A `null` property value means "absent": upserting it
 *   removes the property, and snapshots never contain null-valued properties.
 * - Times are ISO 8601 UTC strings with milliseconds ("2026-01-02T03:04:05.678Z"),
 *   so they compare correctly as strings. `at` is the observation time: the
 *   document's `collected_at`, not the time of ingest.
 * - Every node and relationship carries `first_seen` (the least `at` that confirmed
 *   it), `last_seen` (the greatest `at` that confirmed it; never moves backwards) and
 *   `gone_since` (null while alive; the `at` of the first observation that no
 *   longer listed it). Confirming a retired element revives it: `gone_since`
 *   becomes null again, `first_seen` stays.
 * - `replace*` operations are set replacements scoped to one system: what is listed
 *   is upserted (and revived), what this system had and no longer lists is retired
 *   (never deleted), what is already retired stays retired with its first `gone_since`.
 */

/** An operation named a System that was never upserted: a caller bug, not bad input. */
export class UnknownSystemError extends Error {
  override name = "UnknownSystemError";
  constructor(readonly system: string) {
    super(`no System with key "${system}": upsertSystem it first`);
  }
}

/** A property value: see the rules above. */
export type PropValue = string | number | boolean | null | readonly string[] | readonly number[];
export type Props = Readonly<Record<string, PropValue>>;

/** Node labels. */
export const LABELS = [
  "System",
  "NIC",
  "IPAddr",
  "IPPort",
  "Process",
  "SwitchPort",
  "Package",
  "Monitor",
  "Ring",
] as const;
export type Label = (typeof LABELS)[number];

/** Relationship types, as (from label) -[TYPE]-> (to label). See docs/graph-model.md. */
export const RELATIONSHIP_TYPES = [
  "HAS_NIC", // System -> NIC
  "HAS_IP", // NIC -> IPAddr {prefix_len, scope, label, dynamic, broadcast, peer}
  "ARP_NEIGHBOUR", // System -> IPAddr {interface, mac, router}; key: interface
  "HAS_PORT", // System (switch) -> SwitchPort
  "SEES_PORT", // System (host) -> SwitchPort {interface, protocols, ttl_seconds}; key: interface
  "WIRED_TO", // NIC -> SwitchPort (derived from SEES_PORT and the host's NICs)
  "RUNS", // System -> Process
  "LISTENS_ON", // Process -> IPPort
  "CLIENT_OF", // Process -> IPPort
  "ON_IP", // IPPort -> IPAddr (not for wildcard listeners)
  "DEPENDS_ON", // Process -> Process {proto, port}, key "proto/port"; System -> System (derived)
  "INSTALLED", // System -> Package
  "MONITORED_BY", // Process -> Monitor (cma/monitoring: the monitor the CMA set up for it)
  "RING_NEXT", // System -> System {ring}
] as const;
export type RelationshipType = (typeof RELATIONSHIP_TYPES)[number];

/** A node as an operation receives it: identity plus the properties to set. */
export interface NodeFacts {
  key: string;
  props: Props;
}

export type SystemKind = "host" | "switch";

export interface SystemFacts extends NodeFacts {
  kind: SystemKind;
}

export type SystemStatus = "up" | "down" | "unknown";

export interface AddressFacts {
  /** Key of a NIC of this system (given to replaceNics in the same or an earlier document). */
  nic: string;
  ip: NodeFacts;
  /** HAS_IP properties: prefix_len, scope, label, dynamic, broadcast, peer. */
  props: Props;
}

export interface ArpNeighbourFacts {
  ip: NodeFacts;
  /** The local interface the entry was learned on: part of the relationship's identity. */
  interface: string;
  /** ARP_NEIGHBOUR properties: interface, mac, router. */
  props: Props;
}

/**
 * An IPPort. Its props are { ip, proto, port, system }: `system` is the key of the
 * System it belongs to for wildcard ("0.0.0.0", "::") and loopback addresses, and
 * null otherwise. An IPAddr's props are { ip, version, scope, system }, `system`
 * set only for loopback (scope "host"). linkDependencies relies on these.
 */
export interface IpPortFacts extends NodeFacts {
  /** The IPAddr this port is on; null for a wildcard listener (0.0.0.0 or ::). */
  ip: NodeFacts | null;
}

export interface ProcessFacts extends NodeFacts {
  /** What the process listens on: LISTENS_ON relationships (the listen set). */
  listen: readonly IpPortFacts[];
  /** What it is a client of: CLIENT_OF relationships. */
  clients: readonly IpPortFacts[];
}

export interface SwitchNeighbourFacts {
  /** The host's local interface name that heard the switch. */
  interface: string;
  switch: SystemFacts;
  port: NodeFacts;
  /** SEES_PORT properties: interface, protocols, ttl_seconds. */
  props: Props;
}

export interface LinkSummary {
  /** Active derived relationships touching this system after linking. */
  active: number;
  /** Of those, how many were created or revived by this call. */
  added: number;
  /** Derived relationships retired by this call. */
  retired: number;
}

/**
 * A Monitor the CMA decided on: one monitoring action (or a deliberate
 * "nomon") for one listening Process, keyed by process and rule. Its props
 * describe the agent (see cma/monitoring/plan.ts); state props are managed by
 * replaceMonitors (a new or revived Monitor starts "pending") and recordMonitorState.
 */
export interface MonitorFacts extends NodeFacts {
  /** Key of the Process it watches: MONITORED_BY from that Process. */
  process: string;
}

/** A listening Process as monitoring rules see it. */
export interface ListeningProcess {
  key: string;
  exe: string | null;
  argv: string[];
  uid: number | null;
  /** Its active listen set, sorted by (proto, ip, port). */
  listen: { proto: string; ip: string; port: number }[];
}

/** An active Monitor of a system's processes. */
export interface MonitorRecord {
  key: string;
  process: string;
  props: Record<string, PropValue>;
}

/** What monitoring rules are matched against, read from the graph for one system. */
export interface MonitoringView {
  /** Active processes the system RUNS with at least one active LISTENS_ON, sorted by key. */
  processes: ListeningProcess[];
  /** Names of its actively INSTALLED packages, sorted and unique. */
  packages: string[];
  /** The System's properties (agents_ocf, agents_lsb, agents_nagios, systemd_services…). */
  system: Record<string, PropValue>;
  /** Monitors with an active MONITORED_BY from any process the system ever ran, sorted by key. */
  monitors: MonitorRecord[];
}

/** A monitor's state as the probe reported it. */
export interface MonitorStateFacts {
  /** ok, warning, critical, unknown, stopped (probe/monitor), or pending/unreachable from the CMA. */
  state: string;
  reason: string;
  /** Class-specific detail as JSON text (an OCF code name, Nagios perfdata…), kept as state_detail. */
  detail: string;
}

/** Transitions kept on a Monitor (property `history`), newest last. */
export const MONITOR_HISTORY_LIMIT = 100;

/**
 * The operations available inside one write transaction. Every operation is
 * idempotent: applying the same facts with the same `at` twice changes nothing.
 */
export interface GraphTransaction {
  /**
   * When this system's last document of this type was observed, or null.
   * Bookkeeping for stale-document detection: not a graph node, absent from
   * snapshot() and counts().
   */
  documentSeenAt(system: string, discovertype: string): Promise<string | null>;
  /** Records that a document of this type was applied (keeps the greatest `at`). */
  recordDocument(system: string, discovertype: string, at: string): Promise<void>;

  /**
   * Creates or updates a System. The properties given are set (null removes one),
   * the others are left alone; `kind` is stored as the `kind` property. A new
   * System starts with status "up", status_reason "discovered", status_since = at.
   * Revives a retired System.
   */
  upsertSystem(system: SystemFacts, at: string): Promise<void>;
  /**
   * Sets status, status_reason and status_since (only when the status changes).
   * Returns false when no such System exists.
   */
  setSystemStatus(
    system: string,
    status: SystemStatus,
    reason: string,
    at: string,
  ): Promise<boolean>;
  /** Marks a System gone (decommissioned); its next upsertSystem revives it. False when absent. */
  retireSystem(system: string, at: string): Promise<boolean>;

  /**
   * For each NIC key, the keys of the Systems with an active HAS_NIC to it
   * (sorted; keys with no owner map to []). Lets ingest scope a MAC that
   * another system already claims.
   */
  nicOwners(nicKeys: readonly string[]): Promise<Record<string, string[]>>;
  /**
   * The system's NIC set: HAS_NIC to each listed NIC. A NIC whose HAS_NIC is
   * retired is retired too unless another System has an active HAS_NIC to it.
   */
  replaceNics(system: string, nics: readonly NodeFacts[], at: string): Promise<void>;
  /**
   * The system's addresses: HAS_IP from its NICs (any NIC it ever had) to IPAddr
   * nodes. IPAddr nodes are shared meeting points and are never retired.
   */
  replaceAddresses(system: string, addresses: readonly AddressFacts[], at: string): Promise<void>;
  /** The system's ARP/NDP neighbours: ARP_NEIGHBOUR relationships, keyed by interface. */
  replaceArpNeighbours(
    system: string,
    neighbours: readonly ArpNeighbourFacts[],
    at: string,
  ): Promise<void>;
  /**
   * The system's processes with their listen sets and client connections:
   * RUNS, LISTENS_ON, CLIENT_OF, ON_IP. An unlisted Process is retired with its
   * RUNS, LISTENS_ON and CLIENT_OF; for a listed one, unlisted LISTENS_ON and
   * CLIENT_OF are retired. IPPort and IPAddr nodes are never retired.
   */
  replaceProcesses(system: string, processes: readonly ProcessFacts[], at: string): Promise<void>;
  /** The system's installed packages: INSTALLED to shared Package nodes (never retired). */
  replacePackages(system: string, packages: readonly NodeFacts[], at: string): Promise<void>;
  /**
   * What the system's interfaces hear from switches: each switch System (upserted,
   * kind "switch"), its SwitchPort (HAS_PORT), and SEES_PORT from this system,
   * keyed by interface. Switch Systems and SwitchPorts are never retired here.
   */
  replaceSwitchNeighbours(
    system: string,
    neighbours: readonly SwitchNeighbourFacts[],
    at: string,
  ): Promise<void>;

  /**
   * Derives WIRED_TO for this system: for each active SEES_PORT {interface},
   * the system's active NIC (active HAS_NIC) whose `ifname` property equals the
   * interface gets WIRED_TO that SwitchPort. WIRED_TO from this system's NICs
   * that is no longer derived is retired.
   */
  linkWiring(system: string, at: string): Promise<LinkSummary>;
  /**
   * Derives DEPENDS_ON for every process of this system, as client and as server.
   *
   * An active client connection (Process C)-[:CLIENT_OF]->(IPPort t {ip, proto, port})
   * matches an active listener (Process S)-[:LISTENS_ON]->(IPPort l {proto, port}) of
   * an active Process S when proto and port are equal and either
   *   - t and l are the same IPPort node (same ip, including host-scoped loopback), or
   *   - l is a wildcard listener (ip "0.0.0.0": IPv4 targets only; "::": any target),
   *     and the System that RUNS S owns the target IP: it has an active HAS_NIC to a
   *     NIC with an active HAS_IP to t's IPAddr, or t's IPAddr is host-scoped to it
   *     (IPAddr property `system` equals its key: loopback).
   * Each match gives (C)-[:DEPENDS_ON {proto, port}]->(S), key "proto/port", and,
   * when C and S run on different Systems, (System of C)-[:DEPENDS_ON]->(System of S)
   * with key "". Derived relationships touching this system's processes that no
   * longer match are retired; matching ones are upserted (revived) with at.
   */
  linkDependencies(system: string, at: string): Promise<LinkSummary>;

  /** The system's listening processes, packages, properties and monitors. Throws UnknownSystemError. */
  monitoringView(system: string): Promise<MonitoringView>;
  /**
   * The system's monitor set: each listed Monitor upserted with MONITORED_BY from
   * its Process (which must belong to the system). A Monitor that is new or was
   * retired starts with state "pending". MONITORED_BY from the system's processes
   * (active or retired) that is not listed is retired, and so is a Monitor left
   * with no active MONITORED_BY.
   */
  replaceMonitors(system: string, monitors: readonly MonitorFacts[], at: string): Promise<void>;
  /**
   * Records a reported state: state, state_reason, state_detail,
   * state_checked_at = at; when the state differs from the stored one, also
   * state_since = at and one JSON entry {at, from, to, reason} appended to
   * `history` (the oldest dropped beyond MONITOR_HISTORY_LIMIT). Returns false
   * when no active Monitor has this key.
   */
  recordMonitorState(monitor: string, state: MonitorStateFacts, at: string): Promise<boolean>;
}

export interface NodeRef {
  label: Label;
  key: string;
}

export interface NodeRecord extends NodeRef {
  props: Record<string, PropValue>;
  first_seen: string;
  last_seen: string;
  gone_since: string | null;
}

export interface RelationshipRecord {
  type: RelationshipType;
  from: NodeRef;
  to: NodeRef;
  key: string;
  props: Record<string, PropValue>;
  first_seen: string;
  last_seen: string;
  gone_since: string | null;
}

/** The whole graph, sorted: nodes by (label, key), relationships by (type, from, to, key). */
export interface GraphSnapshot {
  nodes: NodeRecord[];
  relationships: RelationshipRecord[];
}

export interface CountPair {
  active: number;
  retired: number;
}

/** Counts by label and by type; labels and types with nothing stored are absent. */
export interface GraphCounts {
  nodes: Partial<Record<Label, CountPair>>;
  relationships: Partial<Record<RelationshipType, CountPair>>;
}

/** A query value: like a property value, plus null. */
export type QueryValue = PropValue;

export interface QueryResult {
  name: string;
  columns: string[];
  rows: Record<string, QueryValue>[];
}

export interface GraphStore {
  /** "embedded" or "neo4j": for messages, never for behaviour. */
  readonly adapter: string;
  /**
   * Runs `work` in ONE write transaction: everything it wrote is committed when
   * it resolves, nothing when it rejects (the rejection is passed on). Writes
   * are serialized. An adapter may run `work` again after a transient failure
   * (Neo4j's executeWrite does), so `work` must not have side effects outside `tx`.
   * Once this resolves the transaction is durable (it survives kill -9).
   */
  write<T>(work: (tx: GraphTransaction) => Promise<T>): Promise<T>;
  /**
   * Runs a query of the catalogue (cma/queries/catalogue.ts) on committed data.
   * Throws UnknownQueryError or QueryParameterError (cma/queries/errors.ts)
   * before touching the store; parameters are validated by prepareQuery().
   */
  runQuery(name: string, params?: Readonly<Record<string, unknown>>): Promise<QueryResult>;
  counts(): Promise<GraphCounts>;
  /** Everything stored, retired elements included, from one commit. */
  snapshot(): Promise<GraphSnapshot>;
  /**
   * The live graph from one commit, sorted like snapshot(): nodes with
   * gone_since null, and relationships with gone_since null whose both ends
   * are live. What the exporters read; retired history is left in the store.
   */
  liveSnapshot(): Promise<GraphSnapshot>;
  /** Flushes and releases everything; the store is unusable afterwards. */
  close(): Promise<void>;
}
