/**
 * The graph operations of one write transaction on Neo4j: each a few batched
 * Cypher statements inside the managed transaction the store opened
 * (session.executeWrite), so a document commits whole or not at all.
 */
import type {
  AddressFacts,
  ArpNeighbourFacts,
  GraphTransaction,
  IpPortFacts,
  LinkSummary,
  MonitorFacts,
  MonitoringView,
  MonitorStateFacts,
  NodeFacts,
  ProcessFacts,
  SwitchNeighbourFacts,
  SystemFacts,
  SystemStatus,
} from "../store.js";
import { UnknownSystemError } from "../store.js";
import type { Elements } from "./elements.js";
import { linkDependencies, linkWiring } from "./link.js";
import { monitoringView, recordMonitorState, replaceMonitors } from "./monitors.js";
import { DOCUMENT_LABEL } from "./schema.js";
import { compareCodePoints, toNeo4jProps } from "./values.js";

/** The System `s` this operation is about, bound as `s` (see requireSystem). */
const SYSTEM = "MATCH (s:System {key: $sys})";

export class Neo4jTransaction implements GraphTransaction {
  constructor(private readonly g: Elements) {}

  private async requireSystem(system: string): Promise<void> {
    const rows = await this.g.run(`${SYSTEM} RETURN count(s) AS n`, { sys: system });
    if (Number(rows[0]?.n ?? 0) === 0) throw new UnknownSystemError(system);
  }

  async documentSeenAt(system: string, discovertype: string): Promise<string | null> {
    const rows = await this.g.run(`MATCH (d:${DOCUMENT_LABEL} {id: $id}) RETURN d.seen_at AS at`, {
      id: documentId(system, discovertype),
    });
    return (rows[0]?.at as string | undefined) ?? null;
  }

  async recordDocument(system: string, discovertype: string, at: string): Promise<void> {
    await this.g.run(
      `MERGE (d:${DOCUMENT_LABEL} {id: $id})
       ON CREATE SET d.system = $system, d.discovertype = $discovertype, d.seen_at = $at
       ON MATCH SET d.seen_at = CASE WHEN $at > d.seen_at THEN $at ELSE d.seen_at END`,
      { id: documentId(system, discovertype), system, discovertype, at },
    );
  }

  async upsertSystem(system: SystemFacts, at: string): Promise<void> {
    await this.upsertSystems([system], at);
  }

  /** A new System starts "up"; given properties never override that first status. */
  private async upsertSystems(systems: readonly SystemFacts[], at: string): Promise<void> {
    if (systems.length === 0) return;
    const rows = systems.map((s) => ({
      key: s.key,
      kind: s.kind,
      props: toNeo4jProps(s.props, `System ${s.key}`),
    }));
    await this.g.run(
      `UNWIND $rows AS row
       OPTIONAL MATCH (old:System {key: row.key})
       WITH row, old IS NULL AS isNew
       MERGE (n:System {key: row.key})
       ON CREATE SET n.first_seen = $at, n.last_seen = $at
       ON MATCH SET
         n.first_seen = CASE WHEN $at < n.first_seen THEN $at ELSE n.first_seen END,
         n.last_seen = CASE WHEN $at > n.last_seen THEN $at ELSE n.last_seen END
       SET n += row.props
       SET n += CASE WHEN isNew
         THEN {status: 'up', status_reason: 'discovered', status_since: $at} ELSE {} END
       SET n.kind = row.kind
       REMOVE n.gone_since`,
      { rows, at },
    );
  }

  async setSystemStatus(
    system: string,
    status: SystemStatus,
    reason: string,
    at: string,
  ): Promise<boolean> {
    const rows = await this.g.run(
      `${SYSTEM}
       WITH s, coalesce(s.status, '') <> $status AS changed
       SET s.status_reason = $reason
       FOREACH (_ IN CASE WHEN changed THEN [1] ELSE [] END |
         SET s.status = $status, s.status_since = $at)
       RETURN count(s) AS n`,
      { sys: system, status, reason, at },
    );
    return Number(rows[0]?.n ?? 0) > 0;
  }

  async retireSystem(system: string, at: string): Promise<boolean> {
    const rows = await this.g.run(
      `${SYSTEM}
       FOREACH (_ IN CASE WHEN s.gone_since IS NULL THEN [1] ELSE [] END | SET s.gone_since = $at)
       RETURN count(s) AS n`,
      { sys: system, at },
    );
    return Number(rows[0]?.n ?? 0) > 0;
  }

  async nicOwners(nicKeys: readonly string[]): Promise<Record<string, string[]>> {
    const owners: Record<string, string[]> = {};
    for (const key of nicKeys) owners[key] = [];
    if (nicKeys.length === 0) return owners;
    const rows = await this.g.run(
      `UNWIND $keys AS key
       MATCH (s:System)-[r:HAS_NIC]->(n:NIC {key: key}) WHERE r.gone_since IS NULL
       RETURN DISTINCT key AS nic, s.key AS system`,
      { keys: [...new Set(nicKeys)] },
    );
    for (const row of rows) owners[row.nic as string]?.push(row.system as string);
    for (const list of Object.values(owners)) list.sort(compareCodePoints);
    return owners;
  }

  async replaceNics(system: string, nics: readonly NodeFacts[], at: string): Promise<void> {
    await this.requireSystem(system);
    await this.g.upsertNodes("NIC", nics, at);
    const keep = await this.g.upsertRels("HAS_NIC", "System", "NIC", relsFrom(system, nics), at);
    const retired = await this.g.retireRelsExcept(
      `${SYSTEM}-[r:HAS_NIC]->()`,
      { sys: system },
      keep,
      at,
    );
    if (retired.length === 0) return;
    // A NIC goes with its last active owner.
    await this.g.run(
      `UNWIND $keys AS key
       MATCH (n:NIC {key: key})
       WHERE n.gone_since IS NULL
         AND NOT EXISTS { MATCH (:System)-[h:HAS_NIC]->(n) WHERE h.gone_since IS NULL }
       SET n.gone_since = $at`,
      { keys: [...new Set(retired.map((r) => r.to))], at },
    );
  }

  async replaceAddresses(
    system: string,
    addresses: readonly AddressFacts[],
    at: string,
  ): Promise<void> {
    await this.requireSystem(system);
    // Any NIC this system ever had (a retired HAS_NIC still names it).
    const nicRows = await this.g.run(`${SYSTEM}-[:HAS_NIC]->(n:NIC) RETURN DISTINCT n.key AS key`, {
      sys: system,
    });
    const nics = new Set(nicRows.map((row) => row.key as string));
    for (const a of addresses) {
      if (!nics.has(a.nic)) {
        throw new Error(`address ${a.ip.key}: "${a.nic}" is not a NIC of System "${system}"`);
      }
    }
    await this.g.upsertNodes(
      "IPAddr",
      addresses.map((a) => a.ip),
      at,
    );
    const keep = await this.g.upsertRels(
      "HAS_IP",
      "NIC",
      "IPAddr",
      addresses.map((a) => ({ from: a.nic, to: a.ip.key, key: "", props: a.props })),
      at,
    );
    await this.g.retireRelsExcept(
      `${SYSTEM}-[:HAS_NIC]->(:NIC)-[r:HAS_IP]->()`,
      { sys: system },
      keep,
      at,
    );
  }

  async replaceArpNeighbours(
    system: string,
    neighbours: readonly ArpNeighbourFacts[],
    at: string,
  ): Promise<void> {
    await this.requireSystem(system);
    await this.g.upsertNodes(
      "IPAddr",
      neighbours.map((n) => n.ip),
      at,
    );
    const keep = await this.g.upsertRels(
      "ARP_NEIGHBOUR",
      "System",
      "IPAddr",
      neighbours.map((n) => ({ from: system, to: n.ip.key, key: n.interface, props: n.props })),
      at,
    );
    await this.g.retireRelsExcept(`${SYSTEM}-[r:ARP_NEIGHBOUR]->()`, { sys: system }, keep, at);
  }

  async replaceProcesses(
    system: string,
    processes: readonly ProcessFacts[],
    at: string,
  ): Promise<void> {
    await this.requireSystem(system);
    await this.g.upsertNodes("Process", processes, at);
    const keepRuns = await this.g.upsertRels(
      "RUNS",
      "System",
      "Process",
      relsFrom(system, processes),
      at,
    );
    const retiredRuns = await this.g.retireRelsExcept(
      `${SYSTEM}-[r:RUNS]->()`,
      { sys: system },
      keepRuns,
      at,
    );
    await this.g.retireNodes(
      "Process",
      retiredRuns.map((r) => r.to),
      at,
    );

    await this.upsertIpPorts(
      processes.flatMap((p) => [...p.listen, ...p.clients]),
      at,
    );
    const socketRels = (pick: (p: ProcessFacts) => readonly IpPortFacts[]) =>
      processes.flatMap((p) =>
        pick(p).map((port) => ({ from: p.key, to: port.key, key: "", props: {} })),
      );
    // Sockets of every process this system ever ran: retired processes lose theirs too.
    const keepListen = await this.g.upsertRels(
      "LISTENS_ON",
      "Process",
      "IPPort",
      socketRels((p) => p.listen),
      at,
    );
    await this.g.retireRelsExcept(
      `${SYSTEM}-[:RUNS]->(:Process)-[r:LISTENS_ON]->()`,
      { sys: system },
      keepListen,
      at,
    );
    const keepClients = await this.g.upsertRels(
      "CLIENT_OF",
      "Process",
      "IPPort",
      socketRels((p) => p.clients),
      at,
    );
    await this.g.retireRelsExcept(
      `${SYSTEM}-[:RUNS]->(:Process)-[r:CLIENT_OF]->()`,
      { sys: system },
      keepClients,
      at,
    );
  }

  /** IPPort nodes with their IPAddr and ON_IP (never retired: they are meeting points). */
  private async upsertIpPorts(ports: readonly IpPortFacts[], at: string): Promise<void> {
    await this.g.upsertNodes("IPPort", ports, at);
    const onIp = ports.filter((p) => p.ip !== null);
    await this.g.upsertNodes(
      "IPAddr",
      onIp.map((p) => p.ip as NodeFacts),
      at,
    );
    await this.g.upsertRels(
      "ON_IP",
      "IPPort",
      "IPAddr",
      onIp.map((p) => ({ from: p.key, to: (p.ip as NodeFacts).key, key: "", props: {} })),
      at,
    );
  }

  async replacePackages(system: string, packages: readonly NodeFacts[], at: string): Promise<void> {
    await this.requireSystem(system);
    await this.g.upsertNodes("Package", packages, at);
    const keep = await this.g.upsertRels(
      "INSTALLED",
      "System",
      "Package",
      relsFrom(system, packages),
      at,
    );
    await this.g.retireRelsExcept(`${SYSTEM}-[r:INSTALLED]->()`, { sys: system }, keep, at);
  }

  async replaceSwitchNeighbours(
    system: string,
    neighbours: readonly SwitchNeighbourFacts[],
    at: string,
  ): Promise<void> {
    await this.requireSystem(system);
    // One neighbour after another, as a later one may update the same switch or port.
    const keep: string[] = [];
    for (const neighbour of neighbours) {
      await this.upsertSystems([neighbour.switch], at);
      await this.g.upsertNodes("SwitchPort", [neighbour.port], at);
      await this.g.upsertRels(
        "HAS_PORT",
        "System",
        "SwitchPort",
        [{ from: neighbour.switch.key, to: neighbour.port.key, key: "", props: {} }],
        at,
      );
      keep.push(
        ...(await this.g.upsertRels(
          "SEES_PORT",
          "System",
          "SwitchPort",
          [
            {
              from: system,
              to: neighbour.port.key,
              key: neighbour.interface,
              props: neighbour.props,
            },
          ],
          at,
        )),
      );
    }
    await this.g.retireRelsExcept(`${SYSTEM}-[r:SEES_PORT]->()`, { sys: system }, keep, at);
  }

  async linkWiring(system: string, at: string): Promise<LinkSummary> {
    await this.requireSystem(system);
    return linkWiring(this.g, system, at);
  }

  async linkDependencies(system: string, at: string): Promise<LinkSummary> {
    await this.requireSystem(system);
    return linkDependencies(this.g, system, at);
  }
  async monitoringView(system: string): Promise<MonitoringView> {
    await this.requireSystem(system);
    return monitoringView(this.g, system);
  }

  async replaceMonitors(system: string, monitors: readonly MonitorFacts[], at: string) {
    await this.requireSystem(system);
    await replaceMonitors(this.g, system, monitors, at);
  }

  async recordMonitorState(monitor: string, state: MonitorStateFacts, at: string) {
    return recordMonitorState(this.g, monitor, state, at);
  }
}

function documentId(system: string, discovertype: string): string {
  return JSON.stringify([system, discovertype]);
}

function relsFrom(from: string, nodes: readonly NodeFacts[]) {
  return nodes.map((n) => ({ from, to: n.key, key: "", props: {} }));
}
