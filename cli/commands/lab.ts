import { constants } from "node:os";
import { type Command, CommanderError } from "commander";
import { HEARTBEAT_LIMITS } from "../../cma/server/heartbeat-limits.js";
import { Lab, LabError, type LabStatus, requireRoot, type Signal } from "../../lab/lab.js";
import { defaultLabDir } from "../../lab/state.js";
import {
  DEFAULT_HOSTS,
  DEFAULT_NAME,
  DEFAULT_SUBNET,
  DEFAULT_SWITCHES,
  LabOptionError,
} from "../../lab/topology.js";
import { UsageError } from "../errors.js";

interface Where {
  name: string;
  dir?: string;
}

interface UpOptions extends Where {
  hosts: string;
  switches: string;
  subnet: string;
  replace?: boolean;
  daemons: boolean;
  services: boolean;
  interval: string;
  warn: string;
  dead: string;
  discoveryTypes?: string;
  multicast?: boolean;
}

const say = (line: string) => process.stderr.write(`assim lab: ${line}\n`);
const print = (line: string) => process.stdout.write(`${line}\n`);

function whole(option: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${option} must be a whole number, got "${text}"`);
  return Number(text);
}

/**
 * Runs an action: option mistakes exit 2 (UsageError), a lab that cannot be
 * built or found exits 1 with its message (no stack trace).
 */
function run<A extends unknown[]>(action: (...args: A) => Promise<void> | void) {
  return async (...args: A) => {
    try {
      await action(...args);
    } catch (error) {
      if (error instanceof LabOptionError) throw new UsageError(error.message);
      if (!(error instanceof LabError)) throw error;
      say(error.message);
      process.exitCode = 1;
    }
  };
}

/** Commander's own parse errors (unknown option, missing argument, ...) exit 2, as usage errors do. */
function usageExit(command: Command): Command {
  return command.exitOverride((error) => {
    if (error.exitCode !== 0 && error.code !== "commander.executeSubCommandAsync") {
      throw new CommanderError(2, error.code, error.message);
    }
    throw error;
  });
}

function where(command: Command): Command {
  return usageExit(command)
    .option(
      "--name <name>",
      "the lab's name (namespaces are <name>-cma, -sw<s>, -h<i>)",
      DEFAULT_NAME,
    )
    .option("--dir <dir>", `the lab's directory (default: ${defaultLabDir("<name>")})`);
}

function open(options: Where): Lab {
  requireRoot();
  return Lab.openByName(options.name, options.dir);
}

function example(text: string): string {
  return `\nExample:\n  ${text}`;
}

async function up(options: UpOptions): Promise<void> {
  const lab = await Lab.up({
    name: options.name,
    hosts: whole("--hosts", options.hosts),
    switches: whole("--switches", options.switches),
    subnet: options.subnet,
    ...(options.dir ? { dir: options.dir } : {}),
    daemons: options.daemons,
    services: options.services,
    replace: options.replace === true,
    intervalMs: whole("--interval", options.interval),
    warnMs: whole("--warn", options.warn),
    deadMs: whole("--dead", options.dead),
    ...(options.discoveryTypes ? { discoveryTypes: options.discoveryTypes } : {}),
    multicast: options.multicast === true,
    progress: say,
  });
  printStatus(lab.status());
}

function alive(daemon: { pid: number | null; alive: boolean } | null): string {
  if (!daemon) return "-";
  return daemon.alive
    ? `running (pid ${daemon.pid})`
    : `stopped${daemon.pid ? ` (was ${daemon.pid})` : ""}`;
}

function table(rows: string[][]): string[] {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((r) => (r[column] ?? "").length))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join("  ")
      .trimEnd(),
  );
}

function printStatus(status: LabStatus): void {
  const missing = status.namespaces.filter((ns) => !ns.present).map((ns) => ns.name);
  print(`lab "${status.name}" (${status.phase}) in ${status.dir}, subnet ${status.subnet}`);
  print(
    `namespaces: ${status.namespaces.length - missing.length} of ${status.namespaces.length} present${missing.length ? `; missing: ${missing.join(", ")}` : ""}`,
  );
  print(`cma: ${status.cma.address} in ${status.cma.ns}, daemon ${alive(status.cma.daemon)}`);
  for (const line of table([
    ["switch", "address", "bridge", "lldpd", "hosts"],
    ...status.switches.map((sw) => [
      sw.name,
      sw.address,
      sw.bridgeUp === null ? "absent" : sw.bridgeUp ? "up" : "DOWN",
      alive(sw.lldpd),
      sw.hosts.join(","),
    ]),
  ]))
    print(line);
  for (const line of table([
    ["host", "address", "switch", "port", "probe", "cma says"],
    ...status.hosts.map((h) => [
      h.name,
      h.address,
      h.switch,
      h.port,
      alive(h.daemon),
      h.cmaState ?? "-",
    ]),
  ]))
    print(line);
  const services = status.hosts.flatMap((h) => h.services);
  if (services.length === 0) return;
  for (const line of table([
    ["service", "state", "what"],
    ...services.map((s) => [s.key, s.daemon ? alive(s.daemon) : "not started", s.description]),
  ]))
    print(line);
}

function parseSignal(text: string): Signal {
  const name = text.toUpperCase().replace(/^SIG/, "");
  if (name !== "TERM" && name !== "KILL") {
    throw new UsageError(`--signal must be TERM or KILL, got "${text}"`);
  }
  return name;
}

export function registerLab(program: Command): Command {
  const group = usageExit(program.command("lab"))
    .description("a data center in network namespaces: a CMA, switches speaking LLDP/CDP, probes")
    .addHelpText(
      "after",
      "\nNeeds root. One flat subnet: the CMA on a core bridge, each switch a bridge uplinked to it\n" +
        "(lldpd announces sw<s> and port swp<i> to each host), host h<i> on switch ((i-1) mod S)+1." +
        example("sudo assim lab up --hosts 6 --switches 2 && sudo assim lab status"),
    );

  where(
    group
      .command("up")
      .description("create the lab and start its daemons")
      .option("--hosts <n>", "how many hosts (1 to 64)", String(DEFAULT_HOSTS))
      .option("--switches <n>", "how many switches (1 to 8)", String(DEFAULT_SWITCHES))
      .option("--subnet <cidr>", "the lab's IPv4 subnet (/8 to /24)", DEFAULT_SUBNET)
      .option("--replace", "remove an existing lab of that name first")
      .option("--no-daemons", "only the network and lldpd: no CMA, no probes")
      .option(
        "--no-services",
        "no services on the hosts (by default: sshd on each, a web server on h1)",
      )
      .option(
        "--interval <ms>",
        "heartbeat interval, passed to the CMA",
        String(HEARTBEAT_LIMITS.interval.defaultMs),
      )
      .option(
        "--warn <ms>",
        "late-heartbeat warning time, passed to the CMA",
        String(HEARTBEAT_LIMITS.warn.defaultMs),
      )
      .option(
        "--dead <ms>",
        "dead time, passed to the CMA",
        String(HEARTBEAT_LIMITS.dead.defaultMs),
      )
      .option("--discovery-types <list>", "discovery types the CMA asks for (comma-separated)")
      .option("--multicast", "probes find the CMA by multicast, not by its address"),
  )
    .addHelpText(
      "after",
      "\nAddresses: CMA .1, switch s .200+s, host i .10+i. Logs and status files go under the\n" +
        "lab's directory (cma/cma.log, h<i>/probe.log, sw<s>/lldpd.log, h<i>/sshd/sshd.log).\n" +
        "Every host runs its own sshd (monitored by the shipped sshd rule once discovered) and h1 a\n" +
        "python3 web server on port 8080 that no rule covers: the unmonitored service." +
        example("sudo assim lab up --hosts 8 --switches 2 --name demo"),
    )
    .action(run(up));

  where(
    group.command("down").description("remove the lab: its processes, namespaces and directory"),
  )
    .addHelpText(
      "after",
      "\nWorks after a crash halfway through `lab up` too, and when nothing is left." +
        example("sudo assim lab down --name demo"),
    )
    .action(
      run(async (options: Where) => {
        const report = await Lab.destroy({
          name: options.name,
          ...(options.dir ? { dir: options.dir } : {}),
          progress: say,
        });
        if (report.survivors.length > 0) {
          say(`process(es) ${report.survivors.join(", ")} survived SIGKILL`);
          process.exitCode = 1;
        }
        if (report.dirLeft) say(report.dirLeft);
        print(
          report.namespaces.length === 0 && report.stopped === 0
            ? `no lab "${options.name}" was running; nothing left`
            : `removed lab "${options.name}": ${report.namespaces.length} namespace(s), ${report.stopped} process(es) stopped`,
        );
      }),
    );

  where(
    group
      .command("status")
      .description("namespaces, daemons, each host's switch port and the CMA's view")
      .option("--json", "print the status as JSON"),
  )
    .addHelpText("after", example("sudo assim lab status --json"))
    .action(
      run((options: Where & { json?: boolean }) => {
        const status = open(options).status();
        if (options.json) print(JSON.stringify(status, null, 2));
        else printStatus(status);
      }),
    );

  where(
    group
      .command("kill <host>")
      .description(
        "stop a daemon: a probe (h<i>), the CMA (cma), a switch's lldpd (sw<s>) or a service (h<i>/sshd, h1/web)",
      )
      .option("--signal <signal>", "TERM (a clean shutdown) or KILL (a crash)", "TERM"),
  )
    .addHelpText(
      "after",
      "\nKilling a service shows its monitor failing (a service_state event); `lab start` brings it back." +
        example("sudo assim lab kill h3 --signal KILL") +
        example("sudo assim lab kill h2/sshd"),
    )
    .action(
      run(async (host: string, options: Where & { signal: string }) => {
        const signal = parseSignal(options.signal);
        const result = await open(options).kill(host, signal);
        if (!result.exited) {
          say(`${host} (pid ${result.pid}) did not exit within 10 s of SIG${signal}`);
          process.exitCode = 1;
          return;
        }
        print(`${host}: pid ${result.pid} ended (SIG${signal})`);
      }),
    );

  where(
    group
      .command("start <host>")
      .description("restart a stopped daemon with its original arguments"),
  )
    .addHelpText("after", example("sudo assim lab start h3"))
    .action(
      run(async (host: string, options: Where) => {
        const pid = await open(options).start(host);
        print(`${host}: started (pid ${pid})`);
      }),
    );

  where(
    group
      .command("switch <switch> <state>")
      .description("set a switch's bridge down (its hosts are cut off) or up"),
  )
    .addHelpText("after", example("sudo assim lab switch sw2 down"))
    .action(
      run((sw: string, state: string, options: Where) => {
        if (state !== "down" && state !== "up") {
          throw new UsageError(`the state must be down or up, got "${state}"`);
        }
        open(options).setSwitch(sw, state === "up");
        print(`${sw}: ${state}`);
      }),
    );

  where(
    group
      .command("exec <host> <command...>")
      .description("run a command inside a host's, a switch's or the CMA's namespace"),
  )
    .addHelpText(
      "after",
      "\nPut -- before the command so its own options are not read as assim's." +
        example("sudo assim lab exec h1 -- ping -c 1 10.250.0.1"),
    )
    .action(
      run((host: string, command: string[], options: Where) => {
        const result = open(options).exec(host, command, { stdio: "inherit" });
        if (result.error)
          throw new LabError(`could not run ${command[0]}: ${result.error.message}`);
        // A command ended by a signal exits 128 + its number, as in a shell.
        process.exitCode =
          result.status ?? 128 + (result.signal ? (constants.signals[result.signal] ?? 0) : 0);
      }),
    );

  return group;
}
