import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** A lock directory whose owner never wrote its pid is stale after this long. */
const ORPHAN_LOCK_MS = 30_000;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function ownerOf(lockPath: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(lockPath, "pid"), "utf8"));
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isStale(lockPath: string): boolean {
  const owner = ownerOf(lockPath);
  if (owner !== undefined) return !isAlive(owner);
  try {
    return Date.now() - statSync(lockPath).mtimeMs > ORPHAN_LOCK_MS;
  } catch {
    return false; // vanished meanwhile: the next mkdir will tell
  }
}

export interface LockOptions {
  timeoutMs: number;
  /** Called once if another process holds the lock and we have to wait. */
  onWait?: (ownerPid: number | undefined) => void;
}

/**
 * Runs `work` while holding a lock directory (mkdir is atomic), so two processes
 * (two test workers, say) never fill the same cache at once. A lock left by a
 * process that died is taken over.
 */
export async function withDirectoryLock<T>(
  lockPath: string,
  options: LockOptions,
  work: () => Promise<T>,
): Promise<T> {
  const started = Date.now();
  let waited = false;
  for (;;) {
    try {
      mkdirSync(lockPath);
      writeFileSync(join(lockPath, "pid"), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    if (isStale(lockPath)) {
      rmSync(lockPath, { recursive: true, force: true });
      continue;
    }
    if (Date.now() - started > options.timeoutMs) {
      const owner = ownerOf(lockPath);
      throw new Error(
        `waited ${Math.round(options.timeoutMs / 1000)} s for ${lockPath}, held by ${owner ? `pid ${owner}` : "an unknown process"}; remove it if that process is gone`,
      );
    }
    if (!waited) {
      waited = true;
      options.onWait?.(ownerOf(lockPath));
    }
    await sleep(500);
  }
  try {
    return await work();
  } finally {
    rmSync(lockPath, { recursive: true, force: true });
  }
}
