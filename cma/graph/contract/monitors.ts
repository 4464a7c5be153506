/** Monitors over each store: the monitoring view, the monitor set of a system, reported states. */
import { expect, it } from "vitest";
import { ingestDocument } from "../../ingest/ingest.js";
import { readHistory } from "../monitors.js";
import { type GraphStore, MONITOR_HISTORY_LIMIT, type MonitorFacts } from "../store.js";
import {
  AT,
  copy,
  EARLIER,
  fixtureDocument,
  ingestFixtureWorld,
  LATER,
  node,
  processKeyOf,
  SYSTEM,
} from "./support.js";

function monitor(process: string, rule: string, extra: Record<string, string> = {}): MonitorFacts {
  return {
    key: `monitor:${process}:${rule}`,
    process,
    props: { rule, class: "nagios", type: "check_tcp", resource: `${rule}-1`, ...extra },
  };
}

async function world(store: GraphStore) {
  await ingestFixtureWorld(store);
  const snapshot = await store.snapshot();
  return {
    nginx: processKeyOf(snapshot, SYSTEM.web1, "nginx"),
    redis: processKeyOf(snapshot, SYSTEM.web1, "redis-server"),
    gunicorn: processKeyOf(snapshot, SYSTEM.web1, "python3.11"),
    postgres: processKeyOf(snapshot, SYSTEM.db1, "postgres"),
  };
}

const unmonitored = async (store: GraphStore, host: string) =>
  (await store.runQuery("unmonitored-services", { host })).rows.map((r) => r.name);

export function monitorTests(fresh: () => Promise<GraphStore>): void {
  it("gives the monitoring view of a system: listening processes, packages, agents", async () => {
    const store = await fresh();
    const p = await world(store);
    const view = await store.write((tx) => tx.monitoringView(SYSTEM.web1));
    expect(view.processes.map((x) => x.key)).toEqual([p.nginx, p.gunicorn, p.redis].sort());
    const nginx = view.processes.find((x) => x.key === p.nginx);
    expect(nginx).toEqual({
      key: p.nginx,
      exe: "/usr/sbin/nginx",
      argv: ["nginx: worker process"],
      uid: 33,
      listen: [
        { proto: "tcp", ip: "0.0.0.0", port: 80 },
        { proto: "tcp", ip: "::", port: 443 },
      ],
    });
    expect(view.packages).toEqual(["libc6", "nginx", "python3.11", "redis-server"]);
    expect(view.system.agents_nagios).toEqual(["check_http", "check_pgsql", "check_tcp"]);
    expect(view.system.agents_ocf).toEqual([
      "heartbeat/nginx",
      "heartbeat/pgsql",
      "heartbeat/redis",
    ]);
    expect(view.monitors).toEqual([]);
    await expect(store.write((tx) => tx.monitoringView("host:nobody"))).rejects.toThrow(
      /no System with key "host:nobody"/,
    );
  });

  it("keeps a system's monitor set: MONITORED_BY, pending state, retirement", async () => {
    const store = await fresh();
    const p = await world(store);
    expect(await unmonitored(store, "web1")).toEqual(["nginx", "python3.11", "redis-server"]);

    await store.write((tx) =>
      tx.replaceMonitors(SYSTEM.web1, [monitor(p.nginx, "nginx"), monitor(p.redis, "redis")], AT),
    );
    expect(await unmonitored(store, "web1")).toEqual(["python3.11"]);
    let view = await store.write((tx) => tx.monitoringView(SYSTEM.web1));
    expect(view.monitors.map((m) => m.key)).toEqual(
      [`monitor:${p.nginx}:nginx`, `monitor:${p.redis}:redis`].sort(),
    );
    expect(view.monitors.map((m) => [m.process, m.props.rule, m.props.state])).toEqual(
      expect.arrayContaining([
        [p.nginx, "nginx", "pending"],
        [p.redis, "redis", "pending"],
      ]),
    );
    const snapshot = await store.snapshot();
    expect(node(snapshot, "Monitor", `monitor:${p.nginx}:nginx`).props).toMatchObject({
      rule: "nginx",
      state: "pending",
      state_reason: "not reported yet",
      state_since: AT,
    });

    // A state survives a replan that lists the monitor again.
    await store.write((tx) =>
      tx.recordMonitorState(
        `monitor:${p.nginx}:nginx`,
        { state: "ok", reason: "TCP OK", detail: "{}" },
        AT,
      ),
    );
    await store.write((tx) =>
      tx.replaceMonitors(SYSTEM.web1, [monitor(p.nginx, "nginx", { type: "check_http" })], LATER),
    );
    view = await store.write((tx) => tx.monitoringView(SYSTEM.web1));
    expect(view.monitors.map((m) => [m.key, m.props.state, m.props.type])).toEqual([
      [`monitor:${p.nginx}:nginx`, "ok", "check_http"],
    ]);
    const after = await store.snapshot();
    const redisMonitor = node(after, "Monitor", `monitor:${p.redis}:redis`);
    expect(redisMonitor.gone_since).toBe(LATER);
    expect(await unmonitored(store, "web1")).toEqual(["python3.11", "redis-server"]);

    // Revived: pending again, first_seen kept.
    await store.write((tx) =>
      tx.replaceMonitors(
        SYSTEM.web1,
        [monitor(p.nginx, "nginx"), monitor(p.redis, "redis")],
        LATER,
      ),
    );
    const revived = node(await store.snapshot(), "Monitor", `monitor:${p.redis}:redis`);
    expect(revived).toMatchObject({ gone_since: null, first_seen: AT });
    expect(revived.props.state).toBe("pending");

    // Another system's process is refused, and nothing of the call is stored.
    await expect(
      store.write((tx) =>
        tx.replaceMonitors(SYSTEM.web1, [monitor(p.nginx, "x"), monitor(p.postgres, "pg")], LATER),
      ),
    ).rejects.toThrow(/is not the system's/);
    expect((await store.snapshot()).nodes.filter((n) => n.key.endsWith(":x"))).toEqual([]);

    await store.write((tx) => tx.replaceMonitors(SYSTEM.web1, [], LATER));
    expect(await unmonitored(store, "web1")).toEqual(["nginx", "python3.11", "redis-server"]);
    expect((await store.counts()).nodes.Monitor).toEqual({ active: 0, retired: 2 });
  });

  it("retires the monitor of a process that went away", async () => {
    const store = await fresh();
    const p = await world(store);
    await store.write((tx) => tx.replaceMonitors(SYSTEM.web1, [monitor(p.redis, "redis")], AT));
    const tcp = copy(fixtureDocument("web1", "tcpdiscovery"), LATER);
    delete (tcp.data as Record<string, unknown>)["redis-server:2a3b4c5d6e7f"];
    await ingestDocument(store, tcp);
    // Still attached (the CMA replans next), but not in the view's listening processes.
    let view = await store.write((tx) => tx.monitoringView(SYSTEM.web1));
    expect(view.processes.map((x) => x.key)).not.toContain(p.redis);
    expect(view.monitors.map((m) => m.process)).toEqual([p.redis]);
    await store.write((tx) => tx.replaceMonitors(SYSTEM.web1, [], LATER));
    view = await store.write((tx) => tx.monitoringView(SYSTEM.web1));
    expect(view.monitors).toEqual([]);
  });

  it("records states with their transitions, newest last and bounded", async () => {
    const store = await fresh();
    const p = await world(store);
    const key = `monitor:${p.nginx}:nginx`;
    await store.write((tx) =>
      tx.replaceMonitors(SYSTEM.web1, [monitor(p.nginx, "nginx")], EARLIER),
    );
    const record = (state: string, reason: string, at: string) =>
      store.write((tx) =>
        tx.recordMonitorState(key, { state, reason, detail: JSON.stringify({ code: 2 }) }, at),
      );
    expect(await record("ok", "TCP OK - 0.001 second response time", AT)).toBe(true);
    expect(await record("ok", "TCP OK - 0.002 second response time", LATER)).toBe(true);
    expect(await record("critical", "Connection refused", LATER)).toBe(true);
    const stored = node(await store.snapshot(), "Monitor", key).props;
    expect(stored).toMatchObject({
      state: "critical",
      state_reason: "Connection refused",
      state_since: LATER,
      state_checked_at: LATER,
      state_detail: '{"code":2}',
    });
    expect(readHistory(stored.history)).toEqual([
      { at: AT, from: "pending", to: "ok", reason: "TCP OK - 0.001 second response time" },
      { at: LATER, from: "ok", to: "critical", reason: "Connection refused" },
    ]);
    expect(await record("ok", "x", LATER)).toBe(true);
    for (let i = 0; i < MONITOR_HISTORY_LIMIT + 5; i++) {
      await record(i % 2 === 0 ? "warning" : "ok", `flap ${i}`, LATER);
    }
    const history = readHistory(node(await store.snapshot(), "Monitor", key).props.history);
    expect(history).toHaveLength(MONITOR_HISTORY_LIMIT);
    expect(history.at(-1)?.reason).toBe(`flap ${MONITOR_HISTORY_LIMIT + 4}`);
    expect(
      await store.write((tx) =>
        tx.recordMonitorState(
          "monitor:none",
          {
            state: "ok",
            reason: "",
            detail: "{}",
          },
          AT,
        ),
      ),
    ).toBe(false);
  });
}
