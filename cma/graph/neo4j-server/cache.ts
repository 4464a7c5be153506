import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";

/**
 * Where downloaded runtimes live: $XDG_CACHE_HOME/assim, else ~/.cache/assim. The XDG
 * spec says a relative XDG_CACHE_HOME is invalid and must be ignored.
 */
export function assimCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME?.trim();
  if (xdg && isAbsolute(xdg)) return join(xdg, "assim");
  return join(homedir(), ".cache", "assim");
}

/** One directory per Neo4j version: lib/ (the jars), the compiled launcher, the marker. */
export function neo4jRuntimeDir(version: string, cacheRoot: string = assimCacheRoot()): string {
  return join(cacheRoot, `neo4j-${version}`);
}
