/**
 * /api/graph: the service dependency graph between hosts in one answer, for
 * the web view. Built from two catalogue queries (systems, then host-links
 * for the same hosts), so it serves either store adapter.
 */
import type { RequestHandler } from "express";
import type { GraphStore } from "../graph/store.js";
import { QueryParameterError } from "../queries/errors.js";
import { StoreFailure } from "./errors.js";

type QueryStore = Pick<GraphStore, "runQuery">;

/** Live hosts one answer gathers (the first, in the systems query's order). */
export const GRAPH_MAX_HOSTS = 500;

export interface GraphNode {
  /** System key. */
  id: string;
  name: string;
  status: string;
}

export interface GraphEdge {
  /** The client host's System key. */
  source: string;
  /** The serving host's System key. */
  target: string;
  /** What the client uses there: "postgres tcp/5432", sorted. */
  services: string[];
}

export interface DependencyGraph {
  nodes: GraphNode[];
  /** Between two different live hosts; a host's use of its own services is left out. */
  edges: GraphEdge[];
  /** True when there were more live hosts than GRAPH_MAX_HOSTS (the rest are left out). */
  truncated: boolean;
}

const text = (value: unknown) => (value === null || value === undefined ? "" : String(value));

export async function dependencyGraph(store: QueryStore): Promise<DependencyGraph> {
  const systems = await store.runQuery("systems", { kind: "host" });
  const live = systems.rows.filter((row) => row.gone_since === null);
  const hosts = live.slice(0, GRAPH_MAX_HOSTS);
  const nodes: GraphNode[] = hosts.map((row) => ({
    id: text(row.key),
    name: text(row.name),
    status: text(row.status),
  }));
  const known = new Set(nodes.map((n) => n.id));
  const edges = new Map<string, GraphEdge>();
  // Rows come by client host in the nodes' order, then as host-dependencies orders them.
  const links = await store.runQuery("host-links", { hosts: GRAPH_MAX_HOSTS });
  for (const row of links.rows) {
    const source = text(row.system);
    const target = text(row.peer_system);
    // A separate read: a host that came or went in between is left out.
    if (source === target || !known.has(source) || !known.has(target)) continue;
    const id = `${source}\u0000${target}`;
    let edge = edges.get(id);
    if (!edge) {
      edge = { source, target, services: [] };
      edges.set(id, edge);
    }
    const service = `${text(row.peer_process_name)} ${text(row.proto)}/${text(row.port)}`;
    if (!edge.services.includes(service)) edge.services.push(service);
  }
  for (const edge of edges.values()) edge.services.sort();
  return { nodes, edges: [...edges.values()], truncated: live.length > hosts.length };
}

export function graphRoute(store: QueryStore): RequestHandler {
  return async (req, res) => {
    const search = new URL(req.originalUrl, "http://localhost").searchParams;
    for (const name of search.keys()) {
      throw new QueryParameterError("graph", name, "unknown parameter; /api/graph takes none");
    }
    let graph: DependencyGraph;
    try {
      graph = await dependencyGraph(store);
    } catch (error) {
      throw new StoreFailure(error);
    }
    res.json(graph);
  };
}
