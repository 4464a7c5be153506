/**
 * The lab's daemons as plain processes: started detached (they outlive the
 * `assim lab up` that started them), found again by pid, and stopped with a
 * bounded wait.
 */
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, statSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

/** True while pid runs (a zombie does not count). */
export function isAlive(pid: number | null | undefined): boolean {
  if (!pid || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // "pid (comm) S ...": comm may hold spaces and parentheses, the state follows the last ")".
    const end = stat.lastIndexOf(")");
    return stat.charAt(end + 2) !== "Z";
  } catch {
    return false;
  }
}

/** The process's argument list, or [] when it is gone. */
export function commandLineOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8")
      .split("\0")
      .filter((arg) => arg !== "");
  } catch {
    return [];
  }
}

/** Whether pid runs inside the named network namespace (same nsfs inode). */
export function inNamespace(pid: number, ns: string): boolean {
  try {
    const mine = statSync(`/proc/${pid}/ns/net`);
    const named = statSync(`/run/netns/${ns}`);
    return mine.ino === named.ino && mine.dev === named.dev;
  } catch {
    return false;
  }
}

/**
 * Whether pid still is a process the lab started, not an unrelated one that
 * reused the pid: it runs in the lab namespace ns, or (the namespace's name
 * already gone) its command line names marker, the lab directory.
 */
export function isOurs(pid: number | null | undefined, ns: string, marker: string): pid is number {
  if (!pid || !isAlive(pid)) return false;
  return inNamespace(pid, ns) || commandLineOf(pid).some((arg) => arg.includes(marker));
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

async function waitGone(pids: number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let left = pids.filter(isAlive);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(50);
    left = left.filter(isAlive);
  }
  return left;
}

/**
 * Sends sig to every pid and waits up to graceMs for them to end; with
 * SIGTERM, the survivors then get SIGKILL (and another bounded wait).
 * Returns the pids still alive at the end (normally none).
 */
export async function terminate(
  pids: number[],
  sig: NodeJS.Signals = "SIGTERM",
  graceMs = 5000,
): Promise<number[]> {
  const unique = [...new Set(pids)].filter(isAlive);
  for (const pid of unique) signal(pid, sig);
  const left = await waitGone(unique, graceMs);
  if (left.length === 0 || sig === "SIGKILL") return left;
  for (const pid of left) signal(pid, "SIGKILL");
  return waitGone(left, 2000);
}

/**
 * Starts `ip ARGS...` in its own session, stdout and stderr appended to
 * logFile, not waited for; returns its pid (`ip netns exec` execs the
 * program, so the pid is the daemon's own).
 */
export function spawnDetached(ipArgs: string[], logFile: string): number {
  const fd = openSync(logFile, "a", 0o644);
  try {
    const child = spawn("ip", ipArgs, { detached: true, stdio: ["ignore", fd, fd] });
    // A spawn failure (no `ip`) arrives as an event; the missing pid already tells.
    child.on("error", () => undefined);
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ip ${ipArgs.join(" ")}`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/** The last lines of a log file, for error messages. */
export function logTail(file: string, lines = 20): string {
  try {
    const text = readFileSync(file, "utf8").trimEnd();
    return text === "" ? "(empty log)" : text.split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}
