/**
 * The query catalogue (cma/queries/catalogue.ts) in SQL over the embedded
 * store's nodes and rels tables. Parameters arrive validated; each query's
 * row order is the catalogue's, with null ordering as "".
 */
import type Database from "better-sqlite3";
import type { PreparedQuery, QueryParams } from "../../queries/params.js";
import type { QueryResult, QueryValue } from "../store.js";

type Row = Record<string, QueryValue>;

const ACTIVE = "gone_since IS NULL";

/** Systems named by @host: key, machine id, chassis id or name. */
const NAMED = (s: string) => `(${s}.key = @host OR ${s}.props ->> 'machine_id' = @host
  OR ${s}.props ->> 'chassis_id' = @host OR ${s}.props ->> 'name' = @host)`;

/** "proto/address:port", IPv6 addresses in brackets. */
const ENDPOINT = (port: string) => `${port}.props ->> 'proto' || '/' ||
  CASE WHEN instr(${port}.props ->> 'ip', ':') > 0 THEN '[' || (${port}.props ->> 'ip') || ']'
       ELSE ${port}.props ->> 'ip' END || ':' || (${port}.props ->> 'port')`;

const QUERIES: Record<
  string,
  { sql: string; lists?: string[]; bind?: (p: QueryParams) => object }
> = {
  systems: {
    sql: `SELECT key, props ->> 'kind' AS kind, props ->> 'name' AS name,
              props ->> 'status' AS status, props ->> 'status_reason' AS status_reason,
              props ->> 'status_since' AS status_since, first_seen, last_seen, gone_since
            FROM nodes WHERE label = 'System' AND (@kind IS NULL OR props ->> 'kind' = @kind)
            ORDER BY coalesce(kind, ''), coalesce(name, ''), key`,
    bind: (p) => ({ kind: p.kind ?? null }),
  },
  "down-systems": {
    sql: `SELECT key, props ->> 'kind' AS kind, props ->> 'name' AS name,
              props ->> 'status_reason' AS status_reason, props ->> 'status_since' AS status_since,
              last_seen
            FROM nodes WHERE label = 'System' AND props ->> 'status' = 'down'
            ORDER BY coalesce(status_since, ''), coalesce(name, ''), key`,
  },
  "unmonitored-services": {
    sql: `SELECT s.key AS system, s.props ->> 'name' AS host, p.key AS process,
              p.props ->> 'name' AS name, p.props ->> 'exe' AS exe, p.props ->> 'user' AS user,
              (SELECT json_group_array(e ORDER BY e) FROM (
                 SELECT DISTINCT ${ENDPOINT("ip")} AS e FROM rels AS l
                 JOIN nodes AS ip ON ip.id = l.dst
                 WHERE l.type = 'LISTENS_ON' AND l.src = p.id AND l.${ACTIVE})) AS listens
            FROM nodes AS s
            JOIN rels AS runs ON runs.type = 'RUNS' AND runs.src = s.id AND runs.${ACTIVE}
            JOIN nodes AS p ON p.id = runs.dst AND p.${ACTIVE}
            WHERE s.label = 'System' AND s.${ACTIVE} AND (@host IS NULL OR ${NAMED("s")})
              AND EXISTS (SELECT 1 FROM rels WHERE type = 'LISTENS_ON' AND src = p.id AND ${ACTIVE})
              AND NOT EXISTS (SELECT 1 FROM rels WHERE type = 'MONITORED_BY' AND src = p.id
                              AND ${ACTIVE})
            ORDER BY coalesce(host, ''), system, coalesce(name, ''), process`,
    lists: ["listens"],
    bind: (p) => ({ host: p.host ?? null }),
  },
  "host-dependencies": {
    sql: `WITH h AS (SELECT id, key FROM nodes AS s WHERE s.label = 'System' AND ${NAMED("s")}),
            edges AS (
              SELECT 'uses' AS direction, h.key AS system, d.src AS mine, d.dst AS theirs, d.props
              FROM h JOIN rels AS runs ON runs.type = 'RUNS' AND runs.src = h.id
              JOIN rels AS d ON d.type = 'DEPENDS_ON' AND d.src = runs.dst AND d.${ACTIVE}
              UNION ALL
              SELECT 'used-by', h.key, d.dst, d.src, d.props
              FROM h JOIN rels AS runs ON runs.type = 'RUNS' AND runs.src = h.id
              JOIN rels AS d ON d.type = 'DEPENDS_ON' AND d.dst = runs.dst AND d.${ACTIVE})
            SELECT e.direction, e.system, mp.key AS process, mp.props ->> 'name' AS process_name,
              e.props ->> 'proto' AS proto, e.props ->> 'port' AS port,
              ps.key AS peer_system, ps.props ->> 'name' AS peer_host,
              tp.key AS peer_process, tp.props ->> 'name' AS peer_process_name
            FROM edges AS e
            JOIN nodes AS mp ON mp.id = e.mine
            JOIN nodes AS tp ON tp.id = e.theirs
            JOIN rels AS pr ON pr.type = 'RUNS' AND pr.dst = tp.id
            JOIN nodes AS ps ON ps.id = pr.src
            ORDER BY e.direction, coalesce(process_name, ''), proto, port, coalesce(peer_host, ''),
              coalesce(peer_process_name, ''), process, peer_process`,
  },
  "host-links": {
    sql: `WITH h AS MATERIALIZED (
              SELECT id, key, props ->> 'name' AS name FROM nodes
              WHERE label = 'System' AND props ->> 'kind' = 'host' AND ${ACTIVE}
              ORDER BY coalesce(name, ''), key LIMIT @hosts)
            SELECT h.key AS system, h.name AS host, mp.key AS process,
              mp.props ->> 'name' AS process_name, d.props ->> 'proto' AS proto,
              d.props ->> 'port' AS port, ph.key AS peer_system, ph.name AS peer_host,
              tp.key AS peer_process, tp.props ->> 'name' AS peer_process_name
            FROM h
            JOIN rels AS runs ON runs.type = 'RUNS' AND runs.src = h.id
            JOIN rels AS d ON d.type = 'DEPENDS_ON' AND d.src = runs.dst AND d.${ACTIVE}
            JOIN rels AS pr ON pr.type = 'RUNS' AND pr.dst = d.dst
            JOIN h AS ph ON ph.id = pr.src AND ph.id <> h.id
            JOIN nodes AS mp ON mp.id = runs.dst
            JOIN nodes AS tp ON tp.id = d.dst
            ORDER BY coalesce(host, ''), system, coalesce(process_name, ''), proto, port,
              coalesce(peer_host, ''), coalesce(peer_process_name, ''), process, peer_process`,
  },
  "dependency-tree": {
    sql: `WITH RECURSIVE
            start AS (
              SELECT id FROM nodes WHERE label = 'Process' AND key = @process
              UNION
              SELECT p.id FROM nodes AS s
              JOIN rels AS runs ON runs.type = 'RUNS' AND runs.src = s.id AND runs.${ACTIVE}
              JOIN nodes AS p ON p.id = runs.dst AND p.${ACTIVE}
              JOIN rels AS l ON l.type = 'LISTENS_ON' AND l.src = p.id AND l.${ACTIVE}
              JOIN nodes AS ip ON ip.id = l.dst
              WHERE @process IS NULL AND s.label = 'System' AND ${NAMED("s")}
                AND ip.props ->> 'port' = @port AND ip.props ->> 'proto' = @proto),
            edge AS (
              SELECT CASE WHEN @uses THEN src ELSE dst END AS near,
                     CASE WHEN @uses THEN dst ELSE src END AS far, props
              FROM rels WHERE type = 'DEPENDS_ON' AND ${ACTIVE}),
            reach (proc, depth) AS (
              SELECT id, 0 FROM start
              UNION
              SELECT edge.far, reach.depth + 1 FROM reach JOIN edge ON edge.near = reach.proc
              JOIN nodes AS n ON n.id = edge.far AND n.label = 'Process'
              WHERE reach.depth + 1 < @depth),
            level AS (SELECT proc, min(depth) AS depth FROM reach GROUP BY proc)
            SELECT level.depth + 1 AS depth,
              a.key AS from_process, a.props ->> 'name' AS from_name, sa.props ->> 'name' AS from_host,
              b.key AS to_process, b.props ->> 'name' AS to_name, sb.props ->> 'name' AS to_host,
              edge.props ->> 'proto' AS proto, edge.props ->> 'port' AS port
            FROM level JOIN edge ON edge.near = level.proc
            JOIN nodes AS a ON a.id = edge.near
            JOIN nodes AS b ON b.id = edge.far AND b.label = 'Process'
            JOIN rels AS ra ON ra.type = 'RUNS' AND ra.dst = a.id JOIN nodes AS sa ON sa.id = ra.src
            JOIN rels AS rb ON rb.type = 'RUNS' AND rb.dst = b.id JOIN nodes AS sb ON sb.id = rb.src
            ORDER BY depth, coalesce(from_host, ''), coalesce(from_name, ''), coalesce(to_host, ''),
              coalesce(to_name, ''), proto, port, from_process, to_process`,
    bind: (p) => ({
      process: p.process ?? null,
      host: p.host ?? null,
      port: p.port ?? null,
      proto: p.proto,
      depth: p.depth,
      uses: p.direction === "uses" ? 1 : 0,
    }),
  },
  "find-ip": {
    sql: `SELECT * FROM (
              SELECT ip.props ->> 'ip' AS ip, 'assigned' AS relation, s.key AS system,
                s.props ->> 'name' AS host, nic.props ->> 'ifname' AS interface,
                nic.props ->> 'mac' AS mac, hi.props ->> 'prefix_len' AS prefix_len,
                coalesce(hi.gone_since, hn.gone_since) AS gone_since
              FROM nodes AS ip
              JOIN rels AS hi ON hi.type = 'HAS_IP' AND hi.dst = ip.id
              JOIN nodes AS nic ON nic.id = hi.src
              JOIN rels AS hn ON hn.type = 'HAS_NIC' AND hn.dst = nic.id
              JOIN nodes AS s ON s.id = hn.src
              WHERE ip.label = 'IPAddr' AND ip.props ->> 'ip' = @ip
              UNION ALL
              SELECT ip.props ->> 'ip', 'arp-neighbour', s.key, s.props ->> 'name', a.key,
                a.props ->> 'mac', NULL, a.gone_since
              FROM nodes AS ip
              JOIN rels AS a ON a.type = 'ARP_NEIGHBOUR' AND a.dst = ip.id
              JOIN nodes AS s ON s.id = a.src
              WHERE ip.label = 'IPAddr' AND ip.props ->> 'ip' = @ip)
            ORDER BY relation, coalesce(host, ''), system, coalesce(interface, '')`,
  },
  "find-mac": {
    sql: `SELECT * FROM (
              SELECT @mac AS mac, 'nic' AS relation, s.key AS system, s.props ->> 'name' AS host,
                nic.props ->> 'ifname' AS interface, nic.key AS nic,
                (SELECT json_group_array(v ORDER BY v) FROM (
                   SELECT DISTINCT ip.props ->> 'ip' AS v FROM rels AS hi
                   JOIN nodes AS ip ON ip.id = hi.dst
                   WHERE hi.type = 'HAS_IP' AND hi.src = nic.id AND hi.${ACTIVE})) AS ips,
                hn.gone_since AS gone_since
              FROM nodes AS nic
              JOIN rels AS hn ON hn.type = 'HAS_NIC' AND hn.dst = nic.id
              JOIN nodes AS s ON s.id = hn.src
              WHERE nic.label = 'NIC' AND (nic.props ->> 'mac' = @mac
                OR nic.props ->> 'permanent_mac' = @mac)
              UNION ALL
              SELECT @mac, 'arp-neighbour', s.key, s.props ->> 'name', a.key, NULL,
                json_array(ip.props ->> 'ip'), a.gone_since
              FROM rels AS a
              JOIN nodes AS s ON s.id = a.src
              JOIN nodes AS ip ON ip.id = a.dst
              WHERE a.type = 'ARP_NEIGHBOUR' AND a.props ->> 'mac' = @mac)
            ORDER BY relation, coalesce(host, ''), system, coalesce(interface, '')`,
    lists: ["ips"],
  },
  "switch-ports": {
    sql: `SELECT h.props ->> 'name' AS host, h.key AS system, nic.props ->> 'ifname' AS interface,
              nic.props ->> 'mac' AS mac,
              coalesce(sw.props ->> 'name', sw.props ->> 'chassis_id') AS switch, sw.key AS switch_key,
              port.props ->> 'port_id' AS port_id, port.props ->> 'description' AS port_description,
              port.props ->> 'vlan_id' AS vlan_id
            FROM rels AS w
            JOIN nodes AS nic ON nic.id = w.src
            JOIN rels AS hn ON hn.type = 'HAS_NIC' AND hn.dst = nic.id AND hn.${ACTIVE}
            JOIN nodes AS h ON h.id = hn.src
            JOIN nodes AS port ON port.id = w.dst
            JOIN rels AS hp ON hp.type = 'HAS_PORT' AND hp.dst = port.id
            JOIN nodes AS sw ON sw.id = hp.src
            WHERE w.type = 'WIRED_TO' AND w.${ACTIVE}
              AND (@host IS NULL OR ${NAMED("h")})
              AND (@switch IS NULL OR sw.key = @switch OR sw.props ->> 'chassis_id' = @switch
                   OR sw.props ->> 'name' = @switch)
            ORDER BY coalesce(host, ''), system, coalesce(interface, ''), coalesce(switch, ''),
              port_id`,
    bind: (p) => ({ host: p.host ?? null, switch: p.switch ?? null }),
  },
  "ownerless-ips": {
    sql: `SELECT ip.props ->> 'ip' AS ip,
              (SELECT json_group_array(v ORDER BY v) FROM (
                 SELECT DISTINCT (t.props ->> 'proto') || '/' || (t.props ->> 'port') AS v
                 FROM rels AS o JOIN nodes AS t ON t.id = o.src
                 JOIN rels AS co ON co.type = 'CLIENT_OF' AND co.dst = t.id AND co.${ACTIVE}
                 WHERE o.type = 'ON_IP' AND o.dst = ip.id)) AS ports,
              (SELECT json_group_array(v ORDER BY v) FROM (
                 SELECT DISTINCT s.key AS v
                 FROM rels AS o
                 JOIN rels AS co ON co.type = 'CLIENT_OF' AND co.dst = o.src AND co.${ACTIVE}
                 JOIN rels AS runs ON runs.type = 'RUNS' AND runs.dst = co.src
                 JOIN nodes AS s ON s.id = runs.src
                 WHERE o.type = 'ON_IP' AND o.dst = ip.id)) AS clients,
              (SELECT json_group_array(v ORDER BY v) FROM (
                 SELECT DISTINCT a.props ->> 'mac' AS v FROM rels AS a
                 WHERE a.type = 'ARP_NEIGHBOUR' AND a.dst = ip.id AND a.${ACTIVE})) AS macs,
              (SELECT json_group_array(v ORDER BY v) FROM (
                 SELECT DISTINCT s.key AS v FROM rels AS a JOIN nodes AS s ON s.id = a.src
                 WHERE a.type = 'ARP_NEIGHBOUR' AND a.dst = ip.id AND a.${ACTIVE})) AS seen_by
            FROM nodes AS ip
            WHERE ip.label = 'IPAddr' AND coalesce(ip.props ->> 'scope', '') <> 'host'
              AND NOT EXISTS (SELECT 1 FROM rels WHERE type = 'HAS_IP' AND dst = ip.id AND ${ACTIVE})
              AND (EXISTS (SELECT 1 FROM rels AS o
                           JOIN rels AS co ON co.type = 'CLIENT_OF' AND co.dst = o.src AND co.${ACTIVE}
                           WHERE o.type = 'ON_IP' AND o.dst = ip.id)
                   OR EXISTS (SELECT 1 FROM rels WHERE type = 'ARP_NEIGHBOUR' AND dst = ip.id
                              AND ${ACTIVE}))
            ORDER BY ip`,
    lists: ["ports", "clients", "macs", "seen_by"],
  },
  packages: {
    sql: `SELECT pk.props ->> 'name' AS name, pk.props ->> 'version' AS version,
              pk.props ->> 'arch' AS arch, pk.props ->> 'manager' AS manager,
              s.key AS system, s.props ->> 'name' AS host
            FROM nodes AS pk
            JOIN rels AS i ON i.type = 'INSTALLED' AND i.dst = pk.id AND i.${ACTIVE}
            JOIN nodes AS s ON s.id = i.src
            WHERE pk.label = 'Package' AND (
              (@name IS NOT NULL AND pk.props ->> 'name' = @name)
              OR (@prefix IS NOT NULL AND substr(pk.props ->> 'name', 1, length(@prefix)) = @prefix))
            ORDER BY name, version, coalesce(arch, ''), coalesce(host, ''), system`,
    bind: (p) => ({ name: p.name ?? null, prefix: p.prefix ?? null }),
  },
  "node-counts": {
    sql: `SELECT label, count(*) FILTER (WHERE gone_since IS NULL) AS active,
              count(*) FILTER (WHERE gone_since IS NOT NULL) AS retired
            FROM nodes GROUP BY label ORDER BY label`,
  },
};

const statements = new WeakMap<Database.Database, Map<string, Database.Statement>>();

export function runEmbeddedQuery(db: Database.Database, prepared: PreparedQuery): QueryResult {
  const { definition, params } = prepared;
  const query = QUERIES[definition.name];
  if (!query) throw new Error(`the embedded store has no implementation of "${definition.name}"`);
  let cache = statements.get(db);
  if (!cache) {
    cache = new Map();
    statements.set(db, cache);
  }
  let statement = cache.get(definition.name);
  if (!statement) {
    statement = db.prepare(query.sql);
    cache.set(definition.name, statement);
  }
  const args = query.bind ? query.bind(params) : params;
  const columns = definition.columns.map((c) => c.name);
  const rows = (statement.all(args) as Row[]).map((raw) => {
    const row: Row = {};
    for (const column of columns) {
      const value = raw[column];
      row[column] = query.lists?.includes(column)
        ? (JSON.parse((value as string | null) ?? "[]") as string[])
        : (value ?? null);
    }
    return row;
  });
  return { name: definition.name, columns, rows };
}
