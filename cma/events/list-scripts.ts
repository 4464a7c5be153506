import { constants } from "node:fs";
import { access, readdir, stat } from "node:fs/promises";
import { join } from "node:path";

/**
 * Names of the scripts to run, in name order: regular files (symbolic links
 * followed) that this process may execute, hidden `.` files left out.
 */
export async function listScripts(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((name) => !name.startsWith(".")).sort();
  const scripts: string[] = [];
  for (const name of names) {
    const path = join(dir, name);
    try {
      if (!(await stat(path)).isFile()) continue;
      await access(path, constants.X_OK);
      scripts.push(name);
    } catch {
      // Not executable, or removed since readdir: not a script to run.
    }
  }
  return scripts;
}
