/**
 * The stores the ingest benchmark measures, each in a fresh place of its own:
 * the embedded store in a temporary data directory, and Neo4j in a DBMS this
 * benchmark starts (the project's launcher, ephemeral Bolt port) and stops.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GRAPH_FILE, openEmbeddedStore } from "../../cma/graph/embedded/store.js";
import { openNeo4jStore } from "../../cma/graph/neo4j/store.js";
import { startNeo4j } from "../../cma/graph/neo4j-server/launcher.js";
import type { GraphStore } from "../../cma/graph/store.js";

/** Neo4j's memory for the benchmark: what a 24 GiB, 2-core machine shared with others can give. */
const NEO4J_HEAP = process.env.ASSIM_BENCH_NEO4J_HEAP ?? "4g";
const NEO4J_PAGECACHE = process.env.ASSIM_BENCH_NEO4J_PAGECACHE ?? "2g";

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

/** A process's peak resident set (VmHWM), in MiB, or null once it is gone. */
function peakRssOf(pid: number): number | null {
  try {
    const kib = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kib === undefined ? null : Number(kib) / 1024;
  } catch {
    return null;
  }
}

function directoryBytes(path: string): number {
  let total = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else total += fileBytes(full);
    }
  };
  walk(path);
  return total;
}

async function openNeo4j(): Promise<BenchStore> {
  const home = mkdtempSync(join(tmpdir(), "assim-bench-neo4j-"));
  process.stderr.write(
    `  starting Neo4j (heap ${NEO4J_HEAP}, page cache ${NEO4J_PAGECACHE}) in ${home}...\n`,
  );
  const server = await startNeo4j({ home, port: 0, heap: NEO4J_HEAP, pagecache: NEO4J_PAGECACHE });
  let store: GraphStore;
  try {
    store = await openNeo4jStore({ uri: server.uri });
  } catch (error) {
    await server.stop();
    rmSync(home, { recursive: true, force: true });
    throw error;
  }
  return {
    store,
    storeBytes: () => directoryBytes(join(home, "data")),
    serverPeakRssMiB: () => peakRssOf(server.pid),
    async dispose() {
      await store.close();
      await server.stop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

export async function openBenchStore(adapter: string): Promise<OpenedBenchStore> {
  if (adapter === "embedded") return { ok: true, bench: await openEmbedded() };
  if (adapter === "neo4j") {
    try {
      return { ok: true, bench: await openNeo4j() };
    } catch (error) {
      return {
        ok: false,
        skipAdapter: true,
        reason: `Neo4j could not be started: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  }
  throw new Error(`unknown adapter ${adapter}`);
}
