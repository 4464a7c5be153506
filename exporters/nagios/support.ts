/** Test support: the fixture world with a switch and monitors on every kind of service. */
import {
  AT,
  copy,
  ingestFixtureWorld,
  processKeyOf,
  SYSTEM,
  switchDocument,
} from "../../cma/graph/contract/support.js";
import type { GraphStore, PropValue } from "../../cma/graph/store.js";
import { ingestDocument } from "../../cma/ingest/ingest.js";

type Monitor = [process: string, rule: string, cls: string, type: string, params: string[]];

/** Stores monitors as the CMA's director does: one replaceMonitors per system. */
export async function storeMonitors(
  store: GraphStore,
  system: string,
  monitors: readonly Monitor[],
): Promise<void> {
  const snapshot = await store.snapshot();
  const facts = monitors.map(([name, rule, cls, type, params]) => ({
    key: `monitor:${name}:${rule}`,
    process: processKeyOf(snapshot, system, name),
    props: { rule, class: cls, type, params } as Record<string, PropValue>,
  }));
  await store.write((tx) => tx.replaceMonitors(system, facts, AT));
}

/**
 * web1 (wired to sw1): nginx checked with check_tcp, gunicorn on loopback
 * (a nagios check the probe must run: passive), redis by OCF; db1: postgres
 * with check_pgsql; ldap1: slapd by systemd, its redis left unmonitored.
 */
export async function ingestMonitoredWorld(store: GraphStore): Promise<void> {
  await ingestFixtureWorld(store);
  await ingestDocument(store, copy(switchDocument(), AT));
  await storeMonitors(store, SYSTEM.web1, [
    ["nginx", "nginx", "nagios", "check_tcp", ["H=0.0.0.0", "p=80"]],
    ["python3.11", "gunicorn", "nagios", "check_tcp", ["H=127.0.0.1", "p=8000"]],
    ["redis-server", "redis", "ocf", "redis", ["port=6379"]],
  ]);
  await storeMonitors(store, SYSTEM.db1, [
    ["postgres", "postgresql-tcp", "nagios", "check_pgsql", ["H=0.0.0.0", "P=5432"]],
  ]);
  await storeMonitors(store, SYSTEM.ldap1, [["slapd", "slapd", "systemd", "slapd.service", []]]);
}
