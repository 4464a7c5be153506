import { describe, expect, it } from "vitest";
import type { PeerRef, PeerReportBody } from "../../protocol/messages.js";
import { decodeHeartbeat, encodeHeartbeat } from "./heartbeat-packet.js";
import { HeartbeatMonitor, type PeerReportType } from "./monitor.js";
import { RingPartners } from "./ring-partners.js";

const peer = (n: number): PeerRef => ({
  machine_id: `m${n}`,
  key: `key${n}`,
  addr: `10.0.0.${n}:1984`,
});

function setup() {
  let now = 0;
  const reports: { type: PeerReportType; body: PeerReportBody }[] = [];
  const monitor = new HeartbeatMonitor({
    timers: { interval_ms: 1000, warn_ms: 3000, dead_ms: 10_000 },
    now: () => now,
    report: (type, body) => reports.push({ type, body }),
  });
  const rings = new RingPartners();
  const advance = (ms: number) => {
    now += ms;
  };
  return { monitor, rings, reports, advance };
}

describe("RingPartners", () => {
  it("applies only newer versions per ring, so reordered commands cannot undo newer ones", () => {
    const rings = new RingPartners();
    expect(rings.apply({ ring: "global", version: 5, partners: [peer(1), peer(2)] })).toBe(true);
    expect(rings.apply({ ring: "global", version: 4, partners: [peer(3)] })).toBe(false);
    expect(rings.apply({ ring: "global", version: 5, partners: [peer(3)] })).toBe(false);
    expect(rings.view()).toEqual({ global: { version: 5, partners: ["m1", "m2"] } });
    expect(rings.stop({ ring: "global", version: 6 })).toBe(true);
    expect(rings.apply({ ring: "global", version: 5, partners: [peer(1)] })).toBe(false);
    expect(rings.view()).toEqual({});
  });

  it("merges a peer that is a partner on two rings", () => {
    const rings = new RingPartners();
    rings.apply({ ring: "global", version: 1, partners: [peer(1), peer(2)] });
    rings.apply({ ring: "switch:s1", version: 2, partners: [peer(2), peer(3)] });
    const partners = rings.partners();
    expect([...partners.keys()].sort()).toEqual(["key1", "key2", "key3"]);
    expect([...(partners.get("key2")?.rings ?? [])].sort()).toEqual(["global", "switch:s1"]);
  });
});

describe("HeartbeatMonitor", () => {
  it("reports a silent partner dead once, after the dead time and not before", () => {
    const { monitor, rings, reports, advance } = setup();
    rings.apply({ ring: "global", version: 1, partners: [peer(1), peer(2)] });
    monitor.setPartners(rings.partners());
    for (let second = 0; second < 10; second++) {
      advance(1000);
      monitor.heard("key1", "10.0.0.1:1984");
      monitor.tick();
    }
    expect(reports).toEqual([]);
    advance(1);
    monitor.tick();
    monitor.tick();
    expect(reports.map((r) => [r.type, r.body.peer.machine_id])).toEqual([["HB_DEAD", "m2"]]);
    expect(reports[0]?.body.silent_ms).toBe(10_001);
    expect(reports[0]?.body.rings).toEqual(["global"]);
  });

  it("reports late and back, and a martian at most once per quiet period", () => {
    const { monitor, rings, reports, advance } = setup();
    rings.apply({ ring: "global", version: 1, partners: [peer(1)] });
    monitor.setPartners(rings.partners());
    advance(3500);
    monitor.heard("key1", "a");
    expect(reports.map((r) => r.type)).toEqual(["HB_LATE"]);
    advance(10_500);
    monitor.tick();
    monitor.heard("key1", "a");
    expect(reports.map((r) => r.type)).toEqual(["HB_LATE", "HB_DEAD", "HB_BACK"]);
    monitor.heard("stranger", "10.9.9.9:1984");
    advance(5000);
    monitor.heard("stranger", "10.9.9.9:1984");
    advance(5001);
    monitor.heard("stranger", "10.9.9.9:1984");
    const martians = reports.filter((r) => r.type === "HB_MARTIAN");
    expect(martians).toHaveLength(2);
    expect(martians[0]?.body.peer).toEqual({
      key: "stranger",
      machine_id: null,
      addr: "10.9.9.9:1984",
    });
  });

  it("gives a new partner a full dead time of grace and forgets removed ones", () => {
    const { monitor, rings, reports, advance } = setup();
    rings.apply({ ring: "global", version: 1, partners: [peer(1)] });
    monitor.setPartners(rings.partners());
    const steadyBeats = (seconds: number) => {
      for (let second = 0; second < seconds; second++) {
        advance(1000);
        monitor.heard("key1", "a");
        monitor.tick();
      }
    };
    steadyBeats(9);
    rings.apply({ ring: "global", version: 2, partners: [peer(1), peer(2)] });
    monitor.setPartners(rings.partners());
    steadyBeats(9);
    expect(reports).toEqual([]);
    rings.apply({ ring: "global", version: 3, partners: [peer(1)] });
    monitor.setPartners(rings.partners());
    advance(5000);
    monitor.heard("key1", "a");
    monitor.tick();
    expect(reports.map((r) => r.type)).toEqual(["HB_LATE"]);
    expect(monitor.peers().map((p) => p.machine_id)).toEqual(["m1"]);
  });
});

describe("heartbeat payload", () => {
  it("round-trips and refuses anything else", () => {
    expect(decodeHeartbeat(encodeHeartbeat(123456789n))).toBe(123456789n);
    expect(decodeHeartbeat(Buffer.from([1, 2, 3]))).toBeNull();
    const wrongType = encodeHeartbeat(1n);
    wrongType[0] = 2;
    expect(decodeHeartbeat(wrongType)).toBeNull();
  });
});
