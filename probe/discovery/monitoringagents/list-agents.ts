import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { ErrorList } from "../error-list.js";
import { judgeName, quoteName } from "./agent-names.js";

export const MAX_ENTRIES = 10_000;

const isMissing = (error: unknown) =>
  ["ENOENT", "ENOTDIR"].includes((error as NodeJS.ErrnoException).code ?? "");

/**
 * The executable regular files of a directory (symlinks followed), named as
 * `judgeName` allows, sorted. A missing directory is an empty list: the agents
 * of that kind are simply not installed.
 */
export async function listExecutables(
  directory: string,
  kind: "ocf" | "lsb" | "nagios",
  errors: ErrorList,
): Promise<string[]> {
  const names = await readNames(directory, errors);
  const found: string[] = [];
  for (const name of names) {
    const verdict = judgeName(name, kind);
    if (verdict === "ignored") continue;
    const path = join(directory, name);
    if (verdict === "unusual") {
      errors.add(directory, `skipped an entry with an unusual name: ${quoteName(name)}`);
      continue;
    }
    try {
      const info = await stat(path);
      if (info.isFile() && (info.mode & 0o111) !== 0) found.push(name);
    } catch (error) {
      errors.add(path, error); // a dangling symlink, or a file removed while listing
    }
  }
  return found.sort();
}

/** OCF agents: resource.d/<provider>/<type>, providers being directories (or links to them). */
export async function listOcfAgents(
  root: string,
  errors: ErrorList,
): Promise<Record<string, string[]>> {
  const providers: Record<string, string[]> = {};
  for (const provider of (await readNames(root, errors)).sort()) {
    const verdict = judgeName(provider, "ocf");
    if (verdict === "ignored") continue;
    if (verdict === "unusual") {
      errors.add(root, `skipped a provider with an unusual name: ${quoteName(provider)}`);
      continue;
    }
    const directory = join(root, provider);
    try {
      if (!(await stat(directory)).isDirectory()) continue;
    } catch (error) {
      errors.add(directory, error);
      continue;
    }
    const agents = await listExecutables(directory, "ocf", errors);
    if (agents.length > 0) providers[provider] = agents;
  }
  return providers;
}

async function readNames(directory: string, errors: ErrorList): Promise<string[]> {
  try {
    const names = await readdir(directory);
    if (names.length > MAX_ENTRIES) {
      errors.add(
        directory,
        `${names.length} entries; only the first ${MAX_ENTRIES} were looked at`,
      );
      return names.sort().slice(0, MAX_ENTRIES);
    }
    return names;
  } catch (error) {
    if (!isMissing(error)) errors.add(directory, error);
    return [];
  }
}
