/**
 * `assim cma` and `assim probe` as real processes for end-to-end tests: each
 * started with its own data directory, its log kept, waits bounded, and every
 * process killed when the test process exits.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { existsSync, readFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { eventsLogOf } from "../../lib/data-dir.js";
import { assimBin } from "./cli.js";

export class Daemon {
  log = "";
  exitCode: number | null = null;
  signal: string | null = null;
  private readonly killOnExit = () => this.child.kill("SIGKILL");

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => {
      if (this.log.length < 4 * 1024 * 1024) this.log += chunk.toString();
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    child.once("exit", (code, signal) => {
      this.exitCode = code;
      this.signal = signal;
      process.off("exit", this.killOnExit);
    });
    process.once("exit", this.killOnExit);
  }

  get running(): boolean {
    return this.exitCode === null && this.signal === null;
  }

  /** Log lines (JSON) whose msg matches. */
  lines(msg?: string): Record<string, unknown>[] {
    return this.log
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => msg === undefined || line.msg === msg);
  }

  async stop(signal: NodeJS.Signals = "SIGTERM", timeoutMs = 15_000): Promise<void> {
    if (!this.running) return;
    this.child.kill(signal);
    const deadline = Date.now() + timeoutMs;
    while (this.running && Date.now() < deadline) await sleep(50);
    if (this.running) {
      this.child.kill("SIGKILL");
      throw new Error(`${this.name} did not stop within ${timeoutMs} ms after ${signal}`);
    }
  }
}

/** Starts `assim <args>` (optionally through a prefix such as `ip netns exec NS`). */
export function startAssim(name: string, args: string[], prefix: string[] = []): Daemon {
  const argv = [...prefix, process.execPath, assimBin, ...args];
  const child = spawn(argv[0] as string, argv.slice(1), {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ASSIM_LOG_LEVEL: "info" },
  });
  return new Daemon(name, child);
}

/** Polls until check() returns a value (not undefined/false), at most timeoutMs. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs: number,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export function readJson<T>(file: string): T | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch {
    return undefined; // being replaced this instant
  }
}

export interface CmaStatusFile {
  probes: { system: string; hostname: string; state: string; partners: Record<string, string[]> }[];
  rings: Record<string, string[]>;
  counters: Record<string, number>;
}

export interface ProbeStatusFile {
  machine_id: string;
  cma: { registered: boolean };
  rings: Record<string, { version: number; partners: string[] }>;
}

/** The events the CMA logged to DATA_DIR/events.jsonl. */
export function readEvents(
  dataDir: string,
): { id: string; type: string; system: string; reason: string }[] {
  const file = eventsLogOf(dataDir);
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

/** Every up probe holds exactly the partners the CMA's rings give it (probe status by hostname). */
export function ringsAgree(
  status: CmaStatusFile,
  probeStatus: (hostname: string) => ProbeStatusFile | undefined,
): boolean {
  for (const probe of status.probes.filter((p) => p.state === "up")) {
    const held = probeStatus(probe.hostname);
    if (!held) return false;
    const expected = Object.fromEntries(
      Object.entries(probe.partners)
        .filter(([, partners]) => partners.length > 0)
        .map(([ring, partners]) => [
          ring,
          partners.map((system) => system.replace(/^host:/, "")).sort(),
        ])
        .sort(([a], [b]) => String(a).localeCompare(String(b))),
    );
    const actual = Object.fromEntries(
      Object.entries(held.rings)
        .map(([ring, state]) => [ring, state.partners])
        .sort(([a], [b]) => String(a).localeCompare(String(b))),
    );
    if (JSON.stringify(actual) !== JSON.stringify(expected)) return false;
  }
  return true;
}

/** A UDP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freeTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
