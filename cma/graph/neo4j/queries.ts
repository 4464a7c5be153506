/**
 * The query catalogue (cma/queries/catalogue.ts) in Cypher. Parameters arrive
 * validated. Rows are put in the catalogue's order here, in JS, because the
 * catalogue sorts strings by code point and Neo4j's ORDER BY compares UTF-16
 * code units; null sorts as "". Lists inside cells are sorted the same way.
 */
import type { ManagedTransaction } from "neo4j-driver";
import type { PreparedQuery, QueryParams } from "../../queries/params.js";
import { LABELS, type QueryResult, type QueryValue } from "../store.js";
import { compareValues, fromNeo4j, toNeo4jParam } from "./values.js";

type Row = Record<string, QueryValue>;

interface CypherQuery {
  /** Cypher, or a builder when a validated integer must be part of the text. */
  cypher: string | ((p: QueryParams) => string);
  /** Columns holding lists: returned as lists of one-element lists (so nulls survive), flattened, sorted. */
  lists?: readonly string[];
  /** Sort keys, most significant first (the catalogue's `order`). */
  order: readonly string[];
  bind?: (p: QueryParams) => Record<string, unknown>;
  /** More parameters, from a first read in the same transaction (added to bind's). */
  prepare?: (tx: ManagedTransaction, p: QueryParams) => Promise<Record<string, unknown>>;
}

/** Systems named by $host: key, machine id, chassis id or name. */
const NAMED = (s: string) =>
  `(${s}.key = $host OR ${s}.machine_id = $host OR ${s}.chassis_id = $host OR ${s}.name = $host)`;

/** "proto/address:port", IPv6 addresses in brackets. */
const ENDPOINT = (port: string) =>
  `${port}.proto + '/' + CASE WHEN ${port}.ip CONTAINS ':' THEN '[' + ${port}.ip + ']' ELSE ${port}.ip END + ':' + toString(${port}.port)`;

const QUERIES: Record<string, CypherQuery> = {
  systems: {
    cypher: `MATCH (n:System) WHERE $kind IS NULL OR n.kind = $kind
      RETURN n.key AS key, n.kind AS kind, n.name AS name, n.status AS status,
        n.status_reason AS status_reason, n.status_since AS status_since,
        n.first_seen AS first_seen, n.last_seen AS last_seen, n.gone_since AS gone_since`,
    order: ["kind", "name", "key"],
    bind: (p) => ({ kind: p.kind ?? null }),
  },
  "down-systems": {
    cypher: `MATCH (n:System) WHERE n.status = 'down'
      RETURN n.key AS key, n.kind AS kind, n.name AS name, n.status_reason AS status_reason,
        n.status_since AS status_since, n.last_seen AS last_seen`,
    order: ["status_since", "name", "key"],
  },
  "unmonitored-services": {
    cypher: `MATCH (s:System)-[runs:RUNS]->(p:Process)
      WHERE s.gone_since IS NULL AND runs.gone_since IS NULL AND p.gone_since IS NULL
        AND ($host IS NULL OR ${NAMED("s")})
        AND EXISTS { MATCH (p)-[l:LISTENS_ON]->() WHERE l.gone_since IS NULL }
        AND NOT EXISTS { MATCH (p)-[m:MONITORED_BY]->() WHERE m.gone_since IS NULL }
      CALL {
        WITH p
        MATCH (p)-[l:LISTENS_ON]->(ip) WHERE l.gone_since IS NULL
        RETURN collect(DISTINCT [${ENDPOINT("ip")}]) AS listens
      }
      RETURN s.key AS system, s.name AS host, p.key AS process, p.name AS name, p.exe AS exe,
        p.user AS user, listens`,
    lists: ["listens"],
    order: ["host", "system", "name", "process"],
    bind: (p) => ({ host: p.host ?? null }),
  },
  "host-dependencies": {
    cypher: `MATCH (h:System) WHERE ${NAMED("h")}
      MATCH (h)-[:RUNS]->(mine)
      CALL {
        WITH mine
        MATCH (mine)-[d:DEPENDS_ON]->(theirs) WHERE d.gone_since IS NULL
        RETURN 'uses' AS direction, d, theirs
        UNION ALL
        WITH mine
        MATCH (mine)<-[d:DEPENDS_ON]-(theirs) WHERE d.gone_since IS NULL
        RETURN 'used-by' AS direction, d, theirs
      }
      MATCH (ps)-[:RUNS]->(theirs)
      RETURN direction, h.key AS system, mine.key AS process, mine.name AS process_name,
        d.proto AS proto, d.port AS port, ps.key AS peer_system, ps.name AS peer_host,
        theirs.key AS peer_process, theirs.name AS peer_process_name`,
    order: [
      "direction",
      "process_name",
      "proto",
      "port",
      "peer_host",
      "peer_process_name",
      "process",
      "peer_process",
    ],
  },
  "host-links": {
    // $keys: the first N active hosts, chosen by firstActiveHosts (code-point order).
    cypher: `UNWIND $keys AS key
      MATCH (h:System {key: key})-[:RUNS]->(mine)-[d:DEPENDS_ON]->(theirs)<-[:RUNS]-(ps:System)
      WHERE d.gone_since IS NULL AND ps <> h AND ps.key IN $keys
      RETURN h.key AS system, h.name AS host, mine.key AS process, mine.name AS process_name,
        d.proto AS proto, d.port AS port, ps.key AS peer_system, ps.name AS peer_host,
        theirs.key AS peer_process, theirs.name AS peer_process_name`,
    order: [
      "host",
      "system",
      "process_name",
      "proto",
      "port",
      "peer_host",
      "peer_process_name",
      "process",
      "peer_process",
    ],
    bind: () => ({}),
    prepare: async (tx, p) => ({ keys: await firstActiveHosts(tx, Number(p.hosts)) }),
  },
  "dependency-tree": {
    // Levels by breadth-first search (ANY SHORTEST); the depth bound is a validated integer.
    cypher: (p) => {
      const hops = Number(p.depth) - 1;
      if (!Number.isInteger(hops) || hops < 0 || hops > 19) throw new Error("depth out of range");
      const step =
        p.direction === "uses"
          ? "(()-[e:DEPENDS_ON WHERE e.gone_since IS NULL]->(:Process))"
          : "(()<-[e:DEPENDS_ON WHERE e.gone_since IS NULL]-(:Process))";
      const edge =
        p.direction === "uses"
          ? "(near)-[d:DEPENDS_ON]->(far:Process)"
          : "(near)<-[d:DEPENDS_ON]-(far:Process)";
      return `CALL {
          MATCH (p:Process {key: $process}) RETURN p
          UNION
          MATCH (s:System)-[runs:RUNS]->(p:Process)-[l:LISTENS_ON]->(ip:IPPort)
          WHERE $process IS NULL AND ${NAMED("s")}
            AND runs.gone_since IS NULL AND p.gone_since IS NULL AND l.gone_since IS NULL
            AND ip.port = $port AND ip.proto = $proto
          RETURN p
        }
        MATCH path = ANY SHORTEST (p) ${step}{0,${hops}} (near:Process)
        WITH near, min(length(path)) AS level
        MATCH ${edge} WHERE d.gone_since IS NULL
        MATCH (sa)-[:RUNS]->(near)
        MATCH (sb)-[:RUNS]->(far)
        RETURN level + 1 AS depth, near.key AS from_process, near.name AS from_name,
          sa.name AS from_host, far.key AS to_process, far.name AS to_name, sb.name AS to_host,
          d.proto AS proto, d.port AS port`;
    },
    order: [
      "depth",
      "from_host",
      "from_name",
      "to_host",
      "to_name",
      "proto",
      "port",
      "from_process",
      "to_process",
    ],
    bind: (p) => ({
      process: p.process ?? null,
      host: p.host ?? null,
      port: p.port ?? null,
      proto: p.proto,
    }),
  },
  "find-ip": {
    cypher: `MATCH (ip:IPAddr {ip: $ip})<-[hi:HAS_IP]-(nic)<-[hn:HAS_NIC]-(s)
      RETURN ip.ip AS ip, 'assigned' AS relation, s.key AS system, s.name AS host,
        nic.ifname AS interface, nic.mac AS mac, hi.prefix_len AS prefix_len,
        coalesce(hi.gone_since, hn.gone_since) AS gone_since
      UNION ALL
      MATCH (ip:IPAddr {ip: $ip})<-[a:ARP_NEIGHBOUR]-(s)
      RETURN ip.ip AS ip, 'arp-neighbour' AS relation, s.key AS system, s.name AS host,
        a.key AS interface, a.mac AS mac, null AS prefix_len, a.gone_since AS gone_since`,
    order: ["relation", "host", "system", "interface"],
  },
  "find-mac": {
    cypher: `CALL {
        MATCH (nic:NIC {mac: $mac}) RETURN nic
        UNION
        MATCH (nic:NIC {permanent_mac: $mac}) RETURN nic
      }
      MATCH (s)-[hn:HAS_NIC]->(nic)
      CALL {
        WITH nic
        OPTIONAL MATCH (nic)-[hi:HAS_IP]->(ip) WHERE hi.gone_since IS NULL
        RETURN collect(DISTINCT CASE WHEN ip IS NULL THEN null ELSE [ip.ip] END) AS ips
      }
      RETURN $mac AS mac, 'nic' AS relation, s.key AS system, s.name AS host,
        nic.ifname AS interface, nic.key AS nic, ips, hn.gone_since AS gone_since
      UNION ALL
      MATCH (s)-[a:ARP_NEIGHBOUR {mac: $mac}]->(ip)
      RETURN $mac AS mac, 'arp-neighbour' AS relation, s.key AS system, s.name AS host,
        a.key AS interface, null AS nic, [[ip.ip]] AS ips, a.gone_since AS gone_since`,
    lists: ["ips"],
    order: ["relation", "host", "system", "interface"],
  },
  "switch-ports": {
    cypher: `MATCH (nic)-[w:WIRED_TO]->(port)
      WHERE w.gone_since IS NULL
      MATCH (h)-[hn:HAS_NIC]->(nic) WHERE hn.gone_since IS NULL
      MATCH (sw)-[:HAS_PORT]->(port)
      WHERE ($host IS NULL OR ${NAMED("h")})
        AND ($switch IS NULL OR sw.key = $switch OR sw.chassis_id = $switch OR sw.name = $switch)
      RETURN h.name AS host, h.key AS system, nic.ifname AS interface, nic.mac AS mac,
        coalesce(sw.name, sw.chassis_id) AS switch, sw.key AS switch_key,
        port.port_id AS port_id, port.description AS port_description, port.vlan_id AS vlan_id`,
    order: ["host", "system", "interface", "switch", "port_id"],
    bind: (p) => ({ host: p.host ?? null, switch: p.switch ?? null }),
  },
  "ownerless-ips": {
    cypher: `MATCH (ip:IPAddr)
      WHERE coalesce(ip.scope, '') <> 'host'
        AND NOT EXISTS { MATCH (ip)<-[hi:HAS_IP]-() WHERE hi.gone_since IS NULL }
        AND (EXISTS { MATCH (ip)<-[:ON_IP]-()<-[co:CLIENT_OF]-() WHERE co.gone_since IS NULL }
          OR EXISTS { MATCH (ip)<-[a:ARP_NEIGHBOUR]-() WHERE a.gone_since IS NULL })
      CALL {
        WITH ip
        OPTIONAL MATCH (ip)<-[:ON_IP]-(t)<-[co:CLIENT_OF]-(proc) WHERE co.gone_since IS NULL
        OPTIONAL MATCH (s)-[:RUNS]->(proc)
        RETURN collect(DISTINCT CASE WHEN t IS NULL THEN null ELSE [t.proto + '/' + toString(t.port)] END) AS ports,
          collect(DISTINCT CASE WHEN s IS NULL THEN null ELSE [s.key] END) AS clients
      }
      CALL {
        WITH ip
        OPTIONAL MATCH (ip)<-[a:ARP_NEIGHBOUR]-(s) WHERE a.gone_since IS NULL
        RETURN collect(DISTINCT CASE WHEN a IS NULL THEN null ELSE [a.mac] END) AS macs,
          collect(DISTINCT CASE WHEN s IS NULL THEN null ELSE [s.key] END) AS seen_by
      }
      RETURN ip.ip AS ip, ports, clients, macs, seen_by`,
    lists: ["ports", "clients", "macs", "seen_by"],
    order: ["ip"],
  },
  packages: {
    cypher: `CALL {
        MATCH (pk:Package) WHERE $name IS NOT NULL AND pk.name = $name RETURN pk
        UNION
        MATCH (pk:Package) WHERE $prefix IS NOT NULL AND pk.name STARTS WITH $prefix RETURN pk
      }
      MATCH (s)-[i:INSTALLED]->(pk) WHERE i.gone_since IS NULL
      RETURN pk.name AS name, pk.version AS version, pk.arch AS arch, pk.manager AS manager,
        s.key AS system, s.name AS host`,
    order: ["name", "version", "arch", "host", "system"],
    bind: (p) => ({ name: p.name ?? null, prefix: p.prefix ?? null }),
  },
  "node-counts": {
    // One branch per label (from the fixed list): each is served by the label's own scan.
    cypher: () => countByLabel(),
    order: ["label"],
  },
};

/**
 * Keys of the first `count` active hosts in the systems query's order (name, null as "",
 * then key). Sorted here, not by ORDER BY ... LIMIT, which would not compare by code point.
 */
async function firstActiveHosts(tx: ManagedTransaction, count: number): Promise<string[]> {
  const result = await tx.run(
    `MATCH (h:System {kind: 'host'}) WHERE h.gone_since IS NULL
      RETURN h.key AS key, h.name AS name`,
  );
  const hosts = result.records.map((r) => ({
    key: fromNeo4j(r.get("key")),
    name: fromNeo4j(r.get("name")),
  }));
  hosts.sort((a, b) => compareValues(a.name, b.name) || compareValues(a.key, b.key));
  return hosts.slice(0, count).map((h) => String(h.key));
}

/** Active and retired nodes per label, for the labels that have any. */
export function countByLabel(): string {
  return LABELS.map(
    (label) => `MATCH (n:${label})
      WITH count(n) AS total, count(n.gone_since) AS retired WHERE total > 0
      RETURN '${label}' AS label, total - retired AS active, retired`,
  ).join("\nUNION ALL\n");
}

/** The adapter's implementations, by name (the contract suite checks that every catalogue query has one). */
export const NEO4J_QUERY_NAMES = Object.keys(QUERIES);

/** Orders rows by the given columns, then by every column, so ties too have one order. */
function sortRows(rows: Row[], order: readonly string[], columns: readonly string[]): void {
  const keys = [...order, ...columns.filter((c) => !order.includes(c))];
  rows.sort((a, b) => {
    for (const key of keys) {
      const difference = compareValues(a[key], b[key]);
      if (difference !== 0) return difference;
    }
    return 0;
  });
}

/** A list cell: one-element lists (or null for "no row") flattened, sorted, null first. */
function listCell(value: unknown): QueryValue {
  const items = ((value as unknown[] | null) ?? [])
    .filter((item) => item !== null)
    .map((item) => fromNeo4j((item as unknown[])[0]));
  return items.sort(compareValues) as QueryValue;
}

export async function runNeo4jQuery(
  tx: ManagedTransaction,
  prepared: PreparedQuery,
): Promise<QueryResult> {
  const { definition, params } = prepared;
  const query = QUERIES[definition.name];
  if (!query) throw new Error(`the Neo4j store has no implementation of "${definition.name}"`);
  const cypher = typeof query.cypher === "string" ? query.cypher : query.cypher(params);
  const bound: Record<string, unknown> = {
    ...(query.bind ? query.bind(params) : params),
    ...(query.prepare ? await query.prepare(tx, params) : {}),
  };
  const converted: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(bound)) converted[name] = toNeo4jParam(value, name);
  const result = await tx.run(cypher, converted);
  const columns = definition.columns.map((c) => c.name);
  const rows = result.records.map((record) => {
    const row: Row = {};
    for (const column of columns) {
      const value = record.has(column) ? record.get(column) : null;
      row[column] = query.lists?.includes(column) ? listCell(value) : fromNeo4j(value);
    }
    return row;
  });
  sortRows(rows, query.order, columns);
  return { name: definition.name, columns, rows };
}
