/**
 * The store the CMA and the CLI use: Neo4j when NEO4J_URI is set, otherwise
 * the embedded store under the data directory.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type Durability, GRAPH_FILE, openEmbeddedStore } from "./embedded/store.js";
import type { GraphStore } from "./store.js";

export const NEO4J_URI_ENV = "NEO4J_URI";
export const GRAPH_SYNC_ENV = "ASSIM_GRAPH_SYNC";

/** The store cannot be opened as configured: a usage problem, reported without a stack. */
export class StoreConfigurationError extends Error {
  override name = "StoreConfigurationError";
}

export interface OpenOptions {
  /** The resolved data directory (lib/data-dir.ts). */
  dataDir: string;
  env?: NodeJS.ProcessEnv;
  /** Fail instead of creating an empty embedded store (for read-only commands). */
  mustExist?: boolean;
}

/** Where the configured store is, for messages. */
export function describeStore(options: OpenOptions): string {
  const uri = (options.env ?? process.env)[NEO4J_URI_ENV]?.trim();
  return uri ? `Neo4j at ${uri}` : `embedded store ${join(options.dataDir, GRAPH_FILE)}`;
}

export async function openConfiguredStore(options: OpenOptions): Promise<GraphStore> {
  const env = options.env ?? process.env;
  if (env[NEO4J_URI_ENV]?.trim()) {
    // Loaded only when asked for: the driver costs start-up time every other command would pay.
    const { neo4jOptionsFromEnv, openNeo4jStore } = await import("./neo4j/index.js");
    const neo4jOptions = neo4jOptionsFromEnv(env);
    if (neo4jOptions) {
      try {
        return await openNeo4jStore(neo4jOptions);
      } catch (error) {
        throw new StoreConfigurationError((error as Error).message);
      }
    }
  }
  const sync = env[GRAPH_SYNC_ENV]?.trim().toLowerCase() || "normal";
  if (sync !== "normal" && sync !== "full") {
    throw new StoreConfigurationError(
      `${GRAPH_SYNC_ENV} must be "normal" or "full", not "${sync}"`,
    );
  }
  if (options.mustExist && !existsSync(join(options.dataDir, GRAPH_FILE))) {
    throw new StoreConfigurationError(
      `no graph in ${options.dataDir} (run \`assim ingest\` first, or give --data-dir)`,
    );
  }
  return openEmbeddedStore({ dataDir: options.dataDir, durability: sync as Durability });
}
