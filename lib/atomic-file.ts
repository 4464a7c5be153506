import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** A temporary sibling of `path` to write before renaming over it: ".NAME.<12 hex>.tmp". */
export const temporarySibling = (path: string) =>
  join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);

/** Whether a file name is one temporarySibling gives (left behind by a killed writer). */
export const isTemporarySibling = (name: string) => /^\..+\.[0-9a-f]{12}\.tmp$/.test(name);

/**
 * Writes a file so that readers see either the old content or the new, never
 * a partial file: write a temporary sibling, flush it, then rename over.
 */
export async function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = temporarySibling(path);
  try {
    await writeFile(temporary, content, { flush: true });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
