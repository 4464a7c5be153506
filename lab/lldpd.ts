/**
 * Debian's lldpd for tests and the lab: always started inside a network
 * namespace the caller created (`ip netns exec`), in the foreground, with its
 * own control socket, pid file and configuration under a private directory,
 * so it never meets a host lldpd, never reads /etc/lldpd.conf and never
 * speaks on a host interface. Every wait is bounded; stop() (and process
 * exit, as a last resort) ends it.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Namespace } from "./netns.js";

export const LLDPD = "/usr/sbin/lldpd";
export const LLDPCLI = "/usr/sbin/lldpcli";

export function lldpdAvailable(): { ok: boolean; reason: string } {
  for (const program of [LLDPD, LLDPCLI]) {
    if (!existsSync(program)) return { ok: false, reason: `${program} is not installed (lldpd)` };
  }
  return { ok: true, reason: "" };
}

export interface LldpdOptions {
  ns: Pick<Namespace, "name">;
  /** The only interfaces it uses (-I: a name, or several separated by commas). */
  iface: string;
  /** A private directory for its socket, pid file, configuration and log. */
  dir: string;
  /** Names the files inside dir, so two daemons can share it. */
  name: string;
  /** lldpcli commands applied at start-up, before the first frame is sent (-O). */
  config?: string[];
  /** More lldpd flags (-r, -ccccc, -m ADDRESS, ...). */
  flags?: string[];
}

/**
 * Writes the -O configuration file and returns the `ip netns exec ... lldpd`
 * argument list (for `spawn("ip", args)`) and its control socket's path.
 */
export function prepareLldpd(options: LldpdOptions): { args: string[]; socket: string } {
  const base = join(options.dir, options.name);
  const socket = `${base}.socket`;
  const configFile = `${base}.conf`;
  writeFileSync(configFile, `${(options.config ?? []).join("\n")}\n`);
  const args = [
    "netns",
    "exec",
    options.ns.name,
    LLDPD,
    // Foreground, logging to stderr only (not syslog).
    "-d",
    "-d",
    "-u",
    socket,
    "-p",
    `${base}.pid`,
    "-O",
    configFile,
    "-I",
    options.iface,
    ...(options.flags ?? []),
  ];
  return { args, socket };
}

/** Runs lldpcli against the lldpd listening on socket inside namespace ns (10 s at most). */
export function lldpcli(ns: string, socket: string, args: string[]) {
  return spawnSync("ip", ["netns", "exec", ns, LLDPCLI, "-u", socket, ...args], {
    encoding: "utf8",
    timeout: 10_000,
  });
}

export class Lldpd {
  private stderr = "";
  private exited = false;
  private readonly killOnExit = () => this.child.kill("SIGKILL");

  private constructor(
    readonly options: LldpdOptions,
    readonly socket: string,
    private readonly child: ChildProcess,
  ) {
    child.stderr?.on("data", (chunk: Buffer) => {
      if (this.stderr.length < 65536) this.stderr += chunk.toString();
    });
    child.once("exit", () => {
      this.exited = true;
    });
    // Last resort: a test run that dies without afterAll still ends its lldpd.
    process.once("exit", this.killOnExit);
  }

  /** Starts lldpd and waits (at most timeoutMs) until its control socket answers. */
  static async start(options: LldpdOptions, timeoutMs = 15_000): Promise<Lldpd> {
    const { args, socket } = prepareLldpd(options);
    const child = spawn("ip", args, { stdio: ["ignore", "ignore", "pipe"] });
    const daemon = new Lldpd(options, socket, child);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (daemon.exited) throw new Error(`lldpd exited at start: ${daemon.log()}`);
      if (lldpcli(options.ns.name, socket, ["show", "configuration"]).status === 0) return daemon;
      await sleep(100);
    }
    await daemon.stop();
    throw new Error(`lldpd did not answer on ${socket} within ${timeoutMs} ms: ${daemon.log()}`);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  log(): string {
    return this.stderr.trim().split("\n").slice(-20).join("\n");
  }

  /** Runs lldpcli against this daemon; throws with its output when it fails. */
  cli(args: string[]): string {
    const result = lldpcli(this.options.ns.name, this.socket, args);
    if (result.status !== 0) {
      throw new Error(
        `lldpcli ${args.join(" ")} failed: ${result.error?.message ?? result.stderr}`,
      );
    }
    return result.stdout;
  }

  /** `lldpcli -f json0 show neighbors details`: json0 keeps every value in an array, always. */
  neighbours(): Json0Neighbour[] {
    const parsed = JSON.parse(this.cli(["-f", "json0", "show", "neighbors", "details"])) as {
      lldp?: { interface?: Json0Neighbour[] }[];
    };
    return parsed.lldp?.flatMap((entry) => entry.interface ?? []) ?? [];
  }

  /** Stops it (SIGTERM: an LLDP shutdown frame is sent; SIGKILL: nothing is), bounded in time. */
  async stop(signal: NodeJS.Signals = "SIGTERM", timeoutMs = 5000): Promise<void> {
    process.off("exit", this.killOnExit);
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill("SIGKILL"), timeoutMs);
    await gone;
    clearTimeout(timer);
  }
}

/** One neighbour in lldpcli's json0 output (only the parts the tests read). */
export interface Json0Neighbour {
  name: string;
  via: string;
  chassis: {
    id: { type: string; value: string }[];
    name?: { value: string }[];
    descr?: { value: string }[];
    "mgmt-ip"?: { value: string }[];
    capability?: { type: string; enabled: boolean }[];
  }[];
  port: {
    id: { type: string; value: string }[];
    descr?: { value: string }[];
    ttl?: { value: string }[];
    mfs?: { value: string }[];
    "auto-negotiation"?: {
      supported: boolean;
      enabled: boolean;
      current?: { value: string }[];
    }[];
  }[];
  vlan?: { "vlan-id": string; pvid: boolean; value?: string }[];
}
