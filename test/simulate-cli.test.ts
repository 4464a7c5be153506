import { describe, expect, it } from "vitest";
import { runAssim } from "./support/cli.js";

describe("assim simulate", () => {
  it("--help prints usage and exits 0", () => {
    const result = runAssim(["simulate", "--help"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: assim simulate/);
  });

  it.each([
    [["--systems", "3"], /--systems must be a whole number from 4/],
    [["--systems", "lots"], /--systems must be a whole number/],
    [["--systems", "10", "--store", "oracle"], /--store must be embedded or neo4j/],
    [["--systems", "10", "--deaths", "-1"], /--deaths must be a whole number/],
    [["--systems", "10", "--transport", "carrier-pigeon"], /--transport must be udp or memory/],
    [["--systems", "10001", "--transport", "udp"], /--transport udp takes at most 10000/],
    [["--systems", "10", "--hosts-per-switch", "x"], /--hosts-per-switch must be a whole number/],
  ])("refuses %j with a usage error naming the option", (args, message) => {
    const result = runAssim(["simulate", ...args]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it("prints the figures of a run as JSON, with every probe's partners matching the rings", () => {
    const result = runAssim(["simulate", "--systems", "500", "--deaths", "7", "--json"], {
      timeoutMs: 170_000,
    });
    // Up to 10,000 systems the default transport is real UDP with real crypto on loopback.
    expect(result.status, result.stderr).toBe(0);
    const figures = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(figures).toMatchObject({
      store: "embedded",
      transport: "udp",
      systems: 500,
      switches: 13,
      deaths: 7,
      rings_consistent: true,
      events: { host_up: 500, host_down: 7 },
    });
    expect(figures.registrations_per_second).toBeGreaterThan(0);
    expect(figures.ring_messages_per_join).toBeLessThanOrEqual(6);
    expect(figures.ring_messages_per_leave).toBeLessThanOrEqual(4);
    expect(figures.ring_messages_per_switch_join).toBeLessThanOrEqual(3);
    expect(figures.partners_max).toBeLessThanOrEqual(4);
    expect(result.stderr).toMatch(/register: 500\/500/);
  }, 180_000);

  it("runs in memory beyond what UDP sockets allow, or when asked", () => {
    const result = runAssim([
      "simulate",
      ...["--systems", "300", "--transport", "memory", "--hosts-per-switch", "0", "--json"],
    ]);
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      transport: "memory",
      switches: 0,
      ring_messages_per_switch_join: 0,
      rings_consistent: true,
    });
  });
});
