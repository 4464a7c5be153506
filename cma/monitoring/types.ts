/** Agent classes a rule can name; "nomon" says the service is deliberately not monitored. */
export type AgentClass = "ocf" | "lsb" | "nagios" | "systemd" | "nomon";

/** A rule as written in a rules file (schemas/monitoring-rules.schema.json). */
export interface RuleSpec {
  name: string;
  description?: string;
  requires_flag?: string;
  match: {
    exe?: string;
    basename?: string;
    argv?: string;
    uid?: number | number[];
    port?: number | number[];
    package?: string | string[];
    any?: true;
  };
  agent: {
    class: AgentClass;
    provider?: string;
    type?: string;
    params?: Record<string, string | number | boolean>;
    interval_seconds?: number;
    timeout_seconds?: number;
  };
}

/** A loaded rule: its regexes compiled and where it came from. */
export interface Rule {
  spec: RuleSpec;
  /** The file and line the rule was read from. */
  source: string;
  /** "shipped" or "operator"; an operator rule replaces a shipped one of the same name. */
  origin: "shipped" | "operator";
  exe?: RegExp;
  basename?: RegExp;
  argv?: RegExp;
  uids?: number[];
  ports?: number[];
  packages?: string[];
}

/** Why a rules file, or a rule in it, could not be loaded. */
export interface RuleLoadError {
  file: string;
  line: number;
  column: number;
  message: string;
}
