/** Service (listening process) and dependency records from the live graph. */
import { compareEndpoints } from "../cma/graph/monitors.js";
import type { NodeRecord } from "../cma/graph/store.js";
import { after, compareIds, endpoint, integer, list, text } from "./fields.js";
import type { LiveGraph } from "./graph-view.js";
import { machineIdOf } from "./map-systems.js";
import type { ExportRecord, FieldObject } from "./records.js";

const processHash = (process: NodeRecord) => after(process.key, "proc:");

/** The record id of a process's service: "service:<machine id>:<process key hash>". */
export const serviceId = (host: NodeRecord, process: NodeRecord) =>
  `service:${machineIdOf(host)}:${processHash(process)}`;

/** The host that runs a process (the first live RUNS), if any. */
function hostOf(graph: LiveGraph, process: NodeRecord): NodeRecord | undefined {
  return graph
    .in("RUNS", process)
    .map((e) => e.node)
    .filter((n) => n.props.kind === "host")
    .sort((a, b) => compareIds(a.key, b.key))[0];
}

function listenOf(graph: LiveGraph, process: NodeRecord): string[] {
  return graph
    .out("LISTENS_ON", process)
    .map((e) => ({
      proto: text(e.node.props, "proto") ?? "",
      ip: text(e.node.props, "ip") ?? "",
      port: integer(e.node.props, "port") ?? 0,
    }))
    .sort(compareEndpoints)
    .map((e) => endpoint(e.proto, e.ip, e.port));
}

/** The monitor the CMA set up for the process (the first by key), or null. */
function monitorOf(graph: LiveGraph, process: NodeRecord): FieldObject | null {
  const monitor = graph
    .out("MONITORED_BY", process)
    .map((e) => e.node)
    .sort((a, b) => compareIds(a.key, b.key))[0];
  if (!monitor) return null;
  const p = monitor.props;
  return {
    class: text(p, "class"),
    id: monitor.key,
    params: list(p, "params"),
    provider: text(p, "provider"),
    rule: text(p, "rule"),
    state: text(p, "state"),
    state_since: text(p, "state_since"),
    type: text(p, "type"),
  };
}

export function serviceRecords(graph: LiveGraph): ExportRecord[] {
  const records: ExportRecord[] = [];
  for (const host of graph.all("System").filter((n) => n.props.kind === "host")) {
    for (const { node: process } of graph.out("RUNS", host)) {
      const listen = listenOf(graph, process);
      if (listen.length === 0) continue;
      const monitor = monitorOf(graph, process);
      const p = process.props;
      // Keys in canonical order (see map-systems.ts).
      records.push({
        fields: {
          argv: list(p, "argv"),
          exe: text(p, "exe"),
          host: `host:${machineIdOf(host)}`,
          listen,
          monitor,
          monitored: monitor !== null && monitor.class !== "nomon",
          name: text(p, "name"),
          nomon: monitor?.class === "nomon",
          uid: integer(p, "uid"),
          unowned: p.unowned === true,
          user: text(p, "user"),
        },
        id: serviceId(host, process),
        kind: "service",
      });
    }
  }
  return records;
}

/** One record per process-level DEPENDS_ON: client host and process → server host and service. */
export function dependencyRecords(graph: LiveGraph): ExportRecord[] {
  const records: ExportRecord[] = [];
  for (const client of graph.all("Process")) {
    const clientHost = hostOf(graph, client);
    if (!clientHost) continue;
    const clientIsService = graph.out("LISTENS_ON", client).length > 0;
    for (const edge of graph.out("DEPENDS_ON", client)) {
      const server = edge.node;
      if (server.label !== "Process") continue;
      const serverHost = hostOf(graph, server);
      if (!serverHost) continue;
      const proto = text(edge.props, "proto") ?? edge.key.split("/")[0] ?? "";
      const port = integer(edge.props, "port") ?? Number(edge.key.split("/")[1]);
      const from = `${machineIdOf(clientHost)}:${processHash(client)}`;
      const to = `${machineIdOf(serverHost)}:${processHash(server)}`;
      records.push({
        fields: {
          client_exe: text(client.props, "exe"),
          client_host: `host:${machineIdOf(clientHost)}`,
          client_name: text(client.props, "name"),
          client_process: processHash(client),
          client_service: clientIsService ? serviceId(clientHost, client) : null,
          port,
          proto,
          server_exe: text(server.props, "exe"),
          server_host: `host:${machineIdOf(serverHost)}`,
          server_name: text(server.props, "name"),
          server_service: serviceId(serverHost, server),
        },
        id: `dependency:${from}->${to}:${proto}/${port}`,
        kind: "dependency",
      });
    }
  }
  return records;
}
