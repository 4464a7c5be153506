/** A configuration file as schemas/assim-config.schema.json describes it. */
export interface AssimConfig {
  data_dir?: string;
  cma?: CmaConfig;
  probe?: ProbeConfig;
  exporters?: ExportersConfig;
  api?: ApiConfig;
  up?: UpConfig;
  neo4j?: Neo4jConfig;
}

export interface CmaConfig {
  bind?: string;
  trust?: "tofu" | "approve";
  heartbeat?: { interval?: string; warn?: string; dead?: string };
  discovery?: { interval?: string; types?: string[]; switch_seconds?: number };
  multicast?: boolean | string;
  monitoring?: { enabled?: boolean; rules_dir?: string; enable_rules?: string[] };
  events?: { log?: string; webhooks?: string[]; exec_dir?: string };
  status_file?: string;
  metrics?: string;
  exports?: { every: string; out?: string; formats?: string[] };
}

export interface ProbeConfig {
  cma?: string;
  cma_key?: string;
  bind?: string;
  status_file?: string;
}

export interface ExportersConfig {
  out?: string;
  every?: string;
  formats?: string[];
  rules_dir?: string;
  enable_rules?: string[];
  push?: { target: "servicenow" | "glpi"; url: string; dry_run?: boolean };
}

export interface ApiConfig {
  listen?: string;
  events_log?: string;
  export_dir?: string;
}

export interface UpConfig {
  port?: number;
  api?: string;
  export_every?: string;
  lab?: { hosts: number; switches?: number; name?: string };
}

export interface Neo4jConfig {
  uri?: string;
  user?: string;
  database?: string;
}

/** One problem in a configuration file, at the position of the node it is about. */
export interface ConfigError {
  file: string;
  /** 0 when the problem has no position (an unreadable file). */
  line: number;
  column: number;
  /** Dotted key path ("cma.heartbeat.warn", "cma.discovery.types[1]"); "" for the file itself. */
  path: string;
  message: string;
}

/** "FILE:LINE:COLUMN: path: message", the form every config error is printed in (line 0: none). */
export function formatConfigError(error: ConfigError): string {
  const at = error.line > 0 ? `${error.file}:${error.line}:${error.column}` : error.file;
  const where = error.path === "" ? "" : `${error.path}: `;
  return `${at}: ${where}${error.message}`;
}
