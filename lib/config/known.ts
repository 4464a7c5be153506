/** The names a configuration may use, from the registries the commands use. */
import { loadRules } from "../../cma/monitoring/load.js";
import { defaultExporters } from "../../exporters/formats.js";
import { allDiscoveryTypes } from "../../probe/discovery/registry.js";

export interface KnownNames {
  readonly discoveryTypes: readonly string[];
  readonly formats: readonly string[];
  /** Flags the shipped monitoring rules need (requires_flag). */
  readonly ruleFlags: readonly string[];
}

let formats: readonly string[] | undefined;
let ruleFlags: readonly string[] | undefined;

function shippedRuleFlags(): readonly string[] {
  const flags = new Set<string>();
  for (const rule of loadRules().rules) {
    if (rule.spec.requires_flag !== undefined) flags.add(rule.spec.requires_flag);
  }
  return [...flags].sort();
}

// Each list is made the first time a check asks for it, once: the rule flags
// load and compile every shipped rule, which a file without enable_rules
// (most files, read at every --config start) never needs.
const KNOWN: KnownNames = {
  discoveryTypes: allDiscoveryTypes,
  get formats() {
    formats ??= defaultExporters().names();
    return formats;
  },
  get ruleFlags() {
    ruleFlags ??= shippedRuleFlags();
    return ruleFlags;
  },
};

export function knownNames(): KnownNames {
  return KNOWN;
}
