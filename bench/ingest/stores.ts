/**
 * The stores the ingest benchmark measures, each in a fresh place of its own:
 * the embedded store in a temporary data directory, and Neo4j in a DBMS this
 * benchmark starts (the project's launcher, ephemeral Bolt port) and stops.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GRAPH_FILE, openEmbeddedStore } from "../../cma/graph/embedded/store.js";
import type { GraphStore } from "../../cma/graph/store.js";

export interface BenchStore {
  store: GraphStore;
  /** Bytes the store occupies on disk, when it can tell. */
  storeBytes(): number | null;
  /** Peak RSS of a separate server process (Neo4j's JVM), in MiB. */
  serverPeakRssMiB(): number | null;
  /** Closes the store and removes everything it created. */
  dispose(): Promise<void>;
}

export type OpenedBenchStore =
  | { ok: true; bench: BenchStore }
  | { ok: false; reason: string; skipAdapter: true };

const fileBytes = (path: string) => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

async function openEmbedded(): Promise<BenchStore> {
  const dataDir = mkdtempSync(join(tmpdir(), "assim-bench-ingest-"));
  const store = await openEmbeddedStore({ dataDir });
  const file = join(dataDir, GRAPH_FILE);
  return {
    store,
    storeBytes: () => fileBytes(file) + fileBytes(`${file}-wal`),
    serverPeakRssMiB: () => null,
    async dispose() {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function openBenchStore(adapter: string): Promise<OpenedBenchStore> {
  if (adapter === "embedded") return { ok: true, bench: await openEmbedded() };
  return {
    ok: false,
    skipAdapter: true,
    reason: "this build has no Neo4j adapter yet (cma/graph/neo4j/)",
  };
}
