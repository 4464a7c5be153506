import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { chooseInterfaces, invalidInterfaceName } from "./interfaces.js";

const scratch = mkdtempSync(join(tmpdir(), "assim-switch-ifaces-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface FakeInterface {
  flags: string;
  type?: string;
  /** Extra entries of the interface's sysfs directory: device, wireless, brport, ... */
  entries?: string[];
}

/** A /sys with class/net/NAME/{flags,type,...} as the kernel lays it out. */
function fakeSys(name: string, interfaces: Record<string, FakeInterface>): string {
  const root = join(scratch, name);
  for (const [ifname, spec] of Object.entries(interfaces)) {
    const dir = join(root, "class", "net", ifname);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "flags"), `${spec.flags}\n`);
    writeFileSync(join(dir, "type"), `${spec.type ?? "1"}\n`);
    for (const entry of spec.entries ?? []) mkdirSync(join(dir, entry));
  }
  return root;
}

describe("chooseInterfaces", () => {
  it("listens on up physical Ethernet ports, bridge and bond ports included, and says why not elsewhere", () => {
    const sys = fakeSys("host", {
      lo: { flags: "0x9", type: "772" },
      eno1: { flags: "0x1003", entries: ["device", "brport"] },
      eno2: { flags: "0x1803", entries: ["device", "bonding_slave"] },
      eno3: { flags: "0x1002", entries: ["device"] },
      br0: { flags: "0x1003", entries: ["bridge"] },
      bond0: { flags: "0x1403", entries: ["bonding"] },
      veth1a2b: { flags: "0x1003" },
      wlp2s0: { flags: "0x1003", entries: ["device", "wireless", "phy80211"] },
      ib0: { flags: "0x1003", type: "32", entries: ["device"] },
      enp5s0: { flags: "0x1003", entries: ["device"] },
    });
    expect(chooseInterfaces(sys)).toEqual({
      chosen: ["eno1", "eno2", "enp5s0"],
      skipped: {
        bond0: "virtual device",
        br0: "virtual device",
        eno3: "down",
        ib0: "not Ethernet (link type 32)",
        lo: "loopback",
        veth1a2b: "virtual device",
        wlp2s0: "wireless",
      },
    });
  });

  it("names an interface whose flags cannot be read, and a /sys without class/net", () => {
    const sys = fakeSys("odd", { eth0: { flags: "garbage", entries: ["device"] } });
    expect(chooseInterfaces(sys).skipped).toEqual({ eth0: "unreadable flags or type" });
    const missing = join(scratch, "nothing");
    expect(chooseInterfaces(missing)).toEqual({
      chosen: [],
      skipped: { [join(missing, "class", "net")]: "cannot list interfaces: ENOENT" },
    });
  });

  it("on this machine never chooses loopback and chooses only what it can explain", () => {
    const choice = chooseInterfaces("/sys");
    expect(choice.chosen).not.toContain("lo");
    if ("lo" in choice.skipped) expect(choice.skipped.lo).toBe("loopback");
    for (const name of choice.chosen) expect(choice.skipped[name]).toBeUndefined();
  });
});

describe("invalidInterfaceName", () => {
  it.each(["eth0", "enp0s31f6", "bond0.100", "v-a_b@c", "a".repeat(15)])("accepts %j", (name) => {
    expect(invalidInterfaceName(name)).toBeUndefined();
  });

  it.each([
    ["", "is empty"],
    ["a".repeat(16), "is longer than 15 bytes"],
    ["éééééééé", "is longer than 15 bytes"],
    ["..", "is not an interface name"],
    ["eth0/x", "contains '/', ':', white space or a control character"],
    ["eth0:1", "contains '/', ':', white space or a control character"],
    ["eth 0", "contains '/', ':', white space or a control character"],
    ["eth\n0", "contains '/', ':', white space or a control character"],
  ])("rejects %j: %s", (name, problem) => {
    expect(invalidInterfaceName(name)).toBe(problem);
  });
});
