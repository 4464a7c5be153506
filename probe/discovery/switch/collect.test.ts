import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { CollectContext } from "../agent.js";
import { discover } from "../discover.js";
import { collectSwitch } from "./collect.js";
import { summarizeSwitch, switchAgent } from "./index.js";
import { DEFAULT_SECONDS, switchOptionsFrom } from "./options.js";
import type { SwitchData } from "./types.js";

const scratch = mkdtempSync(join(tmpdir(), "assim-switch-collect-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function contextWithSys(sysRoot: string): CollectContext {
  return {
    hostname: "collect-test",
    procRoot: join(scratch, "no-proc"),
    sysRoot,
    fsRoot: join(scratch, "no-root"),
    run: () => Promise.reject(new Error("the switch agent runs no commands")),
  };
}

describe("switchOptionsFrom", () => {
  it("defaults to one LLDP interval and the automatic interface choice", () => {
    expect(switchOptionsFrom({})).toEqual({ seconds: DEFAULT_SECONDS });
    expect(DEFAULT_SECONDS).toBeGreaterThan(30);
  });

  it("reads the window and a comma-separated interface list, once each", () => {
    expect(
      switchOptionsFrom({
        ASSIM_SWITCH_SECONDS: " 2.5 ",
        ASSIM_SWITCH_INTERFACES: "eth0, eth1,,eth0",
      }),
    ).toEqual({ seconds: 2.5, interfaces: ["eth0", "eth1"] });
  });

  it.each([
    [
      { ASSIM_SWITCH_SECONDS: "0" },
      'ASSIM_SWITCH_SECONDS must be a number of seconds > 0 and <= 3600, got "0"',
    ],
    [{ ASSIM_SWITCH_SECONDS: "1e9" }, "ASSIM_SWITCH_SECONDS must be"],
    [{ ASSIM_SWITCH_SECONDS: "half a minute" }, "ASSIM_SWITCH_SECONDS must be"],
    [
      { ASSIM_SWITCH_INTERFACES: "eth0,../../etc" },
      'ASSIM_SWITCH_INTERFACES: "../../etc" contains',
    ],
  ])("rejects %j naming the variable", (env, message) => {
    expect(() => switchOptionsFrom(env)).toThrow(message);
  });
});

describe("collectSwitch", () => {
  it("returns at once, saying why, when no interface qualifies", async () => {
    const sys = join(scratch, "sys-virtual-only");
    for (const [name, flags, type] of [
      ["lo", "0x9", "772"],
      ["veth0", "0x1003", "1"],
    ]) {
      mkdirSync(join(sys, "class", "net", name as string), { recursive: true });
      writeFileSync(join(sys, "class", "net", name as string, "flags"), flags as string);
      writeFileSync(join(sys, "class", "net", name as string, "type"), type as string);
    }
    const collected = await collectSwitch(contextWithSys(sys), { seconds: 600 });
    expect(collected.data).toEqual({
      interfaces: {},
      capture: {
        seconds: 0,
        interfaces: {},
        skipped: { lo: "loopback", veth0: "virtual device" },
        permission_denied: false,
      },
    });
    expect(collected.errors).toEqual([
      {
        where: join(sys, "class", "net"),
        message:
          "no up, physical Ethernet interface to listen on; name interfaces in ASSIM_SWITCH_INTERFACES",
      },
    ]);
  });

  it("reports an interface that cannot be opened, in the document and in errors, without waiting", async () => {
    const context = contextWithSys(join(scratch, "unused"));
    const collected = await collectSwitch(context, { seconds: 600, interfaces: ["assimnone0"] });
    const capture = collected.data.capture.interfaces.assimnone0;
    expect(collected.data.capture.seconds).toBe(0);
    expect(collected.data.interfaces).toEqual({});
    expect(capture?.state).toBe("failed");
    if (process.getuid?.() === 0) {
      expect(capture).toMatchObject({ failure: "no_such_device", error: "No such device exists" });
      expect(collected.errors).toEqual([
        {
          where: "capture on assimnone0",
          message: "cannot listen on assimnone0: No such device exists",
        },
      ]);
    } else {
      expect(capture?.failure).toBe("permission");
      expect(collected.data.capture.permission_denied).toBe(true);
      expect(collected.errors.map((e) => e.where)).toEqual(["capture"]);
    }
  });

  it("makes a valid document through the agent, with the environment's options", async () => {
    const saved = process.env.ASSIM_SWITCH_INTERFACES;
    process.env.ASSIM_SWITCH_INTERFACES = "assimnone1";
    try {
      const document = await discover(switchAgent, contextWithSys(join(scratch, "unused")));
      expect(document.discovertype).toBe("switch");
      expect(Object.keys(document.data.capture.interfaces)).toEqual(["assimnone1"]);
    } finally {
      if (saved === undefined) delete process.env.ASSIM_SWITCH_INTERFACES;
      else process.env.ASSIM_SWITCH_INTERFACES = saved;
    }
  });
});

describe("summarizeSwitch", () => {
  const base: SwitchData = {
    interfaces: {},
    capture: { seconds: 32, interfaces: {}, skipped: {}, permission_denied: false },
  };

  it("counts neighbours and interfaces", () => {
    const neighbour = { protocols: ["lldp"] } as never;
    const data = {
      ...base,
      interfaces: { eth0: { neighbours: [neighbour] }, eth1: { neighbours: [] } },
    };
    expect(summarizeSwitch(data)).toBe("1 switch neighbour on 2 interfaces in 32 s");
  });

  it("says when capture was not permitted", () => {
    const data = { ...base, capture: { ...base.capture, permission_denied: true } };
    expect(summarizeSwitch(data)).toBe("capture not permitted (needs CAP_NET_RAW)");
  });
});
