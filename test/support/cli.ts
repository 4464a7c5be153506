import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { join } from "node:path";
import { packageRoot } from "../../lib/package-root.js";

export const assimBin = join(packageRoot(), "bin", "assim.js");

/** Runs the built `assim` command (npm test builds dist/ first). */
export function runAssim(
  args: string[],
  options: { cwd?: string; timeoutMs?: number } = {},
): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [assimBin, ...args], {
    encoding: "utf8",
    cwd: options.cwd ?? packageRoot(),
    timeout: options.timeoutMs ?? 120_000,
    maxBuffer: 512 * 1024 * 1024,
  });
}
