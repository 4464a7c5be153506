import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { join } from "node:path";
import { packageRoot } from "../../lib/package-root.js";

export const assimBin = join(packageRoot(), "bin", "assim.js");

/** Runs the built `assim` command (npm test builds dist/ first). */
export function runAssim(
  args: string[],
  options: { cwd?: string; timeoutMs?: number; input?: string; env?: NodeJS.ProcessEnv } = {},
): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [assimBin, ...args], {
    encoding: "utf8",
    cwd: options.cwd ?? packageRoot(),
    timeout: options.timeoutMs ?? 120_000,
    maxBuffer: 512 * 1024 * 1024,
    ...(options.input !== undefined ? { input: options.input } : {}),
    ...(options.env ? { env: options.env } : {}),
  });
}

/** Runs `assim` on the embedded store whatever NEO4J_URI the test run has. */
export function runAssimEmbedded(args: string[], input?: string): SpawnSyncReturns<string> {
  return runAssim(args, {
    env: { ...process.env, NEO4J_URI: "" },
    ...(input !== undefined ? { input } : {}),
  });
}
