/**
 * bench/discovery: `assim discover tcpdiscovery` against `ss -tanpH` (and
 * `ss -tulnpH`) on a host with at least 2,000 sockets held by at least 300
 * processes, all opened here on loopback: one Node process holding TCP
 * listeners (127.0.0.1 and ::1), connection pairs and UDP sockets, and 300
 * forked Perl workers (a few MB each, copy-on-write) holding a listener, a
 * client connection and the accepted end each, every one with its own argv.
 *
 * Prints the median wall time of several runs after a warm-up, peak RSS
 * (through /usr/bin/time when installed), their ratios, and where assim's
 * time goes (runtime start, CLI module load, the collector itself).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { packageRoot } from "../../lib/package-root.js";
import { discover, liveContext } from "../../probe/discovery/discover.js";
import { collectTcpDiscovery } from "../../probe/discovery/tcpdiscovery/collect.js";
import { tcpdiscoveryAgent } from "../../probe/discovery/tcpdiscovery/index.js";
import type { ProcessGroup, TcpDiscoveryData } from "../../probe/discovery/tcpdiscovery/types.js";

const WORKERS = 300;
const TCP4_LISTENERS = 250;
const TCP6_LISTENERS = 150;
const PAIRS = 600;
const UDP_SOCKETS = 100;
const WARMUPS = 1;
const RUNS = 7;
const RSS_RUNS = 3;
/** Helpers exit by themselves after this, should the benchmark die without cleaning up. */
const HELPER_LIFETIME_S = 600;
const SETUP_TIMEOUT_MS = 60_000;

const SS = "/usr/bin/ss";
const PERL = "/usr/bin/perl";
const TIME = "/usr/bin/time";
const assimBin = join(packageRoot(), "bin", "assim.js");

const WORKERS_SCRIPT = String.raw`
use strict; use warnings; use IO::Socket::INET;
$| = 1;
my ($count, $lifetime) = @ARGV;
my $parent = $$;
my @kids;
pipe(my $ready_r, my $ready_w) or die "pipe: $!";
for my $i (1 .. $count) {
  my $pid = fork();
  die "fork: $!" unless defined $pid;
  if ($pid == 0) {
    close $ready_r;
    $0 = "assim-bench-worker $i";
    my $l = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => 0, Listen => 8, Proto => "tcp", ReuseAddr => 1) or die "listen: $!";
    my $c = IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $l->sockport, Proto => "tcp") or die "connect: $!";
    my $a = $l->accept or die "accept: $!";
    syswrite $ready_w, "r";
    close $ready_w;
    my $end = time + $lifetime;
    sleep 1 while time < $end && getppid() == $parent;
    exit 0;
  }
  push @kids, $pid;
}
close $ready_w;
my ($ready, $buf) = (0, "");
while ($ready < $count) { my $n = sysread($ready_r, $buf, 4096); last unless $n; $ready += $n; }
print "ready $ready\n";
$SIG{TERM} = $SIG{INT} = $SIG{ALRM} = sub { kill 'TERM', @kids; exit 0 };
alarm $lifetime;
1 while <STDIN>;
kill 'TERM', @kids;
`;

// Exits when its stdin closes (the benchmark went away) or after its lifetime.
const HOLDER_SCRIPT = `
process.stdin.on("end", () => process.exit(0)); process.stdin.resume();
setTimeout(() => process.exit(0), ${HELPER_LIFETIME_S * 1000}).unref();
const net = require("node:net"), dgram = require("node:dgram");
const [tcp4, tcp6, pairs, udp] = process.argv.slice(1).map(Number);
const held = []; let accepted = 0;
const listen = (host) => new Promise((ok, no) => {
  const s = net.createServer((c) => { held.push(c); accepted++; });
  s.on("error", no); s.listen(0, host, () => ok(s));
});
const connect = (server) => new Promise((ok, no) => {
  const a = server.address(); const c = net.connect(a.port, a.address, ok); c.on("error", no); held.push(c);
});
const bind = (type, host) => new Promise((ok) => { const s = dgram.createSocket(type); held.push(s); s.bind(0, host, ok); });
(async () => {
  const servers = [];
  for (let i = 0; i < tcp4; i++) servers.push(await listen("127.0.0.1"));
  for (let i = 0; i < tcp6; i++) servers.push(await listen("::1"));
  for (let i = 0; i < pairs; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, pairs - i) }, (_, j) => connect(servers[(i + j) % servers.length])));
  }
  for (let i = 0; i < udp; i++) await bind(i % 2 ? "udp6" : "udp4", i % 2 ? "::1" : "127.0.0.1");
  const deadline = Date.now() + 30000;
  while (accepted < pairs && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  process.stdout.write(accepted >= pairs ? "ready\\n" : "accepted only " + accepted + "\\n");
})().catch((e) => { process.stdout.write("failed " + e.message + "\\n"); process.exit(1); });
`;

const helpers: ChildProcess[] = [];

function cleanUp(): void {
  for (const helper of helpers) {
    if (helper.exitCode === null && helper.signalCode === null) helper.kill("SIGTERM");
  }
}
process.on("exit", cleanUp);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    cleanUp();
    process.exit(130);
  });
}

const say = (text: string) => process.stdout.write(`${text}\n`);

/** Starts a helper and resolves with its first stdout line, or rejects after the setup timeout. */
function startHelper(program: string, args: string[]): Promise<string> {
  const child = spawn(program, args, { stdio: ["pipe", "pipe", "inherit"] });
  helpers.push(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${program} not ready in ${SETUP_TIMEOUT_MS} ms`)),
      SETUP_TIMEOUT_MS,
    );
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${program} exited (${code ?? signal}) during setup`));
    });
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once("line", (line) => {
      clearTimeout(timer);
      child.removeAllListeners("exit");
      resolve(line);
    });
  });
}

interface Command {
  label: string;
  program: string;
  args: string[];
}

/** Wall time of one run, the output kept for counting; throws on failure. */
function timeOnce(command: Command): { ms: number; stdout: string } {
  const started = performance.now();
  const result = spawnSync(command.program, command.args, {
    encoding: "utf8",
    maxBuffer: 1024 * 1024 * 1024,
    timeout: 120_000,
  });
  const ms = performance.now() - started;
  if (result.status !== 0) {
    throw new Error(
      `${command.label} failed (${result.status ?? result.signal}): ${result.stderr}`,
    );
  }
  return { ms, stdout: result.stdout };
}

/** Peak RSS in KiB through GNU time, or undefined when it is not installed. */
function peakRssKiB(command: Command): number | undefined {
  if (!existsSync(TIME)) return undefined;
  const result = spawnSync(TIME, ["-f", "%M", command.program, ...command.args], {
    encoding: "utf8",
    maxBuffer: 1024 * 1024 * 1024,
    timeout: 120_000,
  });
  const last = result.stderr.trim().split("\n").at(-1) ?? "";
  return result.status === 0 && /^\d+$/.test(last) ? Number(last) : undefined;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function medianRss(command: Command): number | undefined {
  const samples: number[] = [];
  for (let i = 0; i < RSS_RUNS; i++) {
    const kib = peakRssKiB(command);
    if (kib === undefined) return undefined;
    samples.push(kib);
  }
  return median(samples);
}

const fmt = (n: number | undefined, digits = 1) => (n === undefined ? "n/a" : n.toFixed(digits));
const pad = (text: string, width: number) => text.padStart(width);

async function main(): Promise<void> {
  for (const [path, what] of [
    [SS, "ss (iproute2)"],
    [PERL, "perl"],
    [assimBin, "bin/assim.js"],
  ] as const) {
    if (!existsSync(path)) throw new Error(`${what} not found at ${path}`);
  }

  say(`setting up: ${WORKERS} forked perl workers with 3 TCP sockets each...`);
  const workersReady = await startHelper(PERL, [
    "-e",
    WORKERS_SCRIPT,
    String(WORKERS),
    String(HELPER_LIFETIME_S),
  ]);
  if (workersReady !== `ready ${WORKERS}`) throw new Error(`perl workers: ${workersReady}`);
  say(
    `setting up: one node process with ${TCP4_LISTENERS + TCP6_LISTENERS} listeners, ${PAIRS} connection pairs, ${UDP_SOCKETS} UDP sockets...`,
  );
  const holderReady = await startHelper(process.execPath, [
    "-e",
    HOLDER_SCRIPT,
    String(TCP4_LISTENERS),
    String(TCP6_LISTENERS),
    String(PAIRS),
    String(UDP_SOCKETS),
  ]);
  if (holderReady !== "ready") throw new Error(`socket holder: ${holderReady}`);

  const assim: Command = {
    label: "assim discover tcpdiscovery",
    program: process.execPath,
    args: [assimBin, "discover", "tcpdiscovery"],
  };
  const ssAll: Command = { label: "ss -tanpH", program: SS, args: ["-tanpH"] };
  const ssListen: Command = { label: "ss -tulnpH", program: SS, args: ["-tulnpH"] };
  const nodeStart: Command = { label: "node -e 0", program: process.execPath, args: ["-e", "0"] };
  const cliLoad: Command = {
    label: "assim --version",
    program: process.execPath,
    args: [assimBin, "--version"],
  };
  const commands = [ssAll, ssListen, assim, nodeStart, cliLoad];

  say(`timing: ${WARMUPS} warm-up and ${RUNS} runs of each command, interleaved...`);
  const times = new Map<Command, number[]>(commands.map((c) => [c, []]));
  const outputs = new Map<Command, string>();
  for (let run = 0; run < WARMUPS + RUNS; run++) {
    for (const command of commands) {
      const { ms, stdout } = timeOnce(command);
      if (run >= WARMUPS) times.get(command)?.push(ms);
      outputs.set(command, stdout);
    }
  }
  say(`peak RSS: ${RSS_RUNS} runs each${existsSync(TIME) ? "" : ` (${TIME} missing: n/a)`}...`);
  const rss = new Map<Command, number | undefined>(commands.map((c) => [c, medianRss(c)]));

  say("timing the collector in this process...");
  const context = liveContext();
  const collectTimes: number[] = [];
  const discoverTimes: number[] = [];
  await discover(tcpdiscoveryAgent, context); // warm-up; compiles the schema
  for (let run = 0; run < RUNS; run++) {
    let started = performance.now();
    collectTcpDiscovery(context);
    collectTimes.push(performance.now() - started);
    started = performance.now();
    JSON.stringify(await discover(tcpdiscoveryAgent, context));
    discoverTimes.push(performance.now() - started);
  }

  // What each side saw, from the last run's output.
  const document = JSON.parse(outputs.get(assim) ?? "{}") as { data: TcpDiscoveryData };
  const groups = Object.entries(document.data).filter(([key]) => key !== "unowned");
  const pidsSeen = groups.reduce((n, [, g]) => n + (g as ProcessGroup).pids.length, 0);
  const listenSeen = Object.values(document.data).reduce((n, g) => n + g.listen.length, 0);
  const clientsSeen = Object.values(document.data).reduce((n, g) => n + g.clients.length, 0);
  const ssLines = (outputs.get(ssAll) ?? "").split("\n").filter((l) => l.trim() !== "");
  const ssPids = new Set(ssLines.flatMap((l) => [...l.matchAll(/pid=(\d+)/g)].map((m) => m[1])));
  const ssListenLines = (outputs.get(ssListen) ?? "").split("\n").filter((l) => l.trim() !== "");

  say("");
  say(
    `seen by ss -tanpH:   ${ssLines.length} TCP sockets (all states) held by ${ssPids.size} processes`,
  );
  say(`seen by ss -tulnpH:  ${ssListenLines.length} listening TCP/UDP sockets`);
  say(
    `seen by assim:       ${groups.length} process groups, ${pidsSeen} pids, ${listenSeen} listening addresses, ${clientsSeen} client endpoints (deduplicated per group)`,
  );
  say("");
  say(
    `${"command".padEnd(30)}${pad("median ms", 11)}${pad("min ms", 9)}${pad("peak RSS MiB", 14)}`,
  );
  for (const command of commands) {
    const samples = times.get(command) ?? [];
    const kib = rss.get(command);
    say(
      `${command.label.padEnd(30)}${pad(fmt(median(samples)), 11)}${pad(fmt(Math.min(...samples)), 9)}${pad(fmt(kib === undefined ? undefined : kib / 1024), 14)}`,
    );
  }
  say(
    `${"collector, in process".padEnd(30)}${pad(fmt(median(collectTimes)), 11)}${pad(fmt(Math.min(...collectTimes)), 9)}`,
  );
  say(
    `${"discover() + JSON, in process".padEnd(30)}${pad(fmt(median(discoverTimes)), 11)}${pad(fmt(Math.min(...discoverTimes)), 9)}`,
  );
  say("");
  const assimMs = median(times.get(assim) ?? []);
  for (const ss of [ssAll, ssListen]) {
    const ssMs = median(times.get(ss) ?? []);
    const assimRss = rss.get(assim);
    const ssRss = rss.get(ss);
    const rssRatio = assimRss !== undefined && ssRss !== undefined ? assimRss / ssRss : undefined;
    say(
      `ratio assim/${ss.label}: time ${fmt(assimMs / ssMs, 2)}x, peak RSS ${fmt(rssRatio, 2)}x (target: time <= 1.00x)`,
    );
  }
  const startMs = median(times.get(nodeStart) ?? []);
  const loadMs = median(times.get(cliLoad) ?? []);
  say(
    `assim's time: ~${fmt(startMs)} ms node start-up, ~${fmt(loadMs - startMs)} ms loading the CLI modules, ~${fmt(assimMs - loadMs)} ms discovering, validating and printing`,
  );
}

/** `--hold SECONDS`: keep the sockets open after the figures, to profile by hand (at most 600 s). */
function holdSeconds(): number {
  const at = process.argv.indexOf("--hold");
  if (at < 0) return 0;
  const seconds = Number(process.argv[at + 1]);
  return Number.isFinite(seconds) ? Math.min(Math.max(seconds, 0), HELPER_LIFETIME_S) : 0;
}

main()
  .then(async () => {
    const hold = holdSeconds();
    if (hold > 0) {
      say(`holding the sockets open for ${hold} s (Ctrl-C to stop)...`);
      await new Promise((resolve) => setTimeout(resolve, hold * 1000));
    }
    cleanUp();
    process.exit(0);
  })
  .catch((error: unknown) => {
    process.stderr.write(
      `bench/discovery: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    cleanUp();
    process.exit(1);
  });
