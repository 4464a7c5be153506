import { describe, expect, it } from "vitest";
import {
  checkMachineId,
  fqdnFromHosts,
  zoneFromLocaltimeLink,
  zoneFromTimezoneFile,
} from "./identity.js";

describe("checkMachineId", () => {
  it("accepts 32 lowercase hex digits with or without the newline", () => {
    expect(checkMachineId("3d1219c7c4c5404aaa1f6d2a48adfda4\n")).toEqual({
      ok: true,
      id: "3d1219c7c4c5404aaa1f6d2a48adfda4",
    });
    expect(checkMachineId("3d1219c7c4c5404aaa1f6d2a48adfda4").ok).toBe(true);
  });

  it.each([
    ["", "empty"],
    ["\n", "empty"],
    ["uninitialized\n", "uninitialized (first boot)"],
    ["3D1219C7C4C5404AAA1F6D2A48ADFDA4\n", "not 32 lowercase hex digits"],
    ["3d1219c7c4c5404aaa1f6d2a48adfda\n", "not 32 lowercase hex digits"],
    ["3d1219c7-c4c5-404a-aa1f-6d2a48adfda4\n", "not 32 lowercase hex digits"],
    ["3d1219c7c4c5404aaa1f6d2a48adfda4\n\n", "not 32 lowercase hex digits"],
  ])("refuses %j (%s)", (text, problem) => {
    expect(checkMachineId(text)).toEqual({ ok: false, problem });
  });
});

describe("fqdnFromHosts", () => {
  const hosts = [
    "127.0.0.1 localhost",
    "# 10.0.0.9 web1.commented.example web1",
    "10.0.0.5 web1.example.com web1 # main",
    "10.0.0.6 web1.other.example",
  ].join("\n");

  it("takes the first <hostname>.<domain> name in /etc/hosts, skipping comments", () => {
    expect(fqdnFromHosts("web1", hosts)).toBe("web1.example.com");
  });

  it("keeps a hostname that already has a dot, without its trailing dot", () => {
    expect(fqdnFromHosts("db1.corp.example.", undefined)).toBe("db1.corp.example");
  });

  it("finds nothing when only the short name is listed or the file is absent", () => {
    expect(fqdnFromHosts("vm", "127.0.0.1 localhost\n127.0.0.1 vm\n")).toBeUndefined();
    expect(fqdnFromHosts("vm", undefined)).toBeUndefined();
  });

  it("does not take a longer name that merely starts with the hostname", () => {
    expect(fqdnFromHosts("web", "10.0.0.5 web1.example.com web1\n")).toBeUndefined();
  });

  it("refuses names that are not host names", () => {
    expect(fqdnFromHosts("web", "10.0.0.5 web.exa_mple.com\n")).toBeUndefined();
    expect(fqdnFromHosts("bad name.x", undefined)).toBeUndefined();
  });
});

describe("time zone", () => {
  it("reads /etc/timezone's first line", () => {
    expect(zoneFromTimezoneFile("Europe/Paris\n")).toBe("Europe/Paris");
    expect(zoneFromTimezoneFile("Etc/GMT+5\nextra")).toBe("Etc/GMT+5");
    expect(zoneFromTimezoneFile("../../etc/passwd\n")).toBeUndefined();
    expect(zoneFromTimezoneFile("")).toBeUndefined();
  });

  it("reads the zone from the /etc/localtime link target", () => {
    expect(zoneFromLocaltimeLink("/usr/share/zoneinfo/Etc/UTC")).toBe("Etc/UTC");
    expect(zoneFromLocaltimeLink("../usr/share/zoneinfo/America/New_York")).toBe(
      "America/New_York",
    );
    expect(zoneFromLocaltimeLink("/usr/share/zoneinfo/posix/Asia/Tokyo")).toBe("Asia/Tokyo");
    expect(zoneFromLocaltimeLink("/etc/some-file")).toBeUndefined();
  });
});
