/**
 * The lab end to end, as root: `assim lab up --no-daemons` builds a CMA, two
 * switches and three hosts in network namespaces; hosts reach each other and
 * the CMA, hear their own switch and port over LLDP and CDP (decoded by
 * `assim switch listen` inside each host), lose the CMA when their switch
 * goes down, and `assim lab down` leaves nothing behind, even after a crash
 * halfway through `lab up`. Daemons (CMA, probes) are not started here.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Neighbour } from "../probe/switch/neighbour.js";
import { assimBin, runAssim } from "../test/support/cli.js";
import { Lab, type LabStatus } from "./lab.js";
import { lldpdAvailable } from "./lldpd.js";
import { canCreateNamespaces, ip, listNamespaces, namespacePids } from "./netns.js";
import { isAlive } from "./processes.js";
import { defaultLabDir, type LabState, readState, statePath, writeState } from "./state.js";
import { labNamespacePattern } from "./topology.js";

const namespaces = canCreateNamespaces();
const lldpd = lldpdAvailable();
const ping = existsSync("/usr/bin/ping") || existsSync("/bin/ping");
const skipReason = !namespaces.ok
  ? namespaces.reason
  : !lldpd.ok
    ? lldpd.reason
    : !ping
      ? "ping (iputils-ping) is not installed"
      : "";
if (skipReason) console.warn(`lab end-to-end tests skipped: ${skipReason}`);
const title = (what: string) => (skipReason ? `${what} (skipped: ${skipReason})` : what);

/** A lab name unique to this run, short enough for `ip netns list` to stay readable. */
const labName = (tag: string) =>
  `t${tag}${process.pid.toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;

const ours = (name: string) => listNamespaces().filter((ns) => labNamespacePattern(name).test(ns));

function pings(ns: string, address: string): boolean {
  const result = spawnSync("ip", ["netns", "exec", ns, "ping", "-c", "1", "-W", "2", address], {
    encoding: "utf8",
    timeout: 10_000,
  });
  return result.status === 0;
}

/** Polls check every 200 ms for at most timeoutMs; true as soon as it holds. */
async function eventually(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(200);
  }
}

interface ListenEvent {
  event: "new" | "changed" | "gone";
  interface: string;
  neighbour: Neighbour;
}

/**
 * `assim switch listen -i eth0` inside a host until a neighbour speaking both
 * LLDP and CDP is heard (bounded), then stopped; returns that neighbour.
 */
async function hearSwitch(ns: string, timeoutMs: number): Promise<Neighbour> {
  const child: ChildProcess = spawn(
    "ip",
    ["netns", "exec", ns, process.execPath, assimBin, "switch", "listen", "-i", "eth0"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const both = () =>
    stdout
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as ListenEvent)
      .filter((e) => e.event !== "gone" && e.neighbour.protocols.join(",") === "cdp,lldp")
      .at(-1)?.neighbour;
  try {
    await eventually(() => both() !== undefined || child.exitCode !== null, timeoutMs);
  } finally {
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await closed;
    clearTimeout(timer);
  }
  const neighbour = both();
  if (!neighbour) {
    throw new Error(
      `${ns}: no switch heard over LLDP and CDP within ${timeoutMs} ms; stdout:\n${stdout}\nstderr:\n${stderr}`,
    );
  }
  return neighbour;
}

describe.skipIf(skipReason !== "")(title("assim lab: 3 hosts on 2 switches, no daemons"), () => {
  const name = labName("a");
  const dir = defaultLabDir(name);
  let lab: Lab;

  beforeAll(() => {
    const result = runAssim(
      [
        "lab",
        "up",
        "--hosts",
        "3",
        "--switches",
        "2",
        "--name",
        name,
        "--subnet",
        "10.249.0.0/24",
        "--no-daemons",
      ],
      { timeoutMs: 60_000 },
    );
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain(`lab "${name}" is up`);
    lab = Lab.open(dir);
  });

  afterAll(async () => {
    await Lab.destroy({ name });
  });

  it("creates the CMA's, the switches' and the hosts' namespaces, bridges and cables", () => {
    expect(ours(name).sort()).toEqual(
      [
        `${name}-cma`,
        `${name}-sw1`,
        `${name}-sw2`,
        `${name}-h1`,
        `${name}-h2`,
        `${name}-h3`,
      ].sort(),
    );
    const links = (ns: string) =>
      JSON.parse(ip("-n", ns, "-j", "link", "show")) as {
        ifname: string;
        master?: string;
        operstate: string;
        linkinfo?: { info_kind?: string };
      }[];
    const byName = (ns: string) => new Map(links(ns).map((l) => [l.ifname, l]));
    const core = byName(`${name}-cma`);
    expect(core.get("core")?.operstate).toBe("UP");
    expect(core.get("sw1")?.master).toBe("core");
    expect(core.get("sw2")?.master).toBe("core");
    const sw1 = byName(`${name}-sw1`);
    expect(sw1.get("br0")?.operstate).toBe("UP");
    for (const port of ["uplink", "swp1", "swp3"]) expect(sw1.get(port)?.master).toBe("br0");
    expect(sw1.has("swp2")).toBe(false);
    expect(byName(`${name}-sw2`).get("swp2")?.master).toBe("br0");
    const [h2] = JSON.parse(ip("-n", `${name}-h2`, "-j", "addr", "show", "dev", "eth0")) as {
      addr_info: { family: string; local: string; prefixlen: number }[];
    }[];
    // IPv6 is off: the only address is the lab's IPv4 one.
    expect(h2?.addr_info).toEqual([
      expect.objectContaining({ family: "inet", local: "10.249.0.12", prefixlen: 24 }),
    ]);

    const state = readState(dir) as LabState;
    expect(state.phase).toBe("up");
    expect(state.topology.hosts.map((h) => [h.name, h.address, h.switch, h.port])).toEqual([
      ["h1", "10.249.0.11", "sw1", "swp1"],
      ["h2", "10.249.0.12", "sw2", "swp2"],
      ["h3", "10.249.0.13", "sw1", "swp3"],
    ]);
    expect(state.links).toHaveLength(5);
  });

  it("lets hosts on the same switch and across switches reach each other and the CMA", () => {
    const h = (i: number) => `${name}-h${i}`;
    expect(pings(h(1), "10.249.0.13"), "h1 -> h3 (both on sw1)").toBe(true);
    expect(pings(h(1), "10.249.0.12"), "h1 -> h2 (sw1 -> sw2)").toBe(true);
    expect(pings(h(2), "10.249.0.11"), "h2 -> h1 (sw2 -> sw1)").toBe(true);
    for (let i = 1; i <= 3; i++) expect(pings(h(i), "10.249.0.1"), `h${i} -> CMA`).toBe(true);
    expect(pings(h(3), "10.249.0.201"), "h3 -> sw1's management address").toBe(true);
  });

  it("each host hears its own switch and port over LLDP and CDP, decoded by assim switch listen", async () => {
    const heard = await Promise.all(lab.hosts().map((h) => hearSwitch(h.ns, 25_000)));
    heard.forEach((neighbour, index) => {
      const host = lab.hosts()[index];
      expect(neighbour.chassis.name, host?.name).toBe(host?.switch);
      expect(neighbour.port.id, host?.name).toBe(host?.port);
      expect(neighbour.port.id_subtype).toBe("interface_name");
      const switchAddress = host?.switch === "sw1" ? "10.249.0.201" : "10.249.0.202";
      expect(neighbour.chassis.management_addresses.map((a) => a.address)).toEqual([switchAddress]);
    });
  });

  it("lab status reports the namespaces, lldpd on each switch and each host's port", () => {
    const result = runAssim(["lab", "status", "--json", "--name", name]);
    expect(result.status, result.stderr).toBe(0);
    const status = JSON.parse(result.stdout) as LabStatus;
    expect(status.namespaces.every((ns) => ns.present)).toBe(true);
    expect(status.cma.daemon).toBeNull();
    expect(status.switches.map((s) => [s.name, s.bridgeUp, s.lldpd?.alive, s.hosts])).toEqual([
      ["sw1", true, true, ["h1", "h3"]],
      ["sw2", true, true, ["h2"]],
    ]);
    expect(status.hosts.map((h) => [h.name, h.address, h.switch, h.port, h.daemon])).toEqual([
      ["h1", "10.249.0.11", "sw1", "swp1", null],
      ["h2", "10.249.0.12", "sw2", "swp2", null],
      ["h3", "10.249.0.13", "sw1", "swp3", null],
    ]);
    const text = runAssim(["lab", "status", "--name", name]);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/h3\s+10\.249\.0\.13\s+sw1\s+swp3/);
  });

  it("lab switch sw2 down cuts its host off from the CMA, and up restores it", async () => {
    const down = runAssim(["lab", "switch", "sw2", "down", "--name", name]);
    expect(down.status, down.stderr).toBe(0);
    expect(pings(`${name}-h2`, "10.249.0.1"), "h2 (sw2) -> CMA with sw2 down").toBe(false);
    expect(pings(`${name}-h1`, "10.249.0.1"), "h1 (sw1) -> CMA with sw2 down").toBe(true);
    expect(lab.status().switches[1]?.bridgeUp).toBe(false);
    const up = runAssim(["lab", "switch", "sw2", "up", "--name", name]);
    expect(up.status, up.stderr).toBe(0);
    expect(await eventually(() => pings(`${name}-h2`, "10.249.0.1"), 10_000)).toBe(true);
  });

  it("kill stops a switch's lldpd and start brings it back with the same arguments", async () => {
    const before = lab.state.daemons.sw2?.command;
    const killed = await lab.kill("sw2", "TERM");
    expect(killed.exited).toBe(true);
    expect(Lab.open(dir).status().switches[1]?.lldpd?.alive).toBe(false);
    const again = runAssim(["lab", "kill", "sw2", "--name", name]);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain("sw2 is not running");
    const started = runAssim(["lab", "start", "sw2", "--name", name]);
    expect(started.status, started.stderr).toBe(0);
    const reopened = Lab.open(dir);
    expect(reopened.state.daemons.sw2?.command).toEqual(before);
    expect(reopened.status().switches[1]?.lldpd?.alive).toBe(true);
    expect((await hearSwitch(`${name}-h2`, 25_000)).chassis.name).toBe("sw2");
  });

  it("lab exec runs a command inside a host and passes its exit code on", () => {
    const shown = runAssim([
      "lab",
      "exec",
      "h3",
      "--name",
      name,
      "--",
      "ip",
      "-4",
      "-o",
      "addr",
      "show",
      "dev",
      "eth0",
    ]);
    expect(shown.status, shown.stderr).toBe(0);
    expect(shown.stdout).toContain("inet 10.249.0.13/24");
    const failed = runAssim([
      "lab",
      "exec",
      "h1",
      "--name",
      name,
      "--",
      "ping",
      "-c",
      "1",
      "-W",
      "1",
      "10.249.0.99",
    ]);
    expect(failed.status).toBe(1);
  });

  it("refuses a second lab up of the same name, and bad arguments, clearly", () => {
    const again = runAssim(["lab", "up", "--hosts", "3", "--name", name, "--no-daemons"]);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain(`a lab named "${name}" already exists`);
    expect(again.stderr).toContain("--replace");
    const noHost = runAssim(["lab", "kill", "h9", "--name", name]);
    expect(noHost.status).toBe(2);
    expect(noHost.stderr).toContain('no host "h9"');
    const badSignal = runAssim(["lab", "kill", "h1", "--signal", "HUP", "--name", name]);
    expect(badSignal.status).toBe(2);
    expect(badSignal.stderr).toContain("--signal must be TERM or KILL");
    const badState = runAssim(["lab", "switch", "sw1", "sideways", "--name", name]);
    expect(badState.status).toBe(2);
    const noDaemon = runAssim(["lab", "start", "h1", "--name", name]);
    expect(noDaemon.status).toBe(1);
    expect(noDaemon.stderr).toContain("--no-daemons");
  });

  it("lab down removes every namespace, process and the directory; a second down succeeds", () => {
    const pids = ours(name).flatMap(namespacePids);
    expect(pids.length).toBeGreaterThan(0);
    const down = runAssim(["lab", "down", "--name", name], { timeoutMs: 60_000 });
    expect(down.status, down.stderr).toBe(0);
    expect(down.stdout).toContain(`removed lab "${name}": 6 namespace(s)`);
    expect(ours(name)).toEqual([]);
    expect(existsSync(dir)).toBe(false);
    expect(pids.filter(isAlive)).toEqual([]);
    const again = runAssim(["lab", "down", "--name", name]);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain("nothing left");
  });
});

describe.skipIf(skipReason !== "")(title("assim lab down after a crash"), () => {
  const crashed = labName("c");
  const stripped = labName("s");
  const bystander = `${crashed}x-h1`;
  let stray: ChildProcess | undefined;

  afterAll(async () => {
    stray?.kill("SIGKILL");
    await Lab.destroy({ name: crashed });
    await Lab.destroy({ name: stripped });
    spawnSync("ip", ["netns", "del", bystander]);
  });

  it("removes a lab whose lab up was killed halfway, plus namespaces made by hand, and nothing else", async () => {
    const dir = defaultLabDir(crashed);
    const up = spawn(
      process.execPath,
      [
        assimBin,
        "lab",
        "up",
        "--hosts",
        "64",
        "--switches",
        "8",
        "--name",
        crashed,
        "--no-daemons",
      ],
      { stdio: "ignore" },
    );
    const exited = new Promise<void>((resolve) => up.once("exit", () => resolve()));
    const midway = await eventually(() => {
      try {
        return (readState(dir)?.namespaces.length ?? 0) >= 20;
      } catch {
        return false; // Caught mid-rename: try again.
      }
    }, 30_000);
    up.kill("SIGKILL");
    await exited;
    expect(midway).toBe(true);
    const state = readState(dir) as LabState;
    expect(state.phase).toBe("building");
    expect(ours(crashed).length).toBeLessThan(73);

    // Leftovers the state does not know: a namespace with the prefix, a process in it.
    ip("netns", "add", `${crashed}-h99`);
    stray = spawn("ip", ["netns", "exec", `${crashed}-h99`, "sleep", "300"], { stdio: "ignore" });
    ip("netns", "add", bystander);
    expect(await eventually(() => namespacePids(`${crashed}-h99`).length === 1, 5000)).toBe(true);

    const down = runAssim(["lab", "down", "--name", crashed], { timeoutMs: 60_000 });
    expect(down.status, down.stderr).toBe(0);
    expect(ours(crashed)).toEqual([]);
    expect(existsSync(dir)).toBe(false);
    expect(
      await eventually(() => stray?.exitCode !== null || stray?.signalCode !== null, 5000),
    ).toBe(true);
    expect(listNamespaces()).toContain(bystander);
    const again = runAssim(["lab", "down", "--name", crashed]);
    expect(again.status, again.stderr).toBe(0);
  });

  it("removes a lab whose state lost its namespaces and pids, by name prefix", async () => {
    const lab = await Lab.up({ name: stripped, hosts: 2, switches: 1, daemons: false });
    const lldpdPids = ours(stripped).flatMap(namespacePids);
    expect(lldpdPids.length).toBeGreaterThan(0);
    writeState({ ...lab.state, namespaces: [], links: [], daemons: {} });
    expect(JSON.parse(readFileSync(statePath(lab.dir), "utf8")).namespaces).toEqual([]);
    const report = await Lab.destroy({ name: stripped });
    expect(report.namespaces.sort()).toEqual(
      [`${stripped}-cma`, `${stripped}-sw1`, `${stripped}-h1`, `${stripped}-h2`].sort(),
    );
    expect(report.survivors).toEqual([]);
    expect(lldpdPids.filter(isAlive)).toEqual([]);
    expect(ours(stripped)).toEqual([]);
    expect(existsSync(join(lab.dir))).toBe(false);
  });
});

/** Whether this build has the daemons (`assim cma --help` would print the program's help). */
function hasDaemons(): boolean {
  const commands = runAssim(["--help"]).stdout;
  return /^\s+cma\b/m.test(commands) && /^\s+probe\b/m.test(commands);
}
const daemonsReason =
  skipReason ||
  (hasDaemons() ? "" : "this build has no `assim cma` and `assim probe` commands yet");
if (daemonsReason && !skipReason) console.warn(`lab daemon tests skipped: ${daemonsReason}`);

describe.skipIf(daemonsReason !== "")(
  daemonsReason
    ? `assim lab with its CMA and probes (skipped: ${daemonsReason})`
    : "assim lab with its CMA and probes",
  () => {
    const name = labName("d");
    let lab: Lab;
    const cmaSays = (host: string) => lab.status().hosts.find((h) => h.name === host)?.cmaState;

    beforeAll(async () => {
      lab = await Lab.up({
        name,
        hosts: 3,
        switches: 2,
        intervalMs: 500,
        warnMs: 1500,
        deadMs: 4000,
        discoveryTypes: "switch",
      });
    }, 90_000);

    afterAll(async () => {
      await Lab.destroy({ name });
    }, 60_000);

    it("starts the CMA, then a probe per host; the CMA sees every host up", async () => {
      expect(existsSync(join(lab.dir, "cma", "keys", "cma.pub"))).toBe(true);
      const status = lab.status();
      expect(status.cma.daemon?.alive).toBe(true);
      for (const host of status.hosts) expect(host.daemon?.alive, host.name).toBe(true);
      const allUp = () => lab.status().hosts.every((h) => h.cmaState === "up");
      expect(await eventually(allUp, 30_000), JSON.stringify(lab.cmaStatus())).toBe(true);
      // Each probe writes its status file once a second.
      for (const host of lab.hosts()) {
        const written = () => existsSync(join(lab.dir, host.name, "probe-status.json"));
        expect(await eventually(written, 5_000), host.name).toBe(true);
      }
    });

    it("a probe killed with SIGKILL is marked down by the CMA; lab start brings it back up", async () => {
      const killed = runAssim(["lab", "kill", "h3", "--signal", "KILL", "--name", name]);
      expect(killed.status, killed.stderr).toBe(0);
      expect(await eventually(() => cmaSays("h3") === "down", 30_000)).toBe(true);
      expect(cmaSays("h1")).toBe("up");
      const started = runAssim(["lab", "start", "h3", "--name", name]);
      expect(started.status, started.stderr).toBe(0);
      expect(await eventually(() => cmaSays("h3") === "up", 30_000)).toBe(true);
    }, 90_000);

    it("lab down stops the CMA and every probe", async () => {
      const pids = Object.values(Lab.open(lab.dir).state.daemons).map((d) => d.pid as number);
      const report = await Lab.destroy({ name });
      expect(report.survivors).toEqual([]);
      expect(pids.filter(isAlive)).toEqual([]);
      expect(ours(name)).toEqual([]);
    }, 60_000);
  },
);

it.runIf(process.env.CI === "true" && skipReason !== "")(
  "CI runs the lab end-to-end tests (they must not skip there)",
  () => {
    expect.fail(`the lab end-to-end tests would skip under CI=true: ${skipReason}`);
  },
);
