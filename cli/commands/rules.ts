import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { openConfiguredStore } from "../../cma/graph/open.js";
import type { MonitorRecord } from "../../cma/graph/store.js";
import { DocumentsError, hostDocuments } from "../../cma/monitoring/documents.js";
import { explainFromGraph, HostNotFoundError } from "../../cma/monitoring/explain-graph.js";
import { loadRules } from "../../cma/monitoring/load.js";
import {
  explainHost,
  type RuleMatch,
  type ServiceExplanation,
} from "../../cma/monitoring/match.js";
import type { Rule, RuleLoadError } from "../../cma/monitoring/types.js";
import { resolveDataDir } from "../../lib/data-dir.js";
import { UsageError } from "../errors.js";
import { writeStdout } from "../output.js";
import { openStore } from "./ingest.js";

interface RulesOptions {
  rulesDir?: string;
  json?: boolean;
}

interface ExplainOptions extends RulesOptions {
  documents?: string;
  host?: string;
  enable: string[];
  dataDir?: string;
}

function formatError(e: RuleLoadError): string {
  return `${e.file}:${e.line}:${e.column}: ${e.message}`;
}

function ruleJson(rule: Rule) {
  return { ...rule.spec, source: rule.source, origin: rule.origin };
}

function load(options: RulesOptions) {
  return loadRules(options.rulesDir === undefined ? {} : { operatorDir: options.rulesDir });
}

function reportErrors(errors: RuleLoadError[]): void {
  for (const error of errors) process.stderr.write(`assim rules: ${formatError(error)}\n`);
  if (errors.length > 0) process.exitCode = 1;
}

function agentText(m: RuleMatch): string {
  const name = [m.agent.class, m.agent.provider, m.agent.type].filter(Boolean).join(":");
  const params = Object.entries(m.params).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return [name, ...params].join(" ");
}

function monitorText(m: MonitorRecord): string {
  const { state, state_reason, state_since, resource } = m.props;
  if (m.props.class === "nomon") return "deliberately none (nomon)";
  return `${resource} ${state} since ${state_since}${state_reason ? `: ${state_reason}` : ""}`;
}

function readInput(path: string): string {
  try {
    return readFileSync(path === "-" ? 0 : path, "utf8");
  } catch (error) {
    throw new UsageError(`--documents ${path}: ${(error as Error).message}`);
  }
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerRules(program: Command): void {
  const rules = program
    .command("rules")
    .description("auto-monitoring rules: which agent monitors which discovered service");
  rules
    .command("list")
    .description("list the loaded rules with their source file, and the files that failed to load")
    .option("--rules-dir <dir>", "operator rules; they replace shipped rules of the same name")
    .option("--json", "print JSON: { rules, errors }")
    .addHelpText("after", "\nExample:\n  assim rules list --rules-dir /etc/assim/rules")
    .action(async (options: RulesOptions) => {
      const { rules: loaded, errors } = load(options);
      if (options.json) {
        await writeStdout(`${JSON.stringify({ rules: loaded.map(ruleJson), errors }, null, 2)}\n`);
      } else {
        const lines = loaded.map(
          (r) =>
            `${r.spec.name}\t${[r.spec.agent.class, r.spec.agent.provider, r.spec.agent.type].filter(Boolean).join(":")}\t${r.source}${r.spec.requires_flag ? `\t(needs --enable ${r.spec.requires_flag})` : ""}`,
        );
        await writeStdout(lines.length > 0 ? `${lines.join("\n")}\n` : "");
      }
      reportErrors(errors);
    });
  rules
    .command("explain")
    .description(
      "for each listening service in discovery documents, the rule that applies, partial matches, or why none applies",
    )
    .option(
      "--documents <file>",
      "read discovery documents (JSON lines, as `assim discover` prints them; - for stdin) instead of the graph",
    )
    .option("--host <name>", "the host to explain (name, machine id or System key)")
    .option("--data-dir <dir>", "the graph store (default: $ASSIM_DATA_DIR or ./.assim)")
    .option("--rules-dir <dir>", "operator rules; they replace shipped rules of the same name")
    .option(
      "--enable <flag>",
      "enable rules that need a flag (e.g. generic-tcp); repeatable",
      collect,
      [],
    )
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      "\nWithout --documents it reads the host's services from the graph (Neo4j when NEO4J_URI\n" +
        "is set) and shows beside each the monitor the CMA set up and its state.\n" +
        "Examples:\n  assim rules explain --host web1 --data-dir /var/lib/assim\n" +
        "  assim discover tcpdiscovery packages monitoringagents | assim rules explain --documents -",
    )
    .action(async (options: ExplainOptions) => {
      const { rules: loaded, errors } = load(options);
      const flags = { flags: new Set(options.enable) };
      let host: string;
      let services: (ServiceExplanation & { monitor?: MonitorRecord | null })[];
      if (options.documents !== undefined) {
        let docs: ReturnType<typeof hostDocuments>;
        try {
          docs = hostDocuments(readInput(options.documents), options.host);
        } catch (error) {
          if (error instanceof DocumentsError) throw new UsageError(error.message);
          throw error;
        }
        host = docs.host;
        services = explainHost(loaded, docs, flags);
      } else {
        const store = await openStore(() =>
          openConfiguredStore({ dataDir: resolveDataDir(options.dataDir), mustExist: true }),
        );
        try {
          ({ host, services } = await explainFromGraph(store, loaded, options.host, flags));
        } catch (error) {
          if (error instanceof HostNotFoundError) throw new UsageError(error.message);
          throw error;
        } finally {
          await store.close();
        }
      }
      if (options.json) {
        await writeStdout(`${JSON.stringify({ host, services }, null, 2)}\n`);
      } else {
        const out: string[] = [];
        for (const s of services) {
          const where = s.listen
            .map((e) => `${e.proto}/${e.addr.includes(":") ? `[${e.addr}]` : e.addr}:${e.port}`)
            .join(" ");
          out.push(`${s.exe ?? s.cmdline[0] ?? s.key} (${where}): ${s.verdict}`);
          if (s.applied) out.push(`  ${s.applied.rule}: ${agentText(s.applied)}`);
          else out.push(`  ${s.reason}`);
          for (const p of s.partial)
            out.push(`  partial ${p.rule}: missing ${Object.keys(p.missing).join(", ")}`);
          if (s.monitor) out.push(`  monitor: ${monitorText(s.monitor)}`);
          else if (s.monitor === null) out.push("  monitor: none");
        }
        await writeStdout(out.length > 0 ? `${out.join("\n")}\n` : "");
      }
      reportErrors(errors);
    });
}
