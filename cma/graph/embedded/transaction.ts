/**
 * The graph operations of one write transaction on SQLite. Every method runs
 * synchronously on the write connection inside the transaction the store
 * opened; they are async only to honour the adapter-neutral interface.
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
  Props,
  SwitchNeighbourFacts,
  SystemFacts,
  SystemStatus,
} from "../store.js";
import { UnknownSystemError } from "../store.js";
import { type Elements, type RelRow, readProps } from "./elements.js";
import { linkDependencies, linkWiring } from "./link.js";
import { monitoringView, recordMonitorState, replaceMonitors } from "./monitors.js";

export class EmbeddedTransaction implements GraphTransaction {
  constructor(private readonly g: Elements) {}

  private systemId(system: string): number {
    const id = this.g.nodeId("System", system);
    if (id === undefined) throw new UnknownSystemError(system);
    return id;
  }

  async documentSeenAt(system: string, discovertype: string): Promise<string | null> {
    const seen = this.g
      .cached("SELECT seen_at FROM documents WHERE system = ? AND discovertype = ?")
      .pluck()
      .get(system, discovertype) as string | undefined;
    return seen ?? null;
  }

  async recordDocument(system: string, discovertype: string, at: string): Promise<void> {
    this.g
      .cached(
        `INSERT INTO documents (system, discovertype, seen_at) VALUES (?, ?, ?)
         ON CONFLICT (system, discovertype) DO UPDATE SET seen_at = max(seen_at, excluded.seen_at)`,
      )
      .run(system, discovertype, at);
  }

  async upsertSystem(system: SystemFacts, at: string): Promise<void> {
    this.upsertSystemNow(system, at);
  }

  private upsertSystemNow(system: SystemFacts, at: string): number {
    const isNew = this.g.nodeId("System", system.key) === undefined;
    const status: Props = isNew
      ? { status: "up", status_reason: "discovered", status_since: at }
      : {};
    return this.g.upsertNode(
      "System",
      system.key,
      { ...system.props, ...status, kind: system.kind },
      at,
    );
  }

  async setSystemStatus(
    system: string,
    status: SystemStatus,
    reason: string,
    at: string,
  ): Promise<boolean> {
    const row = this.g
      .cached("SELECT id, props FROM nodes WHERE label = 'System' AND key = ?")
      .get(system) as { id: number; props: string } | undefined;
    if (!row) return false;
    const changed = readProps(row.props).status !== status;
    const patch: Props = changed
      ? { status, status_reason: reason, status_since: at }
      : { status_reason: reason };
    this.g
      .cached("UPDATE nodes SET props = json_patch(props, ?) WHERE id = ?")
      .run(JSON.stringify(patch), row.id);
    return true;
  }

  async retireSystem(system: string, at: string): Promise<boolean> {
    const id = this.g.nodeId("System", system);
    if (id === undefined) return false;
    this.g.retireNodes([id], at);
    return true;
  }

  async nicOwners(nicKeys: readonly string[]): Promise<Record<string, string[]>> {
    const owners: Record<string, string[]> = {};
    for (const key of nicKeys) owners[key] = [];
    const rows = this.g
      .cached(
        `SELECT n.key AS nic, s.key AS system
         FROM nodes AS n
         JOIN rels AS r ON r.type = 'HAS_NIC' AND r.dst = n.id AND r.gone_since IS NULL
         JOIN nodes AS s ON s.id = r.src
         WHERE n.label = 'NIC' AND n.key IN (SELECT value FROM json_each(?))
         ORDER BY s.key`,
      )
      .all(JSON.stringify(nicKeys)) as { nic: string; system: string }[];
    for (const row of rows) owners[row.nic]?.push(row.system);
    return owners;
  }

  async replaceNics(system: string, nics: readonly NodeFacts[], at: string): Promise<void> {
    const sys = this.systemId(system);
    const ids = this.g.upsertNodes("NIC", nics, at);
    const keep = this.g.upsertRels("HAS_NIC", relsFrom(sys, ids, nics), at);
    const retired = this.g.retireRelsExcept(
      "r.type = 'HAS_NIC' AND r.src = @sys",
      { sys },
      keep,
      at,
    );
    // A NIC goes with its last active owner.
    const orphaned = retired
      .map((r) => r.dst)
      .filter(
        (nic) =>
          this.g
            .cached(
              "SELECT 1 FROM rels WHERE type = 'HAS_NIC' AND dst = ? AND gone_since IS NULL LIMIT 1",
            )
            .get(nic) === undefined,
      );
    this.g.retireNodes(orphaned, at);
  }

  async replaceAddresses(
    system: string,
    addresses: readonly AddressFacts[],
    at: string,
  ): Promise<void> {
    const sys = this.systemId(system);
    const nicIds = new Map(
      (
        this.g
          .cached(
            `SELECT n.key, n.id FROM rels AS r JOIN nodes AS n ON n.id = r.dst
             WHERE r.type = 'HAS_NIC' AND r.src = ?`,
          )
          .all(sys) as { key: string; id: number }[]
      ).map((row) => [row.key, row.id]),
    );
    const ipIds = this.g.upsertNodes(
      "IPAddr",
      addresses.map((a) => a.ip),
      at,
    );
    const rows: RelRow[] = addresses.map((a) => {
      const src = nicIds.get(a.nic);
      if (src === undefined) {
        throw new Error(`address ${a.ip.key}: "${a.nic}" is not a NIC of System "${system}"`);
      }
      return { src, dst: idOf(ipIds, a.ip.key), key: "", props: a.props };
    });
    const keep = this.g.upsertRels("HAS_IP", rows, at);
    this.g.retireRelsExcept(
      `r.type = 'HAS_IP' AND r.src IN (SELECT dst FROM rels WHERE type = 'HAS_NIC' AND src = @sys)`,
      { sys },
      keep,
      at,
    );
  }

  async replaceArpNeighbours(
    system: string,
    neighbours: readonly ArpNeighbourFacts[],
    at: string,
  ): Promise<void> {
    const sys = this.systemId(system);
    const ipIds = this.g.upsertNodes(
      "IPAddr",
      neighbours.map((n) => n.ip),
      at,
    );
    const keep = this.g.upsertRels(
      "ARP_NEIGHBOUR",
      neighbours.map((n) => ({
        src: sys,
        dst: idOf(ipIds, n.ip.key),
        key: n.interface,
        props: n.props,
      })),
      at,
    );
    this.g.retireRelsExcept("r.type = 'ARP_NEIGHBOUR' AND r.src = @sys", { sys }, keep, at);
  }

  async replaceProcesses(
    system: string,
    processes: readonly ProcessFacts[],
    at: string,
  ): Promise<void> {
    const sys = this.systemId(system);
    const procIds = this.g.upsertNodes("Process", processes, at);
    const keepRuns = this.g.upsertRels("RUNS", relsFrom(sys, procIds, processes), at);
    const retiredRuns = this.g.retireRelsExcept(
      "r.type = 'RUNS' AND r.src = @sys",
      { sys },
      keepRuns,
      at,
    );
    this.g.retireNodes(
      retiredRuns.map((r) => r.dst),
      at,
    );

    const ports = processes.flatMap((p) => [...p.listen, ...p.clients]);
    const portIds = this.upsertIpPorts(ports, at);
    const socketRels = (pick: (p: ProcessFacts) => readonly IpPortFacts[]) =>
      processes.flatMap((p) =>
        pick(p).map((port) => ({
          src: idOf(procIds, p.key),
          dst: idOf(portIds, port.key),
          key: "",
          props: {},
        })),
      );
    // Sockets of every process this system ever ran: retired processes lose theirs too.
    const ofSystem = "r.src IN (SELECT dst FROM rels WHERE type = 'RUNS' AND src = @sys)";
    const keepListen = this.g.upsertRels(
      "LISTENS_ON",
      socketRels((p) => p.listen),
      at,
    );
    this.g.retireRelsExcept(`r.type = 'LISTENS_ON' AND ${ofSystem}`, { sys }, keepListen, at);
    const keepClients = this.g.upsertRels(
      "CLIENT_OF",
      socketRels((p) => p.clients),
      at,
    );
    this.g.retireRelsExcept(`r.type = 'CLIENT_OF' AND ${ofSystem}`, { sys }, keepClients, at);
  }

  /** IPPort nodes with their IPAddr and ON_IP (never retired: they are meeting points). */
  private upsertIpPorts(ports: readonly IpPortFacts[], at: string): Map<string, number> {
    const portIds = this.g.upsertNodes("IPPort", ports, at);
    const onIp = ports.filter((p) => p.ip !== null);
    const ipIds = this.g.upsertNodes(
      "IPAddr",
      onIp.map((p) => p.ip as NodeFacts),
      at,
    );
    this.g.upsertRels(
      "ON_IP",
      onIp.map((p) => ({
        src: idOf(portIds, p.key),
        dst: idOf(ipIds, (p.ip as NodeFacts).key),
        key: "",
        props: {},
      })),
      at,
    );
    return portIds;
  }

  async replacePackages(system: string, packages: readonly NodeFacts[], at: string): Promise<void> {
    const sys = this.systemId(system);
    const ids = this.g.upsertNodes("Package", packages, at);
    const keep = this.g.upsertRels("INSTALLED", relsFrom(sys, ids, packages), at);
    this.g.retireRelsExcept("r.type = 'INSTALLED' AND r.src = @sys", { sys }, keep, at);
  }

  async replaceSwitchNeighbours(
    system: string,
    neighbours: readonly SwitchNeighbourFacts[],
    at: string,
  ): Promise<void> {
    const sys = this.systemId(system);
    const keep: number[] = [];
    for (const neighbour of neighbours) {
      const switchId = this.upsertSystemNow(neighbour.switch, at);
      const portId = this.g.upsertNode("SwitchPort", neighbour.port.key, neighbour.port.props, at);
      this.g.upsertRels("HAS_PORT", [{ src: switchId, dst: portId, key: "", props: {} }], at);
      keep.push(
        ...this.g.upsertRels(
          "SEES_PORT",
          [{ src: sys, dst: portId, key: neighbour.interface, props: neighbour.props }],
          at,
        ),
      );
    }
    this.g.retireRelsExcept("r.type = 'SEES_PORT' AND r.src = @sys", { sys }, keep, at);
  }

  async linkWiring(system: string, at: string): Promise<LinkSummary> {
    return linkWiring(this.g, this.systemId(system), at);
  }

  async linkDependencies(system: string, at: string): Promise<LinkSummary> {
    return linkDependencies(this.g, this.systemId(system), at);
  }

  async monitoringView(system: string): Promise<MonitoringView> {
    return monitoringView(this.g, this.systemId(system));
  }

  async replaceMonitors(system: string, monitors: readonly MonitorFacts[], at: string) {
    replaceMonitors(this.g, this.systemId(system), monitors, at);
  }

  async recordMonitorState(monitor: string, state: MonitorStateFacts, at: string) {
    return recordMonitorState(this.g, monitor, state, at);
  }
}

function idOf(ids: ReadonlyMap<string, number>, key: string): number {
  const id = ids.get(key);
  if (id === undefined) throw new Error(`no row id for "${key}"`);
  return id;
}

function relsFrom(src: number, ids: ReadonlyMap<string, number>, nodes: readonly NodeFacts[]) {
  return nodes.map((n) => ({ src, dst: idOf(ids, n.key), key: "", props: {} }));
}
