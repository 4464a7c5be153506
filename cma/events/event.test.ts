import { describe, expect, it } from "vitest";
import type { CmaEventType } from "../server/ports.js";
import { severityOf, toCmaEvent } from "./event.js";

describe("toCmaEvent", () => {
  it("stamps an id and the time, and keeps the given fields", () => {
    const now = new Date("2025-03-04T05:06:07.089Z");
    const event = toCmaEvent(
      {
        type: "switch_down",
        system: "switch:s1",
        switch: "s1",
        reason: "every member silent",
        details: { hosts: ["h1", "h2"] },
      },
      now,
    );
    expect(event).toEqual({
      id: expect.stringMatching(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      ),
      time: "2025-03-04T05:06:07.089Z",
      type: "switch_down",
      severity: "critical",
      system: "switch:s1",
      switch: "s1",
      reason: "every member silent",
      details: { hosts: ["h1", "h2"] },
    });
  });

  it("leaves absent optional fields out of the record", () => {
    const event = toCmaEvent({ type: "host_up", system: "h1", reason: "joined" });
    expect(Object.keys(event).sort()).toEqual([
      "id",
      "reason",
      "severity",
      "system",
      "time",
      "type",
    ]);
    expect(JSON.parse(JSON.stringify(event))).toEqual(event);
  });

  it("gives every event its own id", () => {
    const ids = new Set(
      Array.from(
        { length: 100 },
        () => toCmaEvent({ type: "host_up", system: "h", reason: "r" }).id,
      ),
    );
    expect(ids.size).toBe(100);
  });
});

describe("severity", () => {
  it("takes the severity an event names over its type's", () => {
    const input = { type: "service_state" as const, system: "h", reason: "r" };
    expect(toCmaEvent(input).severity).toBe("info");
    expect(toCmaEvent({ ...input, severity: "critical" }).severity).toBe("critical");
  });
});

describe("severityOf", () => {
  it("is critical for outages, warning for lateness and info otherwise", () => {
    const severities: Record<CmaEventType, string> = {
      host_down: "critical",
      switch_down: "critical",
      host_late: "warning",
      host_up: "info",
      host_back: "info",
      host_shutdown: "info",
      switch_up: "info",
      service_state: "info",
    };
    for (const [type, severity] of Object.entries(severities)) {
      expect(severityOf(type as CmaEventType), type).toBe(severity);
    }
  });
});
