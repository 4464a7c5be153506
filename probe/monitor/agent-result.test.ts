import { describe, expect, it } from "vitest";
import {
  lsbStatusResult,
  nagiosResult,
  ocfResult,
  parsePerfData,
  systemdResult,
} from "./agent-result.js";

describe("OCF codes", () => {
  it.each([
    [0, "OCF_SUCCESS", "ok"],
    [1, "OCF_ERR_GENERIC", "critical"],
    [2, "OCF_ERR_ARGS", "critical"],
    [3, "OCF_ERR_UNIMPLEMENTED", "critical"],
    [4, "OCF_ERR_PERM", "critical"],
    [5, "OCF_ERR_INSTALLED", "critical"],
    [6, "OCF_ERR_CONFIGURED", "critical"],
    [7, "OCF_NOT_RUNNING", "stopped"],
    [8, "OCF_RUNNING_PROMOTED", "ok"],
    [9, "OCF_FAILED_PROMOTED", "critical"],
    [42, "OCF_UNKNOWN", "unknown"],
  ])("monitor exit %i is %s (%s)", (code, name, state) => {
    const r = ocfResult("monitor", code, "first\nsecond");
    expect(r.codeName).toBe(name);
    expect(r.state).toBe(state);
    expect(r.code).toBe(code);
    expect(r.reason).toContain(name);
    expect(r.reason).toContain("first");
    expect(r.reason).not.toContain("second");
  });

  it("a successful stop leaves the resource stopped", () => {
    expect(ocfResult("stop", 0).state).toBe("stopped");
    expect(ocfResult("start", 0).state).toBe("ok");
  });
});

describe("LSB status codes", () => {
  it.each([
    [0, "LSB_RUNNING", "ok"],
    [1, "LSB_DEAD_PIDFILE", "critical"],
    [2, "LSB_DEAD_LOCKFILE", "critical"],
    [3, "LSB_NOT_RUNNING", "stopped"],
    [4, "LSB_UNKNOWN", "unknown"],
    [150, "LSB_UNKNOWN", "unknown"],
  ])("status exit %i is %s (%s)", (code, name, state) => {
    const r = lsbStatusResult(code);
    expect(r.codeName).toBe(name);
    expect(r.state).toBe(state);
  });
  it("keeps the pid-file meaning distinct from the lock-file one", () => {
    expect(lsbStatusResult(1).meaning).toMatch(/pid file/);
    expect(lsbStatusResult(2).meaning).toMatch(/lock file/);
  });
});

describe("Nagios results", () => {
  it.each([
    [0, "OK", "ok"],
    [1, "WARNING", "warning"],
    [2, "CRITICAL", "critical"],
    [3, "UNKNOWN", "unknown"],
    [4, "UNKNOWN", "unknown"],
    [-1, "UNKNOWN", "unknown"],
  ])("exit %i is %s", (code, status, state) => {
    const r = nagiosResult(code, "TEXT here | x=1\nlong output");
    expect(r.status).toBe(status);
    expect(r.state).toBe(state);
    expect(r.text).toBe("TEXT here");
  });

  it("parses perfdata with units, thresholds and quoted labels", () => {
    const p = parsePerfData(
      "time=0.000123s;1.0;2.0;0.0;10.0 'disk /var'=45%;80;90 'it''s'=3 size=12KB;;;0 bad=U",
    );
    expect(p).toEqual([
      { label: "time", value: 0.000123, uom: "s", warn: "1.0", crit: "2.0", min: 0, max: 10 },
      { label: "disk /var", value: 45, uom: "%", warn: "80", crit: "90", min: null, max: null },
      { label: "it's", value: 3, uom: "", warn: null, crit: null, min: null, max: null },
      { label: "size", value: 12, uom: "KB", warn: null, crit: null, min: 0, max: null },
      { label: "bad", value: null, uom: "", warn: null, crit: null, min: null, max: null },
    ]);
  });

  it("takes perfdata from long output lines too", () => {
    const r = nagiosResult(0, "OK | a=1\nmore text | b=2c");
    expect(r.perfdata.map((d) => [d.label, d.value, d.uom])).toEqual([
      ["a", 1, ""],
      ["b", 2, "c"],
    ]);
  });
});

describe("systemd results", () => {
  it.each([
    ["active", "running", "loaded", "ok"],
    ["inactive", "dead", "loaded", "stopped"],
    ["failed", "failed", "loaded", "critical"],
    ["activating", "start", "loaded", "warning"],
    ["inactive", "dead", "not-found", "unknown"],
  ])("%s/%s (%s) is %s", (active, sub, load, state) => {
    const r = systemdResult(`ActiveState=${active}\nSubState=${sub}\nLoadState=${load}\n`);
    expect(r.activeState).toBe(active);
    expect(r.subState).toBe(sub);
    expect(r.loadState).toBe(load);
    expect(r.state).toBe(state);
    expect(r.code).toBe(`${active}/${sub}`);
  });
});
