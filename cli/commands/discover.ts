import type { Command } from "commander";
import { discoverAll, liveContext } from "../../probe/discovery/discover.js";
import {
  allDiscoveryTypes,
  type DiscoveryType,
  discoveryTypes,
  isDiscoveryType,
  loadAgents,
  onRequestTypes,
} from "../../probe/discovery/registry.js";
import { UsageError } from "../errors.js";
import { writeStdout } from "../output.js";

/** The named types, once each, in the order given; all types when none is named. */
export function selectTypes(names: string[]): DiscoveryType[] {
  if (names.length === 0) return [...discoveryTypes];
  const unknown = names.filter((name) => !isDiscoveryType(name));
  if (unknown.length > 0) {
    throw new UsageError(
      `unknown discovery type${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}; valid types: ${allDiscoveryTypes.join(", ")}`,
    );
  }
  return [...new Set(names as DiscoveryType[])];
}

export function registerDiscover(program: Command): void {
  program
    .command("discover")
    .description("discover this host passively and print one JSON discovery document per line")
    .argument(
      "[type...]",
      `discovery types to run (default: ${discoveryTypes.join(", ")}; only when named: ${onRequestTypes.join(", ")})`,
    )
    .option("--pretty", "indent each document (documents are then separated by a blank line)")
    .addHelpText(
      "after",
      "\nNothing is sent on the network: every type reads /proc, /sys, local files and local commands;\n" +
        "`switch` receives LLDP/CDP frames for ASSIM_SWITCH_SECONDS (default 32) seconds on the\n" +
        "interfaces in ASSIM_SWITCH_INTERFACES (default: every up, physical Ethernet interface).\n" +
        "What could not be read is listed in each document's `errors` array; the exit code is\n" +
        "non-zero only when a type failed as a whole.",
    )
    .action(async (types: string[], options: { pretty?: boolean }) => {
      const agents = await loadAgents(selectTypes(types));
      let failures = 0;
      for await (const outcome of discoverAll(agents, liveContext())) {
        if (outcome.ok) {
          const text = options.pretty
            ? `${JSON.stringify(outcome.document, null, 2)}\n\n`
            : `${JSON.stringify(outcome.document)}\n`;
          await writeStdout(text);
        } else {
          failures++;
          process.stderr.write(`assim discover: ${outcome.type} failed: ${outcome.error}\n`);
        }
      }
      if (failures > 0) process.exitCode = 1;
    });
}
