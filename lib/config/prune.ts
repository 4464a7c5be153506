import type { KeyPath } from "../yaml-position.js";

/**
 * A copy of `value` without the nodes at `paths`, so that the semantic checks
 * can run on the rest of a file that failed the schema. An item of a list
 * takes its whole list with it, keeping the other items' indexes true.
 */
export function prune(value: unknown, paths: readonly KeyPath[]): unknown {
  const copy = structuredClone(value);
  for (const path of paths) {
    const end = path.findIndex((part) => typeof part === "number");
    const cut = end < 0 ? path : path.slice(0, end);
    if (cut.length === 0) return null;
    let node: unknown = copy;
    for (const part of cut.slice(0, -1)) {
      node =
        node !== null && typeof node === "object"
          ? (node as Record<string, unknown>)[part]
          : undefined;
    }
    if (node !== null && typeof node === "object") {
      delete (node as Record<string, unknown>)[cut[cut.length - 1] as string];
    }
  }
  return copy;
}
