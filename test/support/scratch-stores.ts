/**
 * Embedded stores for exporter tests: each test opens fresh ones in a scratch
 * directory; they are closed after each test and the directory is removed
 * after the file.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach } from "vitest";
import { openEmbeddedStore } from "../../cma/graph/embedded/store.js";
import type { GraphStore } from "../../cma/graph/store.js";

export interface ScratchStores {
  /** The scratch directory, for the test's other files. */
  scratch: string;
  /** A new empty store, and an output directory beside it (not created). */
  fresh(): Promise<{ store: GraphStore; out: string }>;
  /** A fresh store alone. */
  freshStore(): Promise<GraphStore>;
}

export function scratchStores(prefix: string): ScratchStores {
  const scratch = mkdtempSync(join(tmpdir(), prefix));
  let made = 0;
  const open: GraphStore[] = [];
  afterEach(async () => {
    for (const store of open.splice(0)) await store.close();
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const fresh = async () => {
    const n = ++made;
    const store = await openEmbeddedStore({ dataDir: join(scratch, `store-${n}`) });
    open.push(store);
    return { store, out: join(scratch, `out-${n}`) };
  };
  return { scratch, fresh, freshStore: async () => (await fresh()).store };
}
