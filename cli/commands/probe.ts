import type { Command } from "commander";
import { resolveDataDir } from "../../lib/data-dir.js";
import { parseAddress } from "../../protocol/address.js";
import { DEFAULT_MULTICAST_GROUP, DEFAULT_PORT } from "../../protocol/messages.js";
import { withConfigFile } from "../config-option.js";
import { UsageError } from "../errors.js";

interface ProbeCommandOptions {
  cma?: string;
  cmaKey?: string;
  bind: string;
  dataDir?: string;
  machineId?: string;
  hostname?: string;
  statusFile?: string;
}

function address(option: string, text: string) {
  try {
    return parseAddress(text, DEFAULT_PORT);
  } catch (error) {
    throw new UsageError(`${option}: ${(error as Error).message}`);
  }
}

const missing = (option: string, key: string) =>
  `required option '${option}' not specified (nor ${key} in a --config file)`;

export function registerProbe(program: Command): void {
  withConfigFile(program.command("probe"), "probe")
    .description(
      "run the probe on this host: register with the CMA, heartbeat ring partners, send discovery",
    )
    .option(
      "--cma <address>",
      `the CMA's address, IP[:PORT] (port ${DEFAULT_PORT} if left out), or "multicast" to find it at ${DEFAULT_MULTICAST_GROUP} (a CMA run with --multicast)`,
    )
    .option("--cma-key <file>", "the CMA's public key (pinned: nothing else is obeyed)")
    .option("--bind <address>", "local address and UDP port", `0.0.0.0:${DEFAULT_PORT}`)
    .option("--data-dir <dir>", "keys and status (default: $ASSIM_DATA_DIR or ./.assim)")
    .option("--machine-id <id>", "report as this machine (labs, simulation): 32 hex digits")
    .option("--hostname <name>", "report under this hostname (labs, simulation)")
    .option(
      "--status-file <file>",
      "write status JSON here every second (default: DATA_DIR/probe-status.json)",
    )
    .addHelpText(
      "after",
      "\nThe probe's key pair lives in DATA_DIR/keys/probe.key (0600) and probe.pub; copy the\n" +
        "CMA's DATA_DIR/keys/cma.pub to each host and name it with --cma-key. Logs are JSON lines\n" +
        "on stderr. SIGTERM or SIGINT: the probe tells the CMA it is shutting down (not a failure)\n" +
        "and waits up to 5 s for the acknowledgement.\n\n" +
        "  assim probe --cma 10.0.0.1 --cma-key /etc/assim/cma.pub --data-dir /var/lib/assim",
    )
    .action(async (options: ProbeCommandOptions) => {
      // Required, but checked here: a --config file may give them (commander checks before it is read).
      if (options.cma === undefined) throw new UsageError(missing("--cma <address>", "probe.cma"));
      if (options.cmaKey === undefined) {
        throw new UsageError(missing("--cma-key <file>", "probe.cma_key"));
      }
      const cma =
        options.cma.trim() === "multicast"
          ? { address: DEFAULT_MULTICAST_GROUP, port: DEFAULT_PORT }
          : address("--cma", options.cma);
      const bind = address("--bind", options.bind);
      const dataDir = resolveDataDir(options.dataDir);
      const { runProbe } = await import("../../probe/daemon/run.js");
      await runProbe({
        cma,
        cmaKeyFile: options.cmaKey,
        bind,
        dataDir,
        machineId: options.machineId ?? null,
        hostname: options.hostname ?? null,
        statusFile: options.statusFile ?? null,
      });
    });
}
