import type { Neo4jConfig } from "./types.js";

const KEYS: [keyof Neo4jConfig, string][] = [
  ["uri", "NEO4J_URI"],
  ["user", "NEO4J_USER"],
  ["database", "NEO4J_DATABASE"],
];

/**
 * The neo4j section as the environment variables cma/graph/open.ts reads,
 * set only where the environment has none: the environment wins over the file.
 */
export function applyNeo4jConfig(neo4j: Neo4jConfig | undefined, env: NodeJS.ProcessEnv): void {
  for (const [key, variable] of KEYS) {
    const value = neo4j?.[key];
    if (value !== undefined && !env[variable]?.trim()) env[variable] = value;
  }
}
