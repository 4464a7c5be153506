/**
 * The CMA's decisions, message by message, over the in-process network with a
 * real store and real rings: who may talk, what a report about a peer leads
 * to, and which events come out.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../lib/log.js";
import { InProcessNetwork } from "../../protocol/in-process.js";
import type { PeerReportBody, StartupBody } from "../../protocol/messages.js";
import type { ProtocolStack } from "../../protocol/stack.js";
import { MessageRefusedError } from "../../protocol/transport.js";
import { openEmbeddedStore } from "../graph/embedded/store.js";
import type { GraphStore } from "../graph/store.js";
import { RingSet } from "../rings/ring-set.js";
import {
  CmaDaemon,
  NOT_REGISTERED,
  STATUS_DETAIL_LIMIT,
  type TrustDecision,
} from "./cma-daemon.js";
import { DEFAULT_CMA_SETTINGS } from "./config.js";
import type { CmaEventInput } from "./ports.js";

const CMA = { address: "10.0.0.1", port: 1984 };
const machine = (n: number) => n.toString(16).padStart(32, "0");

interface Probe {
  stack: ProtocolStack;
  n: number;
  /** Messages the CMA sent it, in order. */
  got: { type: string; body: unknown }[];
}

describe("CmaDaemon", () => {
  let dir: string;
  let store: GraphStore;
  let network: InProcessNetwork;
  let rings: RingSet;
  let events: CmaEventInput[];
  let cma: CmaDaemon;
  let trust: TrustDecision;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "assim-cma-daemon-"));
    store = await openEmbeddedStore({ dataDir: dir });
    network = new InProcessNetwork();
    rings = new RingSet();
    events = [];
    trust = () => "trusted";
    cma = new CmaDaemon({
      stack: network.createStack("cma", CMA),
      store,
      rings,
      events: { emit: (event) => events.push(event), close: async () => undefined },
      settings: {
        ...DEFAULT_CMA_SETTINGS,
        checkTimeoutMs: 50,
        outageWindowMs: 200,
        lateQuietMs: 60_000,
      },
      trust: (key, from) => trust(key, from),
      log: silentLogger,
    });
    cma.start();
  });

  afterEach(async () => {
    await cma.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function probe(n: number): Probe {
    const stack = network.createStack(`probe-${n}`, { address: `10.0.1.${n}`, port: 1984 });
    const got: Probe["got"] = [];
    stack.messenger.onMessage(async (_peer, type, body) => {
      got.push({ type, body });
    });
    return { stack, n, got };
  }

  const send = (from: Probe, type: string, body: unknown) =>
    from.stack.messenger.send("cma", CMA, type, body, { timeoutMs: 1000 });
  const startup = (from: Probe, startId = "1") => {
    const body: StartupBody = {
      machine_id: machine(from.n),
      hostname: `h${from.n}`,
      start_id: startId,
      port: 1984,
      version: "test",
    };
    return send(from, "STARTUP", body);
  };
  const report = (about: Probe): PeerReportBody => ({
    peer: { key: about.stack.endpoint.publicKey, machine_id: machine(about.n), addr: "" },
    rings: ["global"],
    silent_ms: 5000,
  });
  const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

  it("refuses any message before STARTUP, with the refusal a probe re-registers on", async () => {
    const stranger = probe(1);
    await expect(send(stranger, "DISCOVERY", {})).rejects.toThrow(NOT_REGISTERED);
    await expect(send(stranger, "HB_DEAD", report(stranger))).rejects.toThrow(MessageRefusedError);
    expect(cma.registry.size).toBe(0);
  });

  it("refuses a STARTUP with a malformed machine id, and one from a key awaiting approval", async () => {
    const p = probe(1);
    await expect(send(p, "STARTUP", { machine_id: "../../etc", hostname: "x" })).rejects.toThrow(
      /machine_id: 32 lowercase hex digits/,
    );
    trust = () => "pending";
    await expect(startup(p)).rejects.toThrow(/awaits approval/);
    trust = () => "refused";
    await expect(startup(p)).rejects.toThrow(/refused/);
    expect(cma.registry.size).toBe(0);
    expect(events).toEqual([]);
  });

  it("takes a duplicate STARTUP as harmless: one host_up, the partners restated", async () => {
    const [a, b] = [probe(1), probe(2)];
    await startup(a);
    await startup(b);
    await settle();
    const before = a.got.length;
    await startup(a); // the same start again (a retransmission after a lost acknowledgement)
    await settle();
    expect(events.filter((e) => e.type === "host_up")).toHaveLength(2);
    expect(cma.counters.registrations).toBe(2);
    expect(a.got.slice(before).map((m) => m.type)).toEqual(["CONFIG", "SEND_EXPECT_HB"]);
  });

  it("refuses a discovery document about another machine", async () => {
    const a = probe(1);
    await startup(a);
    await expect(
      send(a, "DISCOVERY", { discovertype: "os", machine_id: machine(9), data: {} }),
    ).rejects.toThrow(/documents about its own machine only/);
    expect(cma.counters.documents_refused).toBe(1);
  });

  it("confirms a death reported by one neighbour with a direct check, and announces it once", async () => {
    const [a, b, c] = [probe(1), probe(2), probe(3)];
    for (const p of [a, b, c]) await startup(p);
    network.kill(b.stack.endpoint.publicKey);
    await send(a, "HB_DEAD", report(b));
    await send(a, "HB_DEAD", report(b)); // the same report again changes nothing
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(events.filter((e) => e.type === "host_down").map((e) => e.system)).toEqual([
      `host:${machine(2)}`,
    ]);
    expect(rings.view().global?.sort()).toEqual([`host:${machine(1)}`, `host:${machine(3)}`]);
  });

  it("shows every probe and ring member in its status up to STATUS_DETAIL_LIMIT probes, counts only above", async () => {
    const [a, b] = [probe(1), probe(2)];
    await startup(a);
    await startup(b);
    const small = cma.status();
    expect(small.probe_count).toBe(2);
    expect(small.ring_sizes).toEqual({ global: 2 });
    expect((small.probes as { hostname: string }[]).map((p) => p.hostname).sort()).toEqual([
      "h1",
      "h2",
    ]);
    expect(small.rings).toEqual(rings.view());
    expect(small.detail).toBeUndefined();

    // Past the limit (records and ring members added directly: registering 10,000 would be slow).
    for (let n = 3; n <= STATUS_DETAIL_LIMIT + 1; n++) {
      const system = `host:${machine(n)}`;
      cma.registry.add({
        system,
        machineId: machine(n),
        hostname: `h${n}`,
        key: `key-${n}`,
        address: { address: "10.0.2.1", port: 1984 },
        startId: "1",
        state: "up",
        switchKey: null,
      });
      await rings.join(system, null);
    }
    const large = cma.status();
    expect(large.probe_count).toBe(STATUS_DETAIL_LIMIT + 1);
    expect(large.ring_sizes).toEqual({ global: STATUS_DETAIL_LIMIT + 1 });
    expect(large.probes).toBeUndefined();
    expect(large.rings).toBeUndefined();
    expect(large.detail).toMatch(/left out above 10000 probes/);
    expect(JSON.stringify(large).length).toBeLessThan(10_000);
  });

  it("clears a suspect that answers the direct check: no event", async () => {
    const [a, b, c] = [probe(1), probe(2), probe(3)];
    for (const p of [a, b, c]) await startup(p);
    await send(a, "HB_DEAD", report(b));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(events.filter((e) => e.type !== "host_up")).toEqual([]);
    expect(cma.counters.checks).toBe(1);
    expect(cma.status().suspects).toEqual([]);
  });

  it("ignores a death report about someone who is not the reporter's partner, and restates the reporter", async () => {
    const p = [1, 2, 3, 4, 5].map(probe);
    for (const each of p) await startup(each);
    const a = p[0] as Probe;
    const partners = new Set(rings.partnersOf(`host:${machine(1)}`).global);
    const stranger = p.find((each) => each !== a && !partners.has(`host:${machine(each.n)}`));
    if (!stranger) throw new Error("every probe is a's partner");
    const before = a.got.length;
    await send(a, "HB_DEAD", report(stranger));
    await settle();
    expect(cma.counters.reports_ignored).toBe(1);
    expect(a.got.slice(before).map((m) => m.type)).toEqual(["SEND_EXPECT_HB"]);
    expect(events.filter((e) => e.type === "host_down")).toEqual([]);
  });

  it("restates the stale side of a martian heartbeat", async () => {
    const p = [1, 2, 3, 4, 5].map(probe);
    for (const each of p) await startup(each);
    const a = p[0] as Probe;
    const partners = new Set(rings.partnersOf(`host:${machine(1)}`).global);
    const partner = p.find((each) => partners.has(`host:${machine(each.n)}`)) as Probe;
    const stranger = p.find(
      (each) => each !== a && !partners.has(`host:${machine(each.n)}`),
    ) as Probe;
    // a hears its own partner as a martian: a missed a command, so a is restated.
    let before = a.got.length;
    await send(a, "HB_MARTIAN", { ...report(partner), rings: [] });
    await settle();
    expect(a.got.slice(before).map((m) => m.type)).toEqual(["SEND_EXPECT_HB"]);
    // a hears a non-partner: that sender holds stale partners and is restated.
    before = stranger.got.length;
    const aBefore = a.got.length;
    await send(a, "HB_MARTIAN", { ...report(stranger), rings: [] });
    await settle();
    expect(stranger.got.slice(before).map((m) => m.type)).toEqual(["SEND_EXPECT_HB"]);
    expect(a.got.length).toBe(aBefore);
  });

  it("turns late heartbeats into one host_late per quiet period", async () => {
    const [a, b] = [probe(1), probe(2)];
    await startup(a);
    await startup(b);
    await send(a, "HB_LATE", report(b));
    await send(a, "HB_LATE", report(b));
    const late = events.filter((e) => e.type === "host_late");
    expect(late).toHaveLength(1);
    expect(late[0]).toMatchObject({ system: `host:${machine(2)}`, hostname: "h2" });
  });

  it("takes SHUTDOWN as no failure, and a later message from a downed host as its return", async () => {
    const [a, b, c] = [probe(1), probe(2), probe(3)];
    for (const p of [a, b, c]) await startup(p);
    await send(b, "SHUTDOWN", { reason: "SIGTERM received" });
    expect(events.at(-1)).toMatchObject({ type: "host_shutdown", system: `host:${machine(2)}` });
    expect(rings.isMember(`host:${machine(2)}`)).toBe(false);
    // A probe that restarts registers again with a new start: host_up, back in the ring.
    await startup(b, "2");
    expect(events.at(-1)).toMatchObject({ type: "host_up", reason: "probe restarted" });
    expect(rings.isMember(`host:${machine(2)}`)).toBe(true);
    expect(events.filter((e) => e.type === "host_down")).toEqual([]);
  });
});
