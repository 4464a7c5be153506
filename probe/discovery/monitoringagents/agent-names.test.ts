import { describe, expect, it } from "vitest";
import { judgeName, quoteName } from "./agent-names.js";

describe("judgeName", () => {
  it.each([
    ["IPaddr2", "ocf", "agent"],
    ["LVM-activate", "ocf", "agent"],
    [".ocf-shellfuncs", "ocf", "ignored"],
    ["ssh", "lsb", "agent"],
    ["hwclock.sh", "lsb", "agent"],
    ["README", "lsb", "ignored"],
    ["skeleton", "lsb", "ignored"],
    ["rc", "lsb", "ignored"],
    ["rcS", "lsb", "ignored"],
    ["nginx.dpkg-old", "lsb", "ignored"],
    ["nginx.dpkg-dist", "lsb", "ignored"],
    ["httpd.rpmsave", "lsb", "ignored"],
    ["ssh~", "lsb", "ignored"],
    ["README", "nagios", "agent"],
    ["check_http", "nagios", "agent"],
    ["utils.sh", "nagios", "ignored"],
    ["check_disk_smb", "nagios", "agent"],
    ["bad name", "nagios", "unusual"],
    ["evil\nname", "lsb", "unusual"],
    ["-rf", "lsb", "unusual"],
    ["x".repeat(200), "ocf", "unusual"],
  ] as const)("%j as %s is %s", (name, kind, verdict) => {
    expect(judgeName(name, kind)).toBe(verdict);
  });
});

describe("quoteName", () => {
  it("quotes control characters and bounds the length", () => {
    expect(quoteName("evil\nname")).toBe('"evil\\nname"');
    expect(quoteName("y".repeat(300))).toHaveLength(83);
  });
});
