/**
 * One export at a time per output directory: OUT/.state/lock holds the pid of
 * the process exporting. A lock whose process is gone is taken over.
 */
import { mkdir, open, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { STATE_DIR } from "./state.js";

export class ExportLockedError extends Error {
  override name = "ExportLockedError";
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes the lock; returns its release. Throws ExportLockedError while another live process holds it. */
export async function lockOutput(outDir: string): Promise<() => Promise<void>> {
  const dir = join(outDir, STATE_DIR);
  const path = join(dir, "lock");
  await mkdir(dir, { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, "wx");
      await handle.write(`${process.pid}\n`);
      await handle.close();
      return () => rm(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const pid = Number((await readFile(path, "utf8").catch(() => "")).trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new ExportLockedError(`another export (pid ${pid}) is writing ${outDir}`);
      }
      await rm(path, { force: true }); // left by a process that is gone
    }
  }
  throw new ExportLockedError(`cannot take the export lock ${path}`);
}
