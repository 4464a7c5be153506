import { NEO4J_URI_ENV } from "../../cma/graph/open.js";
import type { Neo4jConfig } from "./types.js";

const KEYS: [keyof Neo4jConfig, string][] = [
  ["uri", NEO4J_URI_ENV],
  ["user", "NEO4J_USER"],
  ["database", "NEO4J_DATABASE"],
];

/**
 * The neo4j section as the environment variables cma/graph/open.ts reads,
 * set only where the environment has none: the environment wins over the file.
 * A variable set empty wins too: NEO4J_URI="" is how a caller asks for the
 * embedded store, whatever the file says.
 */
export function applyNeo4jConfig(neo4j: Neo4jConfig | undefined, env: NodeJS.ProcessEnv): void {
  for (const [key, variable] of KEYS) {
    const value = neo4j?.[key];
    if (value !== undefined && env[variable] === undefined) env[variable] = value;
  }
}
