/** The names a configuration may use, from the registries the commands use. */
import { loadRules } from "../../cma/monitoring/load.js";
import { defaultExporters } from "../../exporters/formats.js";
import { allDiscoveryTypes } from "../../probe/discovery/registry.js";

export interface KnownNames {
  discoveryTypes: readonly string[];
  formats: readonly string[];
  /** Flags the shipped monitoring rules need (requires_flag). */
  ruleFlags: readonly string[];
}

export function knownNames(): KnownNames {
  const flags = new Set<string>();
  for (const rule of loadRules().rules) {
    if (rule.spec.requires_flag !== undefined) flags.add(rule.spec.requires_flag);
  }
  return {
    discoveryTypes: allDiscoveryTypes,
    formats: defaultExporters().names(),
    ruleFlags: [...flags].sort(),
  };
}
