/**
 * Derived relationships: WIRED_TO from what a host hears from switches, and
 * DEPENDS_ON from client connections matched to listeners (the rules are on
 * GraphTransaction.linkWiring and linkDependencies in ../store.ts).
 */
import type { LinkSummary } from "../store.js";
import type { Elements, RelRow } from "./elements.js";

/** Active relationships (and the active node at their far end) in SQL fragments. */
const ACTIVE = "gone_since IS NULL";

export function linkWiring(g: Elements, sys: number, at: string): LinkSummary {
  const rows = g
    .cached(
      `SELECT nic.id AS src, sp.dst AS dst
       FROM rels AS sp
       CROSS JOIN rels AS hn ON hn.type = 'HAS_NIC' AND hn.src = sp.src AND hn.${ACTIVE}
       CROSS JOIN nodes AS nic ON nic.id = hn.dst AND nic.${ACTIVE}
       WHERE sp.type = 'SEES_PORT' AND sp.src = @sys AND sp.${ACTIVE}
         AND nic.props ->> 'ifname' = sp.key`,
    )
    .all({ sys }) as { src: number; dst: number }[];
  const before = activeIds(
    g,
    "r.type = 'WIRED_TO' AND r.src IN (SELECT dst FROM rels WHERE type = 'HAS_NIC' AND src = @sys)",
    { sys },
  );
  const keep = g.upsertRels(
    "WIRED_TO",
    rows.map((r) => ({ ...r, key: "", props: {} })),
    at,
  );
  const retired = g.retireRelsExcept(
    "r.type = 'WIRED_TO' AND r.src IN (SELECT dst FROM rels WHERE type = 'HAS_NIC' AND src = @sys)",
    { sys },
    keep,
    at,
  );
  return summary(keep, before, retired.length);
}

interface Match {
  client: number;
  server: number;
  clientSystem: number;
  serverSystem: number;
  proto: string;
  port: number;
}

/** A wildcard listener IPPort `w` that covers target IPPort `t`'s address family. */
const COVERS = (w: string, t: string) => `(
  ${w}.props ->> 'ip' = '::'
  OR (${w}.props ->> 'ip' = '0.0.0.0' AND instr(${t}.props ->> 'ip', ':') = 0))`;

/*
 * Joins are CROSS JOINs so that SQLite keeps the written order: from this
 * system's few processes outwards, through indexed lookups only, so the cost
 * of linking one document does not grow with the fleet. Left to itself,
 * without statistics, the planner may start from every CLIENT_OF in the graph.
 */

/** Joins the active process at `${rel}.${end}` and the active RUNS to it, as `${p}` and `${runs}`. */
const RUNNING = (rel: string, end: "src" | "dst", p: string, runs: string) => `
  CROSS JOIN nodes AS ${p} ON ${p}.id = ${rel}.${end} AND ${p}.${ACTIVE}
  CROSS JOIN rels AS ${runs} ON ${runs}.type = 'RUNS' AND ${runs}.dst = ${p}.id AND ${runs}.${ACTIVE}`;

const COLUMNS = `cp.id AS client, sp.id AS server, cr.src AS clientSystem, sr.src AS serverSystem,
  t.props ->> 'proto' AS proto, t.props ->> 'port' AS port`;

/**
 * Matches where the client runs on @sys: its active client connections (to
 * IPPort t on IPAddr tip), each matched to a listener on t itself, or to a
 * wildcard listener w of a System that owns tip (found from tip: its active
 * HAS_IP and HAS_NIC, or its `system` property for loopback; then that
 * System's wildcard IPPorts by the ipport_by_system index).
 */
export const MATCH_AS_CLIENT = `
  WITH c AS MATERIALIZED (
    SELECT co.src AS proc, co.dst AS tport, onip.dst AS tip
    FROM rels AS runs
    CROSS JOIN nodes AS p ON p.id = runs.dst AND p.${ACTIVE}
    CROSS JOIN rels AS co ON co.type = 'CLIENT_OF' AND co.src = p.id AND co.${ACTIVE}
    CROSS JOIN rels AS onip ON onip.type = 'ON_IP' AND onip.src = co.dst
    WHERE runs.type = 'RUNS' AND runs.src = @sys AND runs.${ACTIVE}),
  owner AS MATERIALIZED (
    SELECT DISTINCT tips.tip, hn.src AS sys
    FROM (SELECT DISTINCT tip FROM c) AS tips
    CROSS JOIN rels AS hi ON hi.type = 'HAS_IP' AND hi.dst = tips.tip AND hi.${ACTIVE}
    CROSS JOIN rels AS hn ON hn.type = 'HAS_NIC' AND hn.dst = hi.src AND hn.${ACTIVE}
    UNION
    SELECT tips.tip, s.id
    FROM (SELECT DISTINCT tip FROM c) AS tips
    CROSS JOIN nodes AS ip ON ip.id = tips.tip
    CROSS JOIN nodes AS s ON s.label = 'System' AND s.key = ip.props ->> 'system')
  SELECT ${COLUMNS}
  FROM c CROSS JOIN nodes AS cp ON cp.id = c.proc
  CROSS JOIN rels AS cr ON cr.type = 'RUNS' AND cr.dst = cp.id AND cr.src = @sys
  CROSS JOIN nodes AS t ON t.id = c.tport
  CROSS JOIN rels AS l ON l.type = 'LISTENS_ON' AND l.dst = t.id AND l.${ACTIVE}
  ${RUNNING("l", "src", "sp", "sr")}
  UNION
  SELECT ${COLUMNS}
  FROM c CROSS JOIN nodes AS cp ON cp.id = c.proc
  CROSS JOIN rels AS cr ON cr.type = 'RUNS' AND cr.dst = cp.id AND cr.src = @sys
  CROSS JOIN nodes AS t ON t.id = c.tport
  CROSS JOIN owner ON owner.tip = c.tip
  CROSS JOIN nodes AS os ON os.id = owner.sys
  CROSS JOIN nodes AS w ON w.label = 'IPPort' AND w.props ->> 'system' = +os.key
    AND w.props ->> 'port' = t.props ->> 'port' AND w.props ->> 'proto' = t.props ->> 'proto'
    AND ${COVERS("w", "t")}
  CROSS JOIN rels AS l ON l.type = 'LISTENS_ON' AND l.dst = w.id AND l.${ACTIVE}
  ${RUNNING("l", "src", "sp", "sr")}
  WHERE sr.src = owner.sys`;

/**
 * Matches where the listener runs on @sys: the mirror image. Wildcard
 * listeners meet the client connections to every address @sys owns (from
 * those addresses through ON_IP), with the same proto and port.
 */
export const MATCH_AS_SERVER = `
  WITH s AS MATERIALIZED (
    SELECT l.src AS proc, l.dst AS lport
    FROM rels AS runs
    CROSS JOIN nodes AS p ON p.id = runs.dst AND p.${ACTIVE}
    CROSS JOIN rels AS l ON l.type = 'LISTENS_ON' AND l.src = p.id AND l.${ACTIVE}
    WHERE runs.type = 'RUNS' AND runs.src = @sys AND runs.${ACTIVE}),
  mine AS MATERIALIZED (
    SELECT hi.dst AS ip
    FROM rels AS hn
    CROSS JOIN rels AS hi ON hi.type = 'HAS_IP' AND hi.src = hn.dst AND hi.${ACTIVE}
    WHERE hn.type = 'HAS_NIC' AND hn.src = @sys AND hn.${ACTIVE}
    UNION
    SELECT ip.id FROM nodes AS ip
    WHERE ip.label = 'IPAddr' AND ip.props ->> 'system' = +(SELECT key FROM nodes WHERE id = @sys))
  SELECT ${COLUMNS}
  FROM s CROSS JOIN nodes AS sp ON sp.id = s.proc
  CROSS JOIN rels AS sr ON sr.type = 'RUNS' AND sr.dst = sp.id AND sr.src = @sys
  CROSS JOIN nodes AS t ON t.id = s.lport
  CROSS JOIN rels AS co ON co.type = 'CLIENT_OF' AND co.dst = t.id AND co.${ACTIVE}
  ${RUNNING("co", "src", "cp", "cr")}
  UNION
  SELECT ${COLUMNS}
  FROM s CROSS JOIN nodes AS sp ON sp.id = s.proc
  CROSS JOIN rels AS sr ON sr.type = 'RUNS' AND sr.dst = sp.id AND sr.src = @sys
  CROSS JOIN nodes AS w ON w.id = s.lport AND w.props ->> 'ip' IN ('0.0.0.0', '::')
  CROSS JOIN mine
  CROSS JOIN rels AS onip ON onip.type = 'ON_IP' AND onip.dst = mine.ip
  CROSS JOIN nodes AS t ON t.id = onip.src
    AND t.props ->> 'port' = w.props ->> 'port' AND t.props ->> 'proto' = w.props ->> 'proto'
    AND ${COVERS("w", "t")}
  CROSS JOIN rels AS co ON co.type = 'CLIENT_OF' AND co.dst = t.id AND co.${ACTIVE}
  ${RUNNING("co", "src", "cp", "cr")}`;

/*
 * Process-level DEPENDS_ON touching a process this system ever ran; System-level
 * touching it. Each end is looked up by its own index and the two joined by
 * UNION: written as "src IN (...) OR dst IN (...)", SQLite reads every
 * DEPENDS_ON in the graph, so linking one host cost time in proportion to the fleet.
 */
export const PROCESS_DEPS_OF_SYSTEM = `r.id IN (
  SELECT d.id FROM rels AS runs
  CROSS JOIN rels AS d ON d.type = 'DEPENDS_ON' AND d.src = runs.dst
  WHERE runs.type = 'RUNS' AND runs.src = @sys
  UNION
  SELECT d.id FROM rels AS runs
  CROSS JOIN rels AS d ON d.type = 'DEPENDS_ON' AND d.dst = runs.dst
  WHERE runs.type = 'RUNS' AND runs.src = @sys)`;
export const SYSTEM_DEPS_OF_SYSTEM = `r.id IN (
  SELECT id FROM rels WHERE type = 'DEPENDS_ON' AND src = @sys
  UNION
  SELECT id FROM rels WHERE type = 'DEPENDS_ON' AND dst = @sys)`;

export function linkDependencies(g: Elements, sys: number, at: string): LinkSummary {
  const matches = [
    ...(g.cached(MATCH_AS_CLIENT).all({ sys }) as Match[]),
    ...(g.cached(MATCH_AS_SERVER).all({ sys }) as Match[]),
  ];
  const processRels = new Map<string, RelRow>();
  const systemRels = new Map<string, RelRow>();
  for (const m of matches) {
    const key = `${m.proto}/${m.port}`;
    processRels.set(`${m.client} ${m.server} ${key}`, {
      src: m.client,
      dst: m.server,
      key,
      props: { proto: m.proto, port: Number(m.port) },
    });
    if (m.clientSystem !== m.serverSystem) {
      systemRels.set(`${m.clientSystem} ${m.serverSystem}`, {
        src: m.clientSystem,
        dst: m.serverSystem,
        key: "",
        props: {},
      });
    }
  }
  const before = [
    ...activeIds(g, PROCESS_DEPS_OF_SYSTEM, { sys }),
    ...activeIds(g, SYSTEM_DEPS_OF_SYSTEM, { sys }),
  ];
  const keepProcess = g.upsertRels("DEPENDS_ON", [...processRels.values()], at);
  const keepSystem = g.upsertRels("DEPENDS_ON", [...systemRels.values()], at);
  const keep = [...keepProcess, ...keepSystem];
  const retired =
    g.retireRelsExcept(PROCESS_DEPS_OF_SYSTEM, { sys }, keep, at).length +
    g.retireRelsExcept(SYSTEM_DEPS_OF_SYSTEM, { sys }, keep, at).length;
  return summary(keep, before, retired);
}

function activeIds(g: Elements, where: string, params: Record<string, unknown>): number[] {
  return g
    .cached(`SELECT r.id FROM rels AS r WHERE ${where} AND r.gone_since IS NULL`)
    .pluck()
    .all(params) as number[];
}

function summary(keep: readonly number[], before: readonly number[], retired: number) {
  const wasActive = new Set(before);
  const active = new Set(keep);
  return {
    active: active.size,
    added: [...active].filter((id) => !wasActive.has(id)).length,
    retired,
  };
}
