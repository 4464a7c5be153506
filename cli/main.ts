import { Command, CommanderError } from "commander";
import { packageVersion } from "../lib/package-root.js";
import { registerAnsibleInventory } from "./commands/ansible-inventory.js";
import { registerApi } from "./commands/api.js";
import { registerCma } from "./commands/cma.js";
import { registerConfig } from "./commands/config.js";
import { registerDiscover } from "./commands/discover.js";
import { registerExport } from "./commands/export.js";
import { registerIngest } from "./commands/ingest.js";
import { registerKeys } from "./commands/keys.js";
import { registerLab } from "./commands/lab.js";
import { registerNeo4j } from "./commands/neo4j.js";
import { registerProbe } from "./commands/probe.js";
import { registerQuery } from "./commands/query.js";
import { registerReport } from "./commands/report.js";
import { registerRules } from "./commands/rules.js";
import { registerSimulate } from "./commands/simulate.js";
import { registerSwitch } from "./commands/switch.js";
import { registerUp } from "./commands/up.js";
import { UsageError } from "./errors.js";

/** Commander's errors for a command line it cannot parse (unknown option, missing argument, ...). */
const PARSE_ERRORS = new Set([
  "commander.unknownOption",
  "commander.unknownCommand",
  "commander.missingArgument",
  "commander.missingMandatoryOptionValue",
  "commander.optionMissingArgument",
  "commander.excessArguments",
  "commander.invalidArgument",
  "commander.conflictingOption",
]);

export function buildProgram(): Command {
  const program = new Command("assim")
    .description(
      "passive discovery of servers, switch ports, services and dependencies, kept as a graph",
    )
    .version(packageVersion(), "-V, --version")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  registerUp(program);
  registerDiscover(program);
  registerSwitch(program);
  registerIngest(program);
  registerQuery(program);
  registerExport(program);
  registerReport(program);
  registerAnsibleInventory(program);
  registerRules(program);
  registerApi(program);
  registerNeo4j(program);
  registerSimulate(program);
  registerKeys(program);
  registerCma(program);
  registerProbe(program);
  registerLab(program);
  registerConfig(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed help, version or the parse error; a parse error is a usage mistake.
      return PARSE_ERRORS.has(error.code) ? 2 : error.exitCode;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`assim: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(
      `assim: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 1;
  }
}
