import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { ProgressLine } from "../../lib/progress.js";
import { UsageError } from "../errors.js";

interface SimulateOptions {
  systems: string;
  store: string;
  transport?: string;
  deaths?: string;
  hostsPerSwitch: string;
  json?: boolean;
}

export function registerSimulate(program: Command): void {
  program
    .command("simulate")
    .description("drive N simulated systems through the CMA's real registration and ring code")
    .requiredOption("-n, --systems <N>", "how many systems register (1 to 2,000,000)")
    .option(
      "--store <store>",
      "embedded (a fresh store in a temporary directory) or neo4j (NEO4J_URI)",
      "embedded",
    )
    .option(
      "--transport <transport>",
      "udp (real sockets and crypto on loopback, up to 10,000 systems) or memory (in-process)",
    )
    .option("--deaths <N>", "how many systems die after registering (default: 1%, 1 to 1000)")
    .option(
      "--hosts-per-switch <N>",
      "each system reports the switch port it is wired to, N hosts a switch (0: no switches)",
      "40",
    )
    .option("--json", "print the figures as JSON")
    .addHelpText(
      "after",
      "\nThe transport defaults to udp up to 10,000 systems and memory beyond.\n" +
        "Prints registrations per second, ring messages per join and per leave, heartbeat packets per\n" +
        "node per interval, the most partners any node has, peak RSS, and whether every probe's\n" +
        "partner sets equal the CMA's rings.\n\n  assim simulate --systems 250000",
    )
    .action(async (options: SimulateOptions) => {
      const systems = Number(options.systems);
      if (!Number.isInteger(systems) || systems < 4 || systems > 2_000_000) {
        throw new UsageError(
          `--systems must be a whole number from 4 to 2000000, got "${options.systems}"`,
        );
      }
      if (options.store !== "embedded" && options.store !== "neo4j") {
        throw new UsageError(`--store must be embedded or neo4j, got "${options.store}"`);
      }
      const { MAX_UDP_SYSTEMS, udpStacks } = await import("../../cma/simulate/udp-stacks.js");
      const transport = options.transport ?? (systems <= MAX_UDP_SYSTEMS ? "udp" : "memory");
      if (transport !== "memory" && transport !== "udp") {
        throw new UsageError(`--transport must be udp or memory, got "${transport}"`);
      }
      if (transport === "udp" && systems > MAX_UDP_SYSTEMS) {
        throw new UsageError(
          `--transport udp takes at most ${MAX_UDP_SYSTEMS} systems (a socket each); use memory beyond`,
        );
      }
      const deaths = options.deaths === undefined ? undefined : Number(options.deaths);
      if (deaths !== undefined && (!Number.isInteger(deaths) || deaths < 0 || deaths > 1000)) {
        throw new UsageError(
          `--deaths must be a whole number from 0 to 1000, got "${options.deaths}"`,
        );
      }
      const hostsPerSwitch = Number(options.hostsPerSwitch);
      if (!Number.isInteger(hostsPerSwitch) || hostsPerSwitch < 0 || hostsPerSwitch > 1000) {
        throw new UsageError(
          `--hosts-per-switch must be a whole number from 0 to 1000, got "${options.hostsPerSwitch}"`,
        );
      }
      const { runSimulation, inProcessStacks } = await import("../../cma/simulate/simulate.js");
      const { RingSet } = await import("../../cma/rings/ring-set.js");
      const directory = mkdtempSync(join(tmpdir(), "assim-simulate-"));
      try {
        const store = await openSimulationStore(options.store, directory);
        const progress = new ProgressLine();
        try {
          const report = await runSimulation({
            systems,
            store,
            rings: new RingSet(),
            stacks: transport === "udp" ? udpStacks() : inProcessStacks(),
            ...(deaths === undefined ? {} : { deaths }),
            hostsPerSwitch,
            onProgress: (phase, done, total) => progress.update(phase, done, total),
          });
          const figures = { store: store.adapter, transport, ...report };
          if (options.json) process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
          else
            for (const [name, value] of Object.entries(figures))
              process.stdout.write(
                `${name.padEnd(40)} ${typeof value === "object" ? JSON.stringify(value) : value}\n`,
              );
          if (!report.rings_consistent) process.exitCode = 1;
        } finally {
          await store.close();
        }
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
    });
}

async function openSimulationStore(kind: string, directory: string) {
  if (kind === "neo4j") {
    if (!process.env.NEO4J_URI)
      throw new UsageError("--store neo4j needs NEO4J_URI (and NEO4J_USER, NEO4J_PASSWORD)");
    const { openConfiguredStore } = await import("../../cma/graph/open.js");
    return openConfiguredStore({ dataDir: directory });
  }
  const { openEmbeddedStore } = await import("../../cma/graph/embedded/store.js");
  return openEmbeddedStore({ dataDir: directory });
}
