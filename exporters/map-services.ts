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
    id: monitor.key,
    rule: text(p, "rule"),
    class: text(p, "class"),
    provider: text(p, "provider"),
    type: text(p, "type"),
    params: list(p, "params"),
    state: text(p, "state"),
    state_since: text(p, "state_since"),
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
      records.push({
        id: serviceId(host, process),
        kind: "service",
        fields: {
          host: `host:${machineIdOf(host)}`,
          name: text(p, "name"),
          exe: text(p, "exe"),
          argv: list(p, "argv"),
          uid: integer(p, "uid"),
          user: text(p, "user"),
          unowned: p.unowned === true,
          listen,
          monitor,
          monitored: monitor !== null && monitor.class !== "nomon",
          nomon: monitor?.class === "nomon",
        },
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
        id: `dependency:${from}->${to}:${proto}/${port}`,
        kind: "dependency",
        fields: {
          client_host: `host:${machineIdOf(clientHost)}`,
          client_process: processHash(client),
          client_service: clientIsService ? serviceId(clientHost, client) : null,
          client_name: text(client.props, "name"),
          client_exe: text(client.props, "exe"),
          server_host: `host:${machineIdOf(serverHost)}`,
          server_service: serviceId(serverHost, server),
          server_name: text(server.props, "name"),
          server_exe: text(server.props, "exe"),
          proto,
          port,
        },
      });
    }
  }
  return records;
}
