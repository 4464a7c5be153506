export * from "./agent-result.js";
export * from "./resource-manager.js";
export * from "./run-agent.js";
