/** packages → INSTALLED relationships to shared Package nodes. */
import { packageKey } from "../../graph/keys.js";
import type { NodeFacts } from "../../graph/store.js";
import type { Mapper } from "./context.js";

interface PackageEntry {
  name: string;
  version: string;
  arch: string | null;
  source: string | null;
  source_version: string | null;
  manager: string;
}

export const mapPackages: Mapper = (document, context) => {
  const { packages } = document.data as { packages: Record<string, PackageEntry> };
  const facts = new Map<string, NodeFacts>();
  for (const p of Object.values(packages)) {
    const key = packageKey(p.manager, p.name, p.version, p.arch);
    facts.set(key, {
      key,
      props: {
        name: p.name,
        version: p.version,
        arch: p.arch,
        manager: p.manager,
        source: p.source,
        source_version: p.source_version,
      },
    });
  }
  return {
    warnings: [],
    apply: (tx) => tx.replacePackages(context.system, [...facts.values()], context.at),
  };
};
