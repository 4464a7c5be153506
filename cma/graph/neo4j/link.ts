/**
 * Derived relationships on Neo4j: WIRED_TO from what a host hears from
 * switches, and DEPENDS_ON from client connections matched to listeners (the
 * rules are on GraphTransaction.linkWiring and linkDependencies in ../store.ts).
 */
import type { LinkSummary } from "../store.js";
import type { Elements, RelRow } from "./elements.js";
import { fromNeo4j } from "./values.js";

const WIRED_TO_OF_SYSTEM = "MATCH (:System {key: $sys})-[:HAS_NIC]->(:NIC)-[r:WIRED_TO]->()";

export async function linkWiring(g: Elements, system: string, at: string): Promise<LinkSummary> {
  const rows = await g.run(
    `MATCH (s:System {key: $sys})-[sp:SEES_PORT]->(port:SwitchPort)
     WHERE sp.gone_since IS NULL
     MATCH (s)-[hn:HAS_NIC]->(nic:NIC)
     WHERE hn.gone_since IS NULL AND nic.gone_since IS NULL AND nic.ifname = sp.key
     RETURN nic.key AS nic, port.key AS port`,
    { sys: system },
  );
  const before = await g.activeIds(WIRED_TO_OF_SYSTEM, { sys: system });
  const keep = await g.upsertRels(
    "WIRED_TO",
    "NIC",
    "SwitchPort",
    rows.map((r) => ({ from: r.nic as string, to: r.port as string, key: "", props: {} })),
    at,
  );
  const retired = await g.retireRelsExcept(WIRED_TO_OF_SYSTEM, { sys: system }, keep, at);
  return summary(keep, before, retired.length);
}

/** The System S owns the IPAddr tip: through an active NIC address, or as host-scoped (loopback). */
const OWNS = (s: string, tip: string) => `(
  EXISTS {
    MATCH (${s})-[hn:HAS_NIC]->()-[hi:HAS_IP]->(${tip})
    WHERE hn.gone_since IS NULL AND hi.gone_since IS NULL }
  OR ${tip}.system = ${s}.key)`;

/** A wildcard listener IPPort w that covers target IPPort t's address family. */
const COVERS = (w: string, t: string) =>
  `(${w}.ip = '::' OR (${w}.ip = '0.0.0.0' AND NOT ${t}.ip CONTAINS ':'))`;

/** Process p is active and an active RUNS from System s runs it. */
const RUNNING = (s: string, p: string) =>
  `MATCH (${s}:System)-[${s}r:RUNS]->(${p}) WHERE ${s}r.gone_since IS NULL AND ${p}.gone_since IS NULL`;

const RESULT = `RETURN DISTINCT cp.key AS client, sp.key AS server, cs.key AS clientSystem,
  ss.key AS serverSystem, t.proto AS proto, t.port AS port`;

/**
 * Matches where the client runs on $sys: each active connection (to IPPort t on
 * IPAddr tip) matched to a listener on t itself, or to a wildcard listener w of
 * the System that owns tip.
 */
const MATCH_AS_CLIENT = `
  MATCH (cs:System {key: $sys})-[csr:RUNS]->(cp:Process)-[co:CLIENT_OF]->(t:IPPort)-[:ON_IP]->(tip:IPAddr)
  WHERE csr.gone_since IS NULL AND cp.gone_since IS NULL AND co.gone_since IS NULL
  CALL {
    WITH t
    MATCH (sp:Process)-[l:LISTENS_ON]->(t) WHERE l.gone_since IS NULL
    ${RUNNING("ss", "sp")}
    RETURN sp, ss
    UNION
    WITH t, tip
    MATCH (w:IPPort {port: t.port, proto: t.proto}) WHERE ${COVERS("w", "t")}
    MATCH (sp:Process)-[l:LISTENS_ON]->(w) WHERE l.gone_since IS NULL
    ${RUNNING("ss", "sp")} AND ${OWNS("ss", "tip")}
    RETURN sp, ss
  }
  ${RESULT}`;

/** Matches where the listener runs on $sys: the mirror image of MATCH_AS_CLIENT. */
const MATCH_AS_SERVER = `
  MATCH (ss:System {key: $sys})-[ssr:RUNS]->(sp:Process)-[l:LISTENS_ON]->(lport:IPPort)
  WHERE ssr.gone_since IS NULL AND sp.gone_since IS NULL AND l.gone_since IS NULL
  CALL {
    WITH lport
    MATCH (cp:Process)-[co:CLIENT_OF]->(lport) WHERE co.gone_since IS NULL
    ${RUNNING("cs", "cp")}
    RETURN cp, cs, lport AS t
    UNION
    WITH lport, ss
    MATCH (t:IPPort {port: lport.port, proto: lport.proto})
    WHERE lport.ip IN ['0.0.0.0', '::'] AND ${COVERS("lport", "t")}
    MATCH (cp:Process)-[co:CLIENT_OF]->(t) WHERE co.gone_since IS NULL
    ${RUNNING("cs", "cp")}
    MATCH (t)-[:ON_IP]->(tip:IPAddr) WHERE ${OWNS("ss", "tip")}
    RETURN cp, cs, t
  }
  ${RESULT}`;

/** Process-level DEPENDS_ON touching a process this system ever ran. */
const PROCESS_DEPS_OF_SYSTEM = `
  MATCH (:System {key: $sys})-[:RUNS]->(p:Process)
  MATCH (p)-[r:DEPENDS_ON]-(:Process)`;
/** System-level DEPENDS_ON touching this system. */
const SYSTEM_DEPS_OF_SYSTEM = "MATCH (:System {key: $sys})-[r:DEPENDS_ON]-(:System)";

interface Match {
  client: string;
  server: string;
  clientSystem: string;
  serverSystem: string;
  proto: string;
  port: number;
}

export async function linkDependencies(
  g: Elements,
  system: string,
  at: string,
): Promise<LinkSummary> {
  const matches = [
    ...(await g.run(MATCH_AS_CLIENT, { sys: system })),
    ...(await g.run(MATCH_AS_SERVER, { sys: system })),
  ].map((row) => ({ ...row, port: fromNeo4j(row.port) }) as Match);
  const processRels = new Map<string, RelRow>();
  const systemRels = new Map<string, RelRow>();
  for (const m of matches) {
    const key = `${m.proto}/${m.port}`;
    processRels.set(JSON.stringify([m.client, m.server, key]), {
      from: m.client,
      to: m.server,
      key,
      props: { proto: m.proto, port: m.port },
    });
    if (m.clientSystem !== m.serverSystem) {
      systemRels.set(JSON.stringify([m.clientSystem, m.serverSystem]), {
        from: m.clientSystem,
        to: m.serverSystem,
        key: "",
        props: {},
      });
    }
  }
  const before = [
    ...(await g.activeIds(PROCESS_DEPS_OF_SYSTEM, { sys: system })),
    ...(await g.activeIds(SYSTEM_DEPS_OF_SYSTEM, { sys: system })),
  ];
  const keep = [
    ...(await g.upsertRels("DEPENDS_ON", "Process", "Process", [...processRels.values()], at)),
    ...(await g.upsertRels("DEPENDS_ON", "System", "System", [...systemRels.values()], at)),
  ];
  const retired =
    (await g.retireRelsExcept(PROCESS_DEPS_OF_SYSTEM, { sys: system }, keep, at)).length +
    (await g.retireRelsExcept(SYSTEM_DEPS_OF_SYSTEM, { sys: system }, keep, at)).length;
  return summary(keep, before, retired);
}

function summary(keep: readonly string[], before: readonly string[], retired: number) {
  const wasActive = new Set(before);
  const active = new Set(keep);
  return {
    active: active.size,
    added: [...active].filter((id) => !wasActive.has(id)).length,
    retired,
  };
}
