/**
 * Runs one executable directly (no shell, so nothing in the event can become
 * a command) in its own process group, so that on timeout the script and
 * everything it started can be killed together.
 */
import { spawn } from "node:child_process";

export interface ScriptRunOptions {
  path: string;
  cwd: string;
  input: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** After the timeout's SIGTERM, how long before SIGKILL. */
  killGraceMs: number;
  /** Bytes of stderr kept for the log. */
  stderrLimit: number;
}

export interface ScriptResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stderr: string;
  /** Set when the file could not be started at all. */
  spawnError?: string;
}

export interface ScriptRun {
  pid: number | undefined;
  result: Promise<ScriptResult>;
  /** SIGKILL to the whole process group. */
  kill(): void;
}

// How long to wait, after the script exits, for its stderr to be flushed; a
// background process it left behind may hold the pipe open indefinitely.
const STDERR_AFTER_EXIT_MS = 200;

export function runScript(options: ScriptRunOptions): ScriptRun {
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(options.path, [], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ["pipe", "ignore", "pipe"],
    });
  } catch (error) {
    const spawnError = error instanceof Error ? error.message : String(error);
    const result = { code: null, signal: null, timedOut: false, stderr: "", spawnError };
    return { pid: undefined, result: Promise.resolve(result), kill: () => {} };
  }

  const signalGroup = (signal: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // ESRCH: the whole group has already gone.
    }
  };

  const stderr: Buffer[] = [];
  let stderrBytes = 0;
  // Keep reading past the limit so a chatty script never blocks on a full pipe.
  child.stderr?.on("data", (chunk: Buffer) => {
    if (stderrBytes >= options.stderrLimit) return;
    const kept = chunk.subarray(0, options.stderrLimit - stderrBytes);
    stderr.push(kept);
    stderrBytes += kept.length;
  });
  // A script that exits without reading its stdin makes the write fail with EPIPE.
  child.stdin?.on("error", () => {});
  child.stdin?.end(options.input);

  let timedOut = false;
  const timeout = setTimeout(() => {
    timedOut = true;
    signalGroup("SIGTERM");
    // Not cleared when the script exits: a child that ignores SIGTERM must still go.
    setTimeout(() => signalGroup("SIGKILL"), options.killGraceMs).unref();
  }, options.timeoutMs);

  const result = new Promise<ScriptResult>((resolve) => {
    let settled = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } = { code: null, signal: null };
    let spawnError: string | undefined;
    let stderrWait: NodeJS.Timeout | undefined;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timeout);
      clearTimeout(stderrWait);
      child.stderr?.destroy();
      const text = Buffer.concat(stderr).toString("utf8");
      resolve({ ...exit, timedOut, stderr: text, ...(spawnError ? { spawnError } : {}) });
    };
    child.once("error", (error) => {
      if (child.pid !== undefined) return;
      spawnError = error.message;
      finish();
    });
    child.once("exit", (code, signal) => {
      exit = { code, signal };
      stderrWait = setTimeout(finish, STDERR_AFTER_EXIT_MS);
    });
    child.once("close", finish);
  });

  return { pid: child.pid, result, kill: () => signalGroup("SIGKILL") };
}
