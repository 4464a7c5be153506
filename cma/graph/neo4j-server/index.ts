export { probeBolt } from "./bolt.js";
export { assimCacheRoot, neo4jRuntimeDir } from "./cache.js";
export { readCoordinates } from "./coordinates.js";
export { ensureNeo4jJars, forgetNeo4jJars, type Neo4jJars } from "./jars.js";
export { ensureLauncherCompiled, findJava } from "./java.js";
export {
  checkPort,
  checkSize,
  type Neo4jExit,
  type Neo4jServer,
  Neo4jStartError,
  type StartNeo4jOptions,
  startNeo4j,
} from "./launcher.js";
