import type { Command } from "commander";
import { invalidInterfaceName } from "../../probe/switch/interfaces.js";
import {
  type CaptureProblem,
  type InterfaceCapture,
  SwitchListener,
} from "../../probe/switch/listener.js";
import type { NeighbourChange } from "../../probe/switch/neighbour-table.js";
import { UsageError } from "../errors.js";

interface ListenOptions {
  interface?: string[];
  seconds?: string;
}

const PROGRESS_EVERY_MS = 10_000;
/** Undecodable frames are described on stderr up to this many, then only counted. */
const UNDECODABLE_SHOWN = 5;
/** setTimeout's limit (about 24 days). */
const MAX_SECONDS = 2_147_483;

const say = (text: string) => process.stderr.write(`assim switch listen: ${text}\n`);

/** One output line for one change. */
export function changeRecord(change: NeighbourChange, at: number): Record<string, unknown> {
  const head = {
    event: change.kind,
    time: new Date(at).toISOString(),
    interface: change.interface,
  };
  switch (change.kind) {
    case "new":
      return { ...head, neighbour: change.neighbour };
    case "changed":
      return { ...head, neighbour: change.neighbour, changes: change.changes };
    case "gone":
      return { ...head, reason: change.reason, neighbour: change.neighbour };
  }
}

function parseSeconds(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_SECONDS) {
    throw new UsageError(
      `--seconds must be a number of seconds > 0 and <= ${MAX_SECONDS}, got "${text}"`,
    );
  }
  return seconds;
}

function parseInterfaces(names: string[] | undefined): string[] | undefined {
  if (names === undefined) return undefined;
  const list = names.flatMap((name) => name.split(",")).filter((name) => name !== "");
  for (const name of list) {
    const problem = invalidInterfaceName(name);
    if (problem) throw new UsageError(`--interface ${JSON.stringify(name)} ${problem}`);
  }
  if (list.length === 0) throw new UsageError("--interface needs an interface name");
  return list;
}

function describeCounts(name: string, capture: InterfaceCapture): string {
  const parts = [`${capture.lldp_frames} LLDP`, `${capture.cdp_frames} CDP`];
  if (capture.ignored_frames) parts.push(`${capture.ignored_frames} ignored`);
  if (capture.undecodable_frames) parts.push(`${capture.undecodable_frames} undecodable`);
  if (capture.kernel_dropped) parts.push(`${capture.kernel_dropped} dropped by the kernel`);
  return `${name}: ${capture.frames} frames (${parts.join(", ")})`;
}

function describeProblem(problem: CaptureProblem): string {
  return problem.kind === "permission"
    ? `${problem.message}; not listening on ${problem.interfaces.join(", ")}`
    : problem.message;
}

export function registerSwitchListen(group: Command): void {
  group
    .command("listen")
    .description("listen for LLDP and CDP frames and print neighbour changes as JSON lines")
    .option(
      "-i, --interface <name...>",
      "interfaces to listen on (repeatable or comma-separated); default: every up, physical Ethernet interface",
    )
    .option("-s, --seconds <n>", "stop after N seconds (default: until interrupted)")
    .addHelpText(
      "after",
      "\nPassive: frames are only received, never sent. Needs CAP_NET_RAW (root).\n" +
        'Each line is one change: {event: "new", time, interface, neighbour},\n' +
        '{event: "changed", time, interface, neighbour, changes: [{field, before, after}]} or\n' +
        '{event: "gone", time, interface, reason: "ttl_expired"|"shutdown"|"merged", neighbour}.\n' +
        "A device speaking LLDP and CDP on one interface is one neighbour. Progress goes to stderr.\n" +
        "Exit code 1 when no interface could be listened on, or every capture ended early\n" +
        "(the interfaces were deleted).",
    )
    .action(async (options: ListenOptions) => {
      const seconds = parseSeconds(options.seconds);
      const interfaces = parseInterfaces(options.interface);
      let undecodable = 0;
      let neighbours = 0;
      let lost = false;
      const done = new AbortController();
      const stop = () => done.abort();
      const listener = new SwitchListener(interfaces ? { interfaces } : {}, {
        change: (change, at) => {
          if (change.kind === "new") neighbours++;
          if (change.kind === "gone") neighbours--;
          process.stdout.write(`${JSON.stringify(changeRecord(change, at))}\n`);
        },
        problem: (problem) => {
          say(describeProblem(problem));
          // Nothing left to listen on (the capture died, or every interface went away).
          const states = Object.values(listener.status()).map((c) => c.state);
          if (problem.kind === "capture_ended" || !states.includes("listening")) {
            if (!states.includes("starting")) {
              lost = true;
              done.abort();
            }
          }
        },
        undecodable: (iface, result) => {
          if (++undecodable <= UNDECODABLE_SHOWN) {
            say(
              `${iface}: undecodable ${result.protocol ?? ""} frame: ${result.tlv} at offset ${result.offset}: ${result.message}`,
            );
          }
        },
      });
      if (listener.choice.chosen.length === 0) {
        const skipped = Object.entries(listener.choice.skipped)
          .map(([name, reason]) => `${name} (${reason})`)
          .join(", ");
        say(
          `no interface to listen on${skipped ? `; skipped ${skipped}` : ""}; name one with --interface`,
        );
        process.exitCode = 1;
        return;
      }

      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      // A closed stdout (`| head`) ends the listening instead of crashing it.
      process.stdout.on("error", stop);
      const started = Date.now();
      listener.start();
      await listener.ready;
      const status = listener.status();
      const listening = Object.keys(status).filter((name) => status[name]?.state === "listening");
      let progress: NodeJS.Timeout | undefined;
      let deadline: NodeJS.Timeout | undefined;
      try {
        if (listening.length === 0) {
          say("no interface could be listened on");
          process.exitCode = 1;
          return;
        }
        say(
          `listening on ${listening.join(", ")} for LLDP and CDP (nothing is sent); ${seconds === undefined ? "Ctrl-C to stop" : `for ${seconds} s`}`,
        );
        progress = setInterval(() => {
          const frames = Object.values(listener.status()).reduce((sum, c) => sum + c.frames, 0);
          const elapsed = Math.round((Date.now() - started) / 1000);
          say(`${elapsed} s: ${frames} frames, ${neighbours} neighbour(s)`);
        }, PROGRESS_EVERY_MS);
        await new Promise<void>((resolve) => {
          if (done.signal.aborted) return resolve();
          done.signal.addEventListener("abort", () => resolve(), { once: true });
          if (seconds !== undefined) deadline = setTimeout(stop, seconds * 1000);
        });
      } finally {
        clearInterval(progress);
        clearTimeout(deadline);
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        await listener.stop();
      }
      const elapsed = ((Date.now() - started) / 1000).toFixed(1);
      for (const [name, capture] of Object.entries(listener.status())) {
        if (capture.state !== "failed") say(describeCounts(name, capture));
      }
      if (undecodable > UNDECODABLE_SHOWN) {
        say(`${undecodable - UNDECODABLE_SHOWN} more undecodable frames not described`);
      }
      say(`stopped after ${elapsed} s; ${neighbours} neighbour(s) known`);
      if (lost) {
        say("stopped early: no interface is being listened on any more");
        process.exitCode = 1;
      }
    });
}
