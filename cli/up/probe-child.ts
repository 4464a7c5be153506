/**
 * The probe for this host, as `assim up` runs it: its own process (as on any
 * other server), bound to loopback, logging into a file.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { assimBin } from "../../lab/daemons.js";

export interface ProbeChild {
  child: ChildProcess;
  log: string;
  /** Resolves with the exit code (or signal) once the process is gone. */
  exited: Promise<number | NodeJS.Signals>;
  /** SIGTERM (the probe says SHUTDOWN to the CMA), SIGKILL after graceMs. */
  stop(graceMs?: number): Promise<void>;
}

/** A UDP port on 127.0.0.1 that was free a moment ago. */
async function freeUdpPort(): Promise<number> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/**
 * This host's identity when /etc/machine-id is missing (containers): one made up
 * once and kept in the probe's directory, so a second run is the same machine.
 */
function fallbackIdentity(dir: string): string[] {
  if (existsSync("/etc/machine-id") && readFileSync("/etc/machine-id", "utf8").trim() !== "") {
    return [];
  }
  const file = join(dir, "machine-id");
  if (!existsSync(file)) writeFileSync(file, `${randomBytes(16).toString("hex")}\n`);
  return ["--machine-id", readFileSync(file, "utf8").trim(), "--hostname", hostname()];
}

export async function startProbeChild(options: {
  cmaPort: number;
  cmaKey: string;
  dataDir: string;
  log: string;
}): Promise<ProbeChild> {
  mkdirSync(options.dataDir, { recursive: true });
  const args = [
    assimBin(),
    "probe",
    "--cma",
    `127.0.0.1:${options.cmaPort}`,
    "--cma-key",
    options.cmaKey,
    "--bind",
    `127.0.0.1:${await freeUdpPort()}`,
    "--data-dir",
    options.dataDir,
    ...fallbackIdentity(options.dataDir),
  ];
  const out = openSync(options.log, "a");
  const child = spawn(process.execPath, args, {
    stdio: ["ignore", out, out],
    env: { ...process.env, ASSIM_LOG_FORMAT: "json" },
  });
  const exited = new Promise<number | NodeJS.Signals>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal ?? 0)),
  );
  return {
    child,
    log: options.log,
    exited,
    async stop(graceMs = 8000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
