/**
 * The monitor director over a real embedded store and the contract fixtures
 * (web1: nginx, gunicorn and redis, with OCF and Nagios agents installed):
 * what it stores, which MONITOR commands it sends, and what results do.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../lib/log.js";
import type { MonitorBody } from "../../probe/daemon/monitor-commands.js";
import { MessageRefusedError } from "../../protocol/transport.js";
import {
  copy,
  fixtureDocument,
  ingestFixtureWorld,
  LATER,
  SYSTEM,
} from "../graph/contract/support.js";
import { openEmbeddedStore } from "../graph/embedded/store.js";
import { readHistory } from "../graph/monitors.js";
import type { GraphStore } from "../graph/store.js";
import { ingestDocument } from "../ingest/ingest.js";
import type { CmaEventInput } from "../server/ports.js";
import { MonitorDirector } from "./director.js";
import { loadRules } from "./load.js";

let scratch: string;
let store: GraphStore;
let sent: { system: string; body: MonitorBody }[];
let events: CmaEventInput[];
let refuse: ((body: MonitorBody) => string | null) | null;
let director: MonitorDirector;

beforeEach(async () => {
  scratch = mkdtempSync(join(tmpdir(), "assim-director-"));
  store = await openEmbeddedStore({ dataDir: scratch });
  await ingestFixtureWorld(store);
  sent = [];
  events = [];
  refuse = null;
  director = new MonitorDirector({
    store,
    rules: loadRules().rules,
    send: async (system, body) => {
      sent.push({ system, body });
      const reason = refuse?.(body);
      if (reason) throw new MessageRefusedError(reason);
    },
    events: { emit: (event) => events.push(event), close: async () => undefined },
    log: silentLogger,
  });
});
afterEach(async () => {
  await store.close();
  rmSync(scratch, { recursive: true, force: true });
});

const adds = () =>
  sent.filter((s) => s.body.action === "add").map((s) => s.body.resource?.id.split("@")[0]);
const monitors = () => store.write((tx) => tx.monitoringView(SYSTEM.web1)).then((v) => v.monitors);
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe("MonitorDirector", () => {
  it("sets up the shipped rules' agents for web1's services and stores them", async () => {
    await director.plan(SYSTEM.web1);
    expect(adds().sort()).toEqual(["nginx", "redis"]);
    const nginx = sent.find((s) => s.body.resource?.id.startsWith("nginx@"));
    expect(nginx).toEqual({
      system: SYSTEM.web1,
      body: {
        action: "add",
        resource: {
          id: expect.stringMatching(/^nginx@[0-9a-f]{16}$/),
          agent: { class: "ocf", provider: "heartbeat", type: "nginx", params: { port: "80" } },
          interval_ms: 30_000,
          timeout_ms: 20_000,
        },
      },
    });
    const stored = await monitors();
    expect(stored.map((m) => [m.props.rule, m.props.state, m.props.resource])).toEqual(
      expect.arrayContaining([
        ["nginx", "pending", nginx?.body.resource?.id],
        ["redis", "pending", expect.stringMatching(/^redis@/)],
      ]),
    );
    expect(stored).toHaveLength(2);
    const unmonitored = await store.runQuery("unmonitored-services", { host: "web1" });
    expect(unmonitored.rows.map((r) => r.name)).toEqual(["python3.11"]);
  });

  it("sends nothing when a new plan changes nothing, and a remove when a service went away", async () => {
    await director.plan(SYSTEM.web1);
    sent = [];
    await director.plan(SYSTEM.web1);
    expect(sent).toEqual([]);

    const tcp = copy(fixtureDocument("web1", "tcpdiscovery"), LATER);
    delete (tcp.data as Record<string, unknown>)["redis-server:2a3b4c5d6e7f"];
    await ingestDocument(store, tcp);
    await director.plan(SYSTEM.web1);
    expect(sent.map((s) => [s.body.action, s.body.id?.split("@")[0]])).toEqual([
      ["remove", "redis"],
    ]);
    expect((await monitors()).map((m) => m.props.rule)).toEqual(["nginx"]);
  });

  it("records a reported change with its history and raises one event per change", async () => {
    await director.plan(SYSTEM.web1);
    const id = sent.find((s) => s.body.resource?.id.startsWith("nginx@"))?.body.resource
      ?.id as string;
    const change = (state: string, reason: string) => ({
      kind: "change",
      id,
      previous: null,
      current: { class: "ocf", operation: "monitor", code: 7, state, reason, codeName: "X" },
    });
    await director.result(SYSTEM.web1, "web1", change("stopped", "monitor: OCF_NOT_RUNNING"));
    await director.result(SYSTEM.web1, "web1", change("stopped", "monitor: OCF_NOT_RUNNING"));
    await director.result(SYSTEM.web1, "web1", change("ok", "monitor: OCF_SUCCESS"));
    expect(events.map((e) => [e.type, e.severity, e.reason])).toEqual([
      ["service_state", "critical", "nginx: pending → stopped: monitor: OCF_NOT_RUNNING"],
      ["service_state", "info", "nginx: stopped → ok: monitor: OCF_SUCCESS"],
    ]);
    const nginx = (await monitors()).find((m) => m.props.rule === "nginx");
    expect(nginx?.props).toMatchObject({ state: "ok", state_reason: "monitor: OCF_SUCCESS" });
    expect(JSON.parse(String(nginx?.props.state_detail))).toMatchObject({ class: "ocf", code: 7 });
    expect(readHistory(nginx?.props.history).map((t) => `${t.from}→${t.to}`)).toEqual([
      "pending→stopped",
      "stopped→ok",
    ]);
  });

  it("refuses results that are no resource's, and removes a resource it no longer wants", async () => {
    await director.plan(SYSTEM.web1);
    sent = [];
    await expect(director.result(SYSTEM.web1, "web1", { kind: "bogus" })).rejects.toThrow(
      MessageRefusedError,
    );
    await expect(
      director.result(SYSTEM.web1, "web1", {
        kind: "change",
        id: "../../etc@passwd",
        current: { state: "ok", reason: "" },
      }),
    ).rejects.toThrow(/not a result of a resource the CMA set up/);
    await expect(
      director.result(SYSTEM.web1, "web1", {
        kind: "change",
        id: "nginx@0000000000000000",
        current: { state: "exploded", reason: "" },
      }),
    ).rejects.toThrow(MessageRefusedError);
    // Well formed but not one of web1's monitors (db1's, or an old one): web1 is told to drop it.
    await director.result(SYSTEM.web1, "web1", {
      kind: "change",
      id: "nginx@0123456789abcdef",
      current: { state: "ok", reason: "" },
    });
    expect(sent).toEqual([
      { system: SYSTEM.web1, body: { action: "remove", id: "nginx@0123456789abcdef" } },
    ]);
    expect(events).toEqual([]);
    expect(director.counters.results_ignored).toBe(4);
  });

  it("marks a monitor the probe refused, and sends every monitor again to a restarted probe", async () => {
    refuse = (body) =>
      body.resource?.id.startsWith("redis@") ? "MONITOR: agent ocf:heartbeat:redis missing" : null;
    await director.plan(SYSTEM.web1);
    await settle();
    const redis = (await monitors()).find((m) => m.props.rule === "redis");
    expect(redis?.props).toMatchObject({
      state: "refused",
      state_reason: "MONITOR: agent ocf:heartbeat:redis missing",
    });
    expect(director.counters.refused).toBe(1);

    refuse = null;
    sent = [];
    await director.resend(SYSTEM.web1);
    expect(adds().sort()).toEqual(["nginx", "redis"]);
  });
});
