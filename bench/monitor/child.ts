/**
 * bench/monitor's probe stand-in: one process hosting one ResourceManager,
 * built as the probe daemon builds it (default concurrency cap, no options
 * beyond onChange), with N resources at one interval. Its CPU and RSS are what
 * bench/monitor/main.ts measures from outside, through /proc.
 *
 * The resources are a mix, in turn: `check_tcp` against the loopback listener
 * the parent opened (so accepting those connections is not charged to this
 * process), `check_dummy 0`, and `ocf:heartbeat:Dummy` with its own state file
 * under the parent's temporary directory, started through the manager before
 * the run is declared ready.
 *
 * The manager reports only transitions, so to count every completed check this
 * process reads `fullStatus()` once a second and counts the resources whose
 * `lastAt` moved (a resource completes at most one check a second at any
 * interval of 2 s or more). Stdout carries one JSON line a second:
 * {"t": ms since ready, "ops": completed checks, "busy": resources with an
 * operation running or queued, "ready": true once the Dummy resources are
 * started}, and a final line with "done": true and the states seen.
 *
 * It exits by itself after --seconds plus a margin, and when its stdin closes
 * (the parent is gone).
 *
 *   node dist/bench/monitor/child.js --dir DIR --port PORT --actions N
 *                                    --interval-seconds S --seconds S
 */
import { join } from "node:path";
import { ResourceManager } from "../../probe/monitor/resource-manager.js";
import type { AgentSpec } from "../../probe/monitor/run-agent.js";

const POLL_MS = 1_000;
/** The child outlives the run it was asked for by at most this. */
const EXIT_MARGIN_MS = 30_000;

interface ChildOptions {
  dir: string;
  port: number;
  actions: number;
  intervalSeconds: number;
  seconds: number;
}

function parseArgs(argv: string[]): ChildOptions {
  const out: Partial<ChildOptions> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    const value = argv[i + 1] ?? "";
    if (flag === "--dir") out.dir = value;
    else {
      const n = Number(value);
      if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} wants a positive number`);
      if (flag === "--port") out.port = n;
      else if (flag === "--actions") out.actions = n;
      else if (flag === "--interval-seconds") out.intervalSeconds = n;
      else if (flag === "--seconds") out.seconds = n;
      else throw new Error(`unknown argument ${JSON.stringify(flag)}`);
    }
  }
  const { dir, port, actions, intervalSeconds, seconds } = out;
  if (!dir || !port || !actions || !intervalSeconds || !seconds)
    throw new Error("child wants --dir, --port, --actions, --interval-seconds and --seconds");
  return { dir, port, actions, intervalSeconds, seconds };
}

/** The i-th resource's agent: check_tcp, check_dummy, Dummy, in turn. */
export function agentFor(i: number, port: number, dir: string): AgentSpec {
  switch (i % 3) {
    case 0:
      return {
        class: "nagios",
        plugin: "check_tcp",
        args: ["-H", "127.0.0.1", "-p", String(port), "-t", "5"],
      };
    case 1:
      return { class: "nagios", plugin: "check_dummy", args: ["0", "bench"] };
    default:
      return {
        class: "ocf",
        provider: "heartbeat",
        type: "Dummy",
        instance: `bench-${i}`,
        params: { state: join(dir, `dummy-${i}.state`) },
      };
  }
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const emit = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);
  let changes = 0;
  const manager = new ResourceManager({
    onChange: () => {
      changes++;
    },
  });
  const intervalMs = options.intervalSeconds * 1000;
  const ids: string[] = [];
  const dummies: string[] = [];
  for (let i = 0; i < options.actions; i++) {
    const id = `r${i}`;
    const agent = agentFor(i, options.port, options.dir);
    manager.add({ id, agent, intervalMs, timeoutMs: Math.min(intervalMs, 20_000) });
    ids.push(id);
    if (agent.class === "ocf") dummies.push(id);
  }

  const lastSeen = new Map<string, number>();
  let ops = 0;
  let ready = false;
  let readyAt = performance.now();
  const poll = (): number => {
    let busy = 0;
    for (const [id, status] of Object.entries(manager.fullStatus())) {
      if (status.busy) busy++;
      if (status.lastAt !== null && status.lastAt !== lastSeen.get(id)) {
        lastSeen.set(id, status.lastAt);
        ops++;
      }
    }
    return busy;
  };
  const pollTimer = setInterval(() => {
    const busy = poll();
    emit({ t: Math.round(performance.now() - readyAt), ops, busy, changes, ready });
  }, POLL_MS);

  let finished = false;
  const finish = async (why: string) => {
    if (finished) return;
    finished = true;
    clearInterval(pollTimer);
    poll();
    const states: Record<string, number> = {};
    for (const status of Object.values(manager.fullStatus())) {
      const state = status.last?.state ?? "none";
      states[state] = (states[state] ?? 0) + 1;
    }
    await manager.close();
    emit({ done: true, why, t: Math.round(performance.now() - readyAt), ops, changes, states });
    process.exit(0);
  };
  process.stdin.resume();
  process.stdin.on("end", () => void finish("stdin closed"));
  process.on("SIGTERM", () => void finish("SIGTERM"));
  setTimeout(() => void finish("time limit"), options.seconds * 1000 + EXIT_MARGIN_MS).unref();

  // Dummy resources start stopped; start them through the manager, as the CMA would.
  const started = await Promise.all(dummies.map((id) => manager.start(id)));
  const notStarted = started.filter((r) => r.state !== "ok").length;
  if (notStarted > 0)
    process.stderr.write(`bench/monitor child: ${notStarted} Dummy starts failed\n`);
  ready = true;
  readyAt = performance.now();
  emit({ t: 0, ops, busy: poll(), changes, ready, dummies: dummies.length, notStarted });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench/monitor child: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(2);
});
