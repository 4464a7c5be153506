/** Monitor operations on SQLite: the monitoring view of a system, its monitor set, reported states. */
import { appendHistory, compareEndpoints } from "../monitors.js";
import type {
  ListeningProcess,
  MonitorFacts,
  MonitoringView,
  MonitorRecord,
  MonitorStateFacts,
  PropValue,
} from "../store.js";
import { type Elements, readProps } from "./elements.js";

/** Processes the system ever ran (rels alias r, system id @sys). */
const OF_SYSTEM = "r.src IN (SELECT dst FROM rels WHERE type = 'RUNS' AND src = @sys)";

export function monitoringView(g: Elements, sys: number): MonitoringView {
  const processRows = g
    .cached(
      `SELECT p.key, p.props,
         (SELECT json_group_array(json_array(ip.props ->> 'proto', ip.props ->> 'ip',
                   ip.props -> 'port'))
            FROM rels AS l JOIN nodes AS ip ON ip.id = l.dst
            WHERE l.type = 'LISTENS_ON' AND l.src = p.id AND l.gone_since IS NULL) AS listen
       FROM rels AS runs JOIN nodes AS p ON p.id = runs.dst
       WHERE runs.type = 'RUNS' AND runs.src = ? AND runs.gone_since IS NULL
         AND p.gone_since IS NULL
         AND EXISTS (SELECT 1 FROM rels WHERE type = 'LISTENS_ON' AND src = p.id
                     AND gone_since IS NULL)
       ORDER BY p.key`,
    )
    .all(sys) as { key: string; props: string; listen: string }[];
  const processes: ListeningProcess[] = processRows.map((row) => {
    const props = readProps(row.props);
    const listen = (JSON.parse(row.listen) as [string, string, number][])
      .map(([proto, ip, port]) => ({ proto, ip, port }))
      .sort(compareEndpoints);
    return {
      key: row.key,
      exe: typeof props.exe === "string" ? props.exe : null,
      argv: Array.isArray(props.argv) ? (props.argv as string[]) : [],
      uid: typeof props.uid === "number" ? props.uid : null,
      listen,
    };
  });
  const packages = g
    .cached(
      `SELECT DISTINCT pkg.props ->> 'name' FROM rels AS r JOIN nodes AS pkg ON pkg.id = r.dst
       WHERE r.type = 'INSTALLED' AND r.src = ? AND r.gone_since IS NULL
       ORDER BY 1`,
    )
    .pluck()
    .all(sys) as string[];
  const system = readProps(
    g.cached("SELECT props FROM nodes WHERE id = ?").pluck().get(sys) as string,
  );
  const monitors = g
    .cached(
      `SELECT m.key, m.props, p.key AS process
       FROM rels AS r JOIN nodes AS m ON m.id = r.dst JOIN nodes AS p ON p.id = r.src
       WHERE r.type = 'MONITORED_BY' AND r.gone_since IS NULL AND m.gone_since IS NULL
         AND ${OF_SYSTEM}
       ORDER BY m.key`,
    )
    .all({ sys }) as { key: string; props: string; process: string }[];
  return {
    processes,
    packages,
    system,
    monitors: monitors.map(
      (row): MonitorRecord => ({ key: row.key, process: row.process, props: readProps(row.props) }),
    ),
  };
}

export function replaceMonitors(
  g: Elements,
  sys: number,
  monitors: readonly MonitorFacts[],
  at: string,
): void {
  const ownProcess = g.cached(
    `SELECT p.id FROM nodes AS p JOIN rels AS r ON r.dst = p.id AND r.type = 'RUNS' AND r.src = ?
     WHERE p.label = 'Process' AND p.key = ?`,
  );
  const activeMonitor = g.cached(
    "SELECT 1 FROM nodes WHERE label = 'Monitor' AND key = ? AND gone_since IS NULL",
  );
  const rels = [];
  const facts = monitors.map((monitor) => {
    const process = ownProcess.pluck().get(sys, monitor.process) as number | undefined;
    if (process === undefined) {
      throw new Error(`Monitor ${monitor.key}: process ${monitor.process} is not the system's`);
    }
    const fresh = activeMonitor.get(monitor.key) === undefined;
    const props = fresh
      ? {
          ...monitor.props,
          state: "pending",
          state_reason: "not reported yet",
          state_since: at,
        }
      : monitor.props;
    return { process, facts: { key: monitor.key, props } };
  });
  const ids = g.upsertNodes(
    "Monitor",
    facts.map((f) => f.facts),
    at,
  );
  for (const { process, facts: monitor } of facts) {
    rels.push({ src: process, dst: ids.get(monitor.key) as number, key: "", props: {} });
  }
  const keep = g.upsertRels("MONITORED_BY", rels, at);
  const retired = g.retireRelsExcept(`r.type = 'MONITORED_BY' AND ${OF_SYSTEM}`, { sys }, keep, at);
  const orphaned = retired
    .map((r) => r.dst)
    .filter(
      (monitor) =>
        g
          .cached(
            "SELECT 1 FROM rels WHERE type = 'MONITORED_BY' AND dst = ? AND gone_since IS NULL",
          )
          .get(monitor) === undefined,
    );
  g.retireNodes(orphaned, at);
}

export function recordMonitorState(
  g: Elements,
  monitor: string,
  state: MonitorStateFacts,
  at: string,
): boolean {
  const row = g
    .cached(
      "SELECT id, props FROM nodes WHERE label = 'Monitor' AND key = ? AND gone_since IS NULL",
    )
    .get(monitor) as { id: number; props: string } | undefined;
  if (!row) return false;
  const props = readProps(row.props);
  const patch: Record<string, PropValue> = {
    state: state.state,
    state_reason: state.reason,
    state_detail: state.detail,
    state_checked_at: at,
  };
  if (props.state !== state.state) {
    patch.state_since = at;
    patch.history = appendHistory(props.history, {
      at,
      from: typeof props.state === "string" ? props.state : null,
      to: state.state,
      reason: state.reason,
    });
  }
  g.cached("UPDATE nodes SET props = json_patch(props, ?) WHERE id = ?").run(
    JSON.stringify(patch),
    row.id,
  );
  return true;
}
