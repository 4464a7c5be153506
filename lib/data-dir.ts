import { join, resolve } from "node:path";

export const DATA_DIR_ENV = "ASSIM_DATA_DIR";
export const DEFAULT_DATA_DIR = ".assim";
/**
 * Where exports go when no directory is named (`assim up`, `assim cma
 * --export-every`), and where `assim api` looks for the drift feed: a path
 * relative to the working directory.
 */
export const DEFAULT_EXPORT_DIR = "out";

/**
 * Where assim keeps its state: the embedded graph store, keys, export state and
 * a Neo4j home. An explicit `--data-dir` wins, then ASSIM_DATA_DIR, then
 * `./.assim`, beside the `./out` that `assim up` writes (services installed
 * with systemd pass `--data-dir /var/lib/assim`).
 */
export function resolveDataDir(
  option?: string,
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): string {
  const chosen = option?.trim() || env[DATA_DIR_ENV]?.trim() || DEFAULT_DATA_DIR;
  return resolve(cwd, chosen);
}

/** Where a data directory keeps its key pairs (NAME.key, NAME.pub). */
export const keyDirOf = (dataDir: string) => join(dataDir, "keys");
/** Where the CMA keeps its decisions about probe keys. */
export const trustDirOf = (dataDir: string) => join(dataDir, "trust");
/** The CMA's events log, unless told another (`--events-log`); `assim api` reads it from there too. */
export const eventsLogOf = (dataDir: string) => join(dataDir, "events.jsonl");
