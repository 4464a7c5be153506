/**
 * Runs one agent operation: the program is spawned directly (no shell) in its own
 * process group, with a timeout that kills the whole group and a cap on output.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, isAbsolute, join, normalize } from "node:path";
import {
  type AgentClass,
  type AgentResult,
  lsbActionResult,
  lsbStatusResult,
  nagiosResult,
  ocfResult,
  operationFailed,
  type RunInfo,
  systemdActionResult,
  systemdResult,
  systemdUnavailable,
} from "./agent-result.js";

export type AgentSpec =
  | {
      class: "ocf";
      provider: string;
      type: string;
      /** OCF_RESOURCE_INSTANCE; defaults to the type. */
      instance?: string;
      params?: Record<string, string>;
    }
  | { class: "lsb"; name: string }
  | { class: "nagios"; plugin: string; args?: string[] }
  | { class: "systemd"; unit: string };

/** "monitor" is the class's status check (OCF monitor, LSB status, Nagios check, systemctl show). */
export type Operation = "monitor" | "start" | "stop";

export interface AgentPaths {
  ocfRoot: string;
  initDir: string;
  pluginDir: string;
  /** Exists only when systemd is the running init. */
  systemdRunDir: string;
}

export const DEFAULT_PATHS: AgentPaths = {
  ocfRoot: "/usr/lib/ocf",
  initDir: "/etc/init.d",
  pluginDir: "/usr/lib/nagios/plugins",
  systemdRunDir: "/run/systemd/system",
};

export interface RunOptions {
  timeoutMs: number;
  /** Operations slower than this are flagged `slow`. */
  warnMs?: number;
  /** Between SIGTERM and SIGKILL of the process group. */
  killGraceMs?: number;
  maxOutputBytes?: number;
  paths?: Partial<AgentPaths>;
  signal?: AbortSignal;
}

export const DEFAULT_MAX_OUTPUT = 64 * 1024;
const BASE_ENV = { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", LC_ALL: "C" };

export class AgentSpecError extends Error {
  override name = "AgentSpecError";
}

const PARAM_NAME = /^[A-Za-z0-9_]+$/;

/** A single path component: no "/", not "." or "..", no leading "-", no control characters. */
export function checkName(kind: string, value: string): void {
  if (typeof value !== "string" || value === "") throw new AgentSpecError(`${kind} is empty`);
  if (value.includes("/"))
    throw new AgentSpecError(`${kind} ${JSON.stringify(value)} contains "/"`);
  if (value.includes(".."))
    throw new AgentSpecError(`${kind} ${JSON.stringify(value)} contains ".."`);
  if (value.startsWith("-") || value === ".")
    throw new AgentSpecError(`${kind} ${JSON.stringify(value)} is not a valid name`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting them is the point
  if (/[\u0000-\u001f\u007f]/.test(value))
    throw new AgentSpecError(`${kind} ${JSON.stringify(value)} contains control characters`);
}

function checkValue(kind: string, value: string): void {
  if (typeof value !== "string") throw new AgentSpecError(`${kind} is not a string`);
  if (value.includes("\u0000")) throw new AgentSpecError(`${kind} contains a NUL byte`);
}

interface Command {
  program: string;
  args: string[];
  env: Record<string, string>;
}

/** The program, argv and environment of an operation; throws AgentSpecError on bad specs. */
export function buildCommand(
  spec: AgentSpec,
  operation: Operation,
  paths: AgentPaths = DEFAULT_PATHS,
): Command {
  switch (spec.class) {
    case "ocf": {
      checkName("OCF provider", spec.provider);
      checkName("OCF type", spec.type);
      const instance = spec.instance ?? spec.type;
      checkValue("OCF instance", instance);
      const env: Record<string, string> = {
        ...BASE_ENV,
        OCF_ROOT: paths.ocfRoot,
        OCF_RESOURCE_INSTANCE: instance,
        OCF_RESOURCE_TYPE: spec.type,
        OCF_RESOURCE_PROVIDER: spec.provider,
      };
      for (const [name, value] of Object.entries(spec.params ?? {})) {
        if (!PARAM_NAME.test(name))
          throw new AgentSpecError(
            `OCF parameter name ${JSON.stringify(name)} is not [A-Za-z0-9_]+`,
          );
        checkValue(`OCF parameter ${name}`, value);
        env[`OCF_RESKEY_${name}`] = value;
      }
      return {
        program: join(paths.ocfRoot, "resource.d", spec.provider, spec.type),
        args: [operation],
        env,
      };
    }
    case "lsb": {
      checkName("LSB script", spec.name);
      return {
        program: join(paths.initDir, spec.name),
        args: [operation === "monitor" ? "status" : operation],
        env: { ...BASE_ENV },
      };
    }
    case "nagios": {
      if (operation !== "monitor")
        throw new AgentSpecError(`Nagios plugins only check; cannot ${operation}`);
      let program: string;
      if (isAbsolute(spec.plugin)) {
        program = normalize(spec.plugin);
        if (dirname(program) !== normalize(paths.pluginDir))
          throw new AgentSpecError(
            `Nagios plugin ${JSON.stringify(spec.plugin)} is not directly in ${paths.pluginDir}`,
          );
        checkName("Nagios plugin", program.slice(dirname(program).length + 1));
      } else {
        checkName("Nagios plugin", spec.plugin);
        program = join(paths.pluginDir, spec.plugin);
      }
      const args = spec.args ?? [];
      args.forEach((a, i) => {
        checkValue(`Nagios argument ${i}`, a);
      });
      return { program, args: [...args], env: { ...BASE_ENV } };
    }
    case "systemd": {
      checkName("systemd unit", spec.unit);
      const args =
        operation === "monitor"
          ? ["show", "--property=ActiveState,SubState,LoadState", "--", spec.unit]
          : [operation, "--", spec.unit];
      return { program: "systemctl", args, env: { ...BASE_ENV } };
    }
  }
}

/** Runs one operation; never throws for agent failures (spec errors do throw). */
export async function runAgent(
  spec: AgentSpec,
  operation: Operation,
  options: RunOptions,
): Promise<AgentResult> {
  const paths = { ...DEFAULT_PATHS, ...options.paths };
  const command = buildCommand(spec, operation, paths);
  const resultOperation = operationName(spec.class, operation);
  if (spec.class === "systemd" && !existsSync(paths.systemdRunDir)) {
    return {
      ...systemdUnavailable(`systemd is not running (${paths.systemdRunDir} absent)`),
      operation: resultOperation as "status",
    };
  }
  const run = await runProcess(command, options);
  if (run.spawnError !== undefined)
    return {
      ...operationFailed(
        spec.class,
        resultOperation,
        `cannot run ${command.program}: ${run.spawnError}`,
      ),
      run,
    };
  if (run.timedOut) {
    const why = options.signal?.aborted
      ? `${operation} cancelled`
      : `${operation} timed out after ${options.timeoutMs} ms`;
    return {
      ...operationFailed(spec.class, resultOperation, why),
      run,
    };
  }
  if (run.exitCode === null)
    return {
      ...operationFailed(spec.class, resultOperation, `${operation} killed by ${run.signal}`),
      run,
    };
  const code = run.exitCode;
  let result: AgentResult;
  switch (spec.class) {
    case "ocf":
      result = ocfResult(operation, code, run.output);
      break;
    case "lsb":
      result =
        operation === "monitor"
          ? lsbStatusResult(code, run.output)
          : lsbActionResult(operation, code, run.output);
      break;
    case "nagios":
      result = nagiosResult(code, run.output);
      break;
    case "systemd":
      result =
        operation === "monitor"
          ? code === 0
            ? systemdResult(run.output)
            : operationFailed("systemd", "status", `systemctl show exited ${code}`)
          : systemdActionResult(operation, code, run.output);
      break;
  }
  if (run.slow) result.reason += ` (slow: ${run.durationMs} ms)`;
  return { ...result, run };
}

function operationName(cls: AgentClass, operation: Operation): string {
  if (operation !== "monitor") return operation;
  return cls === "ocf" ? "monitor" : cls === "nagios" ? "check" : "status";
}

/** Spawns in a new process group; on timeout kills the group (TERM, then KILL). */
export function runProcess(command: Command, options: RunOptions): Promise<RunInfo> {
  const maxOutput = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  const grace = options.killGraceMs ?? 1000;
  const started = performance.now();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    let timedOut = false;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];

    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command.program, command.args, {
        env: command.env,
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
      });
    } catch (err) {
      resolve(info(null, null, (err as Error).message));
      return;
    }
    const pid = child.pid;

    const collect = (data: Buffer) => {
      if (size >= maxOutput) {
        truncated = true;
        return;
      }
      const take = data.subarray(0, maxOutput - size);
      if (take.length < data.length) truncated = true;
      chunks.push(take);
      size += take.length;
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);

    function info(exitCode: number | null, signal: string | null, spawnError?: string): RunInfo {
      const durationMs = Math.round(performance.now() - started);
      return {
        exitCode,
        signal,
        durationMs,
        timedOut,
        slow: options.warnMs !== undefined && durationMs > options.warnMs,
        ...(spawnError !== undefined ? { spawnError } : {}),
        outputTruncated: truncated,
        output: Buffer.concat(chunks).toString("utf8"),
      };
    }

    const finish = (r: RunInfo) => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      options.signal?.removeEventListener("abort", onAbort);
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve(r);
    };

    const killGroup = (sig: NodeJS.Signals | 0): boolean => {
      if (pid === undefined) return false;
      try {
        process.kill(-pid, sig);
        return true;
      } catch {
        return false; // ESRCH: the group is gone
      }
    };

    let exited: { code: number | null; signal: string | null } | null = null;
    const terminate = () => {
      timedOut = true;
      if (!killGroup("SIGTERM")) return maybeFinishAfterKill();
      timers.push(
        setTimeout(() => {
          killGroup("SIGKILL");
          maybeFinishAfterKill();
        }, grace),
      );
    };
    // After a kill, resolve once the leader has exited and the group is gone. Members killed by
    // SIGKILL may linger as zombies where pid 1 does not reap orphans, so the wait is bounded.
    let killedWaits = 0;
    const maybeFinishAfterKill = () => {
      const groupAlive = pid !== undefined && killGroup(0);
      if (exited && (!groupAlive || killedWaits >= 10)) {
        finish(info(exited.code, exited.signal));
        return;
      }
      killedWaits++;
      if (groupAlive) killGroup("SIGKILL");
      timers.push(setTimeout(maybeFinishAfterKill, 50));
    };
    function onAbort() {
      if (!timedOut) terminate();
    }

    timers.push(setTimeout(terminate, options.timeoutMs));
    options.signal?.addEventListener("abort", onAbort);

    child.on("error", (err) => {
      finish(info(null, null, err.message));
    });
    child.on("exit", (code, signal) => {
      exited = { code, signal };
      if (timedOut) {
        // Everything died of the SIGTERM: no need to wait for the grace to end.
        if (!killGroup(0)) finish(info(code, signal));
        return;
      }
      // Give the pipes a moment to drain; a daemon the agent started may hold them open.
      timers.push(setTimeout(() => finish(info(code, signal)), 200));
    });
    child.on("close", () => {
      if (exited && !timedOut) finish(info(exited.code, exited.signal));
    });
  });
}
