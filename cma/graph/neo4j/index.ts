export { UnknownSystemError } from "../store.js";
export { NEO4J_QUERY_NAMES } from "./queries.js";
export {
  Neo4jStore,
  type Neo4jStoreOptions,
  neo4jOptionsFromEnv,
  openNeo4jStore,
} from "./store.js";
