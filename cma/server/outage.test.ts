import { describe, expect, it } from "vitest";
import { OutageJudge } from "./outage.js";
import type { CmaEventInput } from "./ports.js";

function judge() {
  const events: CmaEventInput[] = [];
  const outages = new OutageJudge(10_000, (event) => events.push(event));
  const death = (member: string) => ({ member, hostname: member, reason: "silent" });
  return { outages, events, death };
}

describe("OutageJudge", () => {
  it("makes one switch_down of every member dying together, then one switch_up", () => {
    const { outages, events, death } = judge();
    const members = ["h1", "h2", "h3"];
    outages.died(death("h1"), "switch:s1", members, 0);
    outages.died(death("h2"), "switch:s1", members, 100);
    expect(events).toEqual([]);
    outages.died(death("h3"), "switch:s1", members, 200);
    expect(events.map((e) => [e.type, e.system])).toEqual([["switch_down", "switch:s1"]]);
    expect(events[0]?.details).toEqual({ hosts: ["h1", "h2", "h3"] });
    outages.back("h1", "switch:s1");
    outages.back("h2", "switch:s1");
    expect(events.map((e) => e.type)).toEqual(["switch_down", "switch_up"]);
  });

  it("reports a host_down as soon as the other members are found alive", () => {
    const { outages, events, death } = judge();
    outages.died(death("h1"), "switch:s1", ["h1", "h2", "h3"], 0);
    outages.alive("h2", "switch:s1");
    expect(events).toEqual([]);
    outages.alive("h3", "switch:s1");
    expect(events.map((e) => [e.type, e.system])).toEqual([["host_down", "h1"]]);
  });

  it("reports partial losses as host deaths when the window closes", () => {
    const { outages, events, death } = judge();
    const members = ["h1", "h2", "h3"];
    outages.died(death("h1"), "switch:s1", members, 0);
    outages.died(death("h2"), "switch:s1", members, 10);
    outages.tick(9_999);
    expect(events).toEqual([]);
    outages.tick(10_000);
    expect(events.map((e) => [e.type, e.system]).sort()).toEqual([
      ["host_down", "h1"],
      ["host_down", "h2"],
    ]);
    expect(outages.isSwitchDown("switch:s1")).toBe(false);
  });

  it("reports at once a host on no switch ring, and a lone member of a switch ring as a host", () => {
    const { outages, events, death } = judge();
    outages.died(death("h9"), null, [], 0);
    outages.died(death("h1"), "switch:s2", ["h1"], 0);
    expect(events.map((e) => [e.type, e.system])).toEqual([
      ["host_down", "h9"],
      ["host_down", "h1"],
    ]);
  });
});
