/** Monitor operations in Cypher: the monitoring view of a system, its monitor set, reported states. */
import { appendHistory, compareEndpoints } from "../monitors.js";
import type {
  ListeningProcess,
  MonitorFacts,
  MonitoringView,
  MonitorStateFacts,
  PropValue,
} from "../store.js";
import type { Elements } from "./elements.js";
import { compareCodePoints, propsOf, toNeo4jProps } from "./values.js";

/** Every process the system ever ran, bound as p. */
const PROCESSES = "MATCH (:System {key: $sys})-[:RUNS]->(p:Process)";

export async function monitoringView(g: Elements, system: string): Promise<MonitoringView> {
  const processRows = await g.run(
    `MATCH (:System {key: $sys})-[runs:RUNS]->(p:Process)
     WHERE runs.gone_since IS NULL AND p.gone_since IS NULL
     MATCH (p)-[l:LISTENS_ON]->(port:IPPort) WHERE l.gone_since IS NULL
     RETURN p.key AS key, p.exe AS exe, p.argv AS argv, p.uid AS uid,
       collect(DISTINCT [port.proto, port.ip, port.port]) AS listen`,
    { sys: system },
  );
  const processes: ListeningProcess[] = processRows
    .map((row) => ({
      key: row.key as string,
      exe: (row.exe as string | null) ?? null,
      argv: (row.argv as string[] | null) ?? [],
      uid: row.uid === null || row.uid === undefined ? null : Number(row.uid),
      listen: (row.listen as [string, string, unknown][])
        .map(([proto, ip, port]) => ({ proto, ip, port: Number(port) }))
        .sort(compareEndpoints),
    }))
    .sort((a, b) => compareCodePoints(a.key, b.key));
  const packageRows = await g.run(
    `MATCH (:System {key: $sys})-[r:INSTALLED]->(pkg:Package) WHERE r.gone_since IS NULL
     RETURN DISTINCT pkg.name AS name`,
    { sys: system },
  );
  const systemRows = await g.run("MATCH (s:System {key: $sys}) RETURN properties(s) AS props", {
    sys: system,
  });
  const monitorRows = await g.run(
    `${PROCESSES}-[r:MONITORED_BY]->(m:Monitor)
     WHERE r.gone_since IS NULL AND m.gone_since IS NULL
     RETURN DISTINCT m.key AS key, p.key AS process, properties(m) AS props`,
    { sys: system },
  );
  return {
    processes,
    packages: packageRows.map((row) => row.name as string).sort(compareCodePoints),
    system: propsOf((systemRows[0]?.props ?? {}) as Record<string, unknown>),
    monitors: monitorRows
      .map((row) => ({
        key: row.key as string,
        process: row.process as string,
        props: propsOf(row.props as Record<string, unknown>),
      }))
      .sort((a, b) => compareCodePoints(a.key, b.key)),
  };
}

export async function replaceMonitors(
  g: Elements,
  system: string,
  monitors: readonly MonitorFacts[],
  at: string,
): Promise<void> {
  if (monitors.length > 0) {
    const owned = await g.run(
      `${PROCESSES} WHERE p.key IN $keys RETURN collect(DISTINCT p.key) AS keys`,
      { sys: system, keys: [...new Set(monitors.map((m) => m.process))] },
    );
    const ownedKeys = new Set((owned[0]?.keys as string[] | undefined) ?? []);
    const stranger = monitors.find((m) => !ownedKeys.has(m.process));
    if (stranger) {
      throw new Error(`Monitor ${stranger.key}: process ${stranger.process} is not the system's`);
    }
  }
  const rows = monitors.map((m) => ({
    key: m.key,
    process: m.process,
    props: toNeo4jProps(m.props, `Monitor ${m.key}`),
  }));
  const kept = await g.run(
    `UNWIND $rows AS row
     OPTIONAL MATCH (old:Monitor {key: row.key})
     WITH row, old IS NULL OR old.gone_since IS NOT NULL AS fresh
     MERGE (m:Monitor {key: row.key})
     ON CREATE SET m.first_seen = $at, m.last_seen = $at
     ON MATCH SET
       m.first_seen = CASE WHEN $at < m.first_seen THEN $at ELSE m.first_seen END,
       m.last_seen = CASE WHEN $at > m.last_seen THEN $at ELSE m.last_seen END
     SET m += row.props
     SET m += CASE WHEN fresh
       THEN {state: 'pending', state_reason: 'not reported yet', state_since: $at} ELSE {} END
     REMOVE m.gone_since
     WITH row, m
     MATCH (p:Process {key: row.process})
     MERGE (p)-[r:MONITORED_BY {key: ''}]->(m)
     ON CREATE SET r.first_seen = $at, r.last_seen = $at
     ON MATCH SET
       r.first_seen = CASE WHEN $at < r.first_seen THEN $at ELSE r.first_seen END,
       r.last_seen = CASE WHEN $at > r.last_seen THEN $at ELSE r.last_seen END
     REMOVE r.gone_since
     RETURN elementId(r) AS id`,
    { rows, at },
  );
  const retired = await g.retireRelsExcept(
    `${PROCESSES}-[r:MONITORED_BY]->(:Monitor)`,
    { sys: system },
    kept.map((row) => row.id as string),
    at,
  );
  if (retired.length === 0) return;
  await g.run(
    `UNWIND $keys AS key
     MATCH (m:Monitor {key: key}) WHERE m.gone_since IS NULL
       AND NOT EXISTS { MATCH ()-[r:MONITORED_BY]->(m) WHERE r.gone_since IS NULL }
     SET m.gone_since = $at`,
    { keys: [...new Set(retired.map((r) => r.to))], at },
  );
}

export async function recordMonitorState(
  g: Elements,
  monitor: string,
  state: MonitorStateFacts,
  at: string,
): Promise<boolean> {
  const rows = await g.run(
    `MATCH (m:Monitor {key: $key}) WHERE m.gone_since IS NULL
     RETURN m.state AS state, m.history AS history`,
    { key: monitor },
  );
  const row = rows[0];
  if (!row) return false;
  const patch: Record<string, PropValue> = {
    state: state.state,
    state_reason: state.reason,
    state_detail: state.detail,
    state_checked_at: at,
  };
  if (row.state !== state.state) {
    patch.state_since = at;
    patch.history = appendHistory((row.history as string[] | null) ?? undefined, {
      at,
      from: typeof row.state === "string" ? row.state : null,
      to: state.state,
      reason: state.reason,
    });
  }
  await g.run("MATCH (m:Monitor {key: $key}) SET m += $patch", {
    key: monitor,
    patch: toNeo4jProps(patch, `Monitor ${monitor}`),
  });
  return true;
}
