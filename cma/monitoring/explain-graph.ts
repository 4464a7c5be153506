/**
 * `assim rules explain` from the graph: the host's listening services as the
 * CMA last stored them, what the rules say about each, and the monitor the
 * CMA actually set up with its current state.
 */
import type { GraphStore, MonitorRecord } from "../graph/store.js";
import type { ExplainOptions, ServiceExplanation } from "./match.js";
import { planMonitors } from "./plan.js";
import type { Rule } from "./types.js";

/** Thrown when the host cannot be found or named; the CLI reports it as a usage error. */
export class HostNotFoundError extends Error {
  override name = "HostNotFoundError";
}

export interface GraphExplanation {
  system: string;
  host: string;
  services: (ServiceExplanation & { monitor: MonitorRecord | null })[];
}

/** The host System named by key, machine id or name; the only host when none is named. */
async function findHost(store: GraphStore, host: string | undefined) {
  const { rows } = await store.runQuery("systems", { kind: "host" });
  const hosts = rows.filter((row) => row.gone_since === null || row.gone_since === undefined);
  if (host === undefined) {
    if (hosts.length === 1) return hosts[0] as (typeof hosts)[number];
    const names = hosts.slice(0, 20).map((row) => String(row.name ?? row.key));
    throw new HostNotFoundError(
      hosts.length === 0
        ? "the graph holds no host"
        : `the graph holds ${hosts.length} hosts (${names.join(", ")}${hosts.length > 20 ? ", …" : ""}): name one with --host`,
    );
  }
  const found = hosts.filter(
    (row) => row.key === host || row.key === `host:${host}` || row.name === host,
  );
  if (found.length === 1) return found[0] as (typeof found)[number];
  throw new HostNotFoundError(
    found.length === 0
      ? `no host named ${JSON.stringify(host.slice(0, 200))} in the graph`
      : `${found.length} hosts are named ${JSON.stringify(host)}: name one by key (${found.map((r) => r.key).join(", ")})`,
  );
}

export async function explainFromGraph(
  store: GraphStore,
  rules: readonly Rule[],
  host: string | undefined,
  options: ExplainOptions = {},
): Promise<GraphExplanation> {
  const row = await findHost(store, host);
  const system = String(row.key);
  // Read-only work inside write(): the store's one transactional entry point.
  const view = await store.write((tx) => tx.monitoringView(system));
  const plan = planMonitors(rules, system, view, options);
  return {
    system,
    host: String(row.name ?? system),
    services: plan.explanations.map((service) => ({
      ...service,
      monitor: view.monitors.find((m) => m.process === service.key) ?? null,
    })),
  };
}
