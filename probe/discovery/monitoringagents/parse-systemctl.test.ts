import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseLoadedUnits, parseUnitFiles, unitType } from "./parse-systemctl.js";

const fixture = (name: string) => readFileSync(join(import.meta.dirname, "fixtures", name), "utf8");

describe("unitType", () => {
  it.each([
    ["ssh.service", "service"],
    ["getty@.service", "service"],
    ["apt-daily.timer", "timer"],
    ["-.slice", "slice"],
    ["dev-disk-by\\x2duuid-1234.device", "device"],
    ["ssh", undefined],
    ["foo.bar", undefined],
    ["evil name.service", undefined],
  ])("%s → %s", (name, type) => expect(unitType(name)).toBe(type));
});

describe("parseUnitFiles", () => {
  it("reads systemctl's JSON (this machine, systemd 252)", () => {
    const { units, errors } = parseUnitFiles(
      fixture("systemctl-list-unit-files.debian12.json"),
      "s",
    );
    expect(errors).toEqual([]);
    expect(units.size).toBe(216);
    expect(units.get("apt-daily-upgrade.timer")).toEqual({ state: "enabled", preset: "enabled" });
    expect(units.get("dev-hugepages.mount")).toEqual({ state: "static" });
    const states = new Map<string, number>();
    for (const unit of units.values()) states.set(unit.state, (states.get(unit.state) ?? 0) + 1);
    expect(Object.fromEntries(states)).toEqual({
      static: 156,
      disabled: 24,
      alias: 17,
      enabled: 13,
      masked: 6,
    });
  });

  it("reads the plain table of older systemd to the same result", () => {
    const json = parseUnitFiles(fixture("systemctl-list-unit-files.debian12.json"), "s");
    const plain = parseUnitFiles(fixture("systemctl-list-unit-files.debian12.txt"), "s");
    expect(plain.errors).toEqual([]);
    expect(plain.units).toEqual(json.units);
  });

  it("skips a legend and reports bad rows", () => {
    const text = [
      "UNIT FILE                 STATE   VENDOR PRESET",
      "ssh.service               enabled enabled",
      "not-a-unit                enabled enabled",
      "cron.service              ENABLED -",
      "",
      "3 unit files listed.",
    ].join("\n");
    const { units, errors } = parseUnitFiles(text, "systemctl list-unit-files");
    expect([...units.keys()]).toEqual(["ssh.service"]);
    expect(errors).toEqual([
      { where: "systemctl list-unit-files:3", message: 'not a unit name: "not-a-unit"' },
      { where: "systemctl list-unit-files:4", message: "cron.service: bad state" },
    ]);
  });

  it("reports JSON rows that are not unit objects", () => {
    const { units, errors } = parseUnitFiles(
      '[{"unit_file":"a.service","state":"enabled"}, 5]',
      "s",
    );
    expect([...units.keys()]).toEqual(["a.service"]);
    expect(errors).toEqual([{ where: "s:2", message: 'not a unit name: "undefined"' }]);
  });
});

describe("parseLoadedUnits", () => {
  const expected = [
    ["cron.service", { load: "loaded", active: "active", sub: "running" }],
    ["dbus.service", { load: "loaded", active: "active", sub: "running" }],
    ["nginx.service", { load: "loaded", active: "failed", sub: "failed" }],
    ["postgresql.service", { load: "loaded", active: "active", sub: "exited" }],
    ["ssh.service", { load: "loaded", active: "active", sub: "running" }],
    ["systemd-journald.service", { load: "loaded", active: "active", sub: "running" }],
    [
      "run-docker-runtime\\x2drunc-moby-0123.service",
      { load: "loaded", active: "inactive", sub: "dead" },
    ],
  ];

  it("reads JSON rows, leaving out units whose file was not found", () => {
    const { units, errors } = parseLoadedUnits(fixture("systemctl-list-units.json"), "s");
    expect(errors).toEqual([]);
    expect([...units]).toEqual(expected);
  });

  it("reads the plain table, failed-unit bullets included, to the same result", () => {
    const { units, errors } = parseLoadedUnits(fixture("systemctl-list-units.txt"), "s");
    expect(errors).toEqual([]);
    expect([...units]).toEqual(expected);
  });

  it("lists 20 bad rows of junk, then counts the rest", () => {
    const { units, errors } = parseLoadedUnits("\u0000junk\n".repeat(30), "s");
    expect(units.size).toBe(0);
    expect(errors).toHaveLength(21);
    expect(errors[20]).toEqual({
      where: "s",
      message: "10 more malformed lines not listed (30 in all)",
    });
  });
});
