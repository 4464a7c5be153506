/**
 * Relative paths in a configuration file are relative to the file's
 * directory, so that the file means the same whatever directory a command
 * starts in (a relative path on the command line stays relative to it).
 */
import { dirname, resolve } from "node:path";
import type { AssimConfig } from "./types.js";

const PATH_KEYS: readonly (readonly string[])[] = [
  ["data_dir"],
  ["cma", "monitoring", "rules_dir"],
  ["cma", "events", "log"],
  ["cma", "events", "exec_dir"],
  ["cma", "status_file"],
  ["cma", "exports", "out"],
  ["probe", "cma_key"],
  ["probe", "status_file"],
  ["exporters", "out"],
  ["exporters", "rules_dir"],
  ["api", "events_log"],
  ["api", "export_dir"],
];

/** A copy of `config` with every path made absolute against the directory of `file`. */
export function resolveConfigPaths(config: AssimConfig, file: string): AssimConfig {
  const copy = structuredClone(config) as Record<string, unknown>;
  const base = dirname(resolve(file));
  for (const path of PATH_KEYS) {
    let node: Record<string, unknown> | undefined = copy;
    for (const key of path.slice(0, -1)) node = node?.[key] as Record<string, unknown> | undefined;
    const last = path[path.length - 1] as string;
    const value = node?.[last];
    if (node && typeof value === "string") node[last] = resolve(base, value);
  }
  return copy as AssimConfig;
}
