/**
 * bench/switch: LLDP/CDP decoding speed. Builds a capture of 100,000 frames
 * from the sample captures and the synthetic frames (all Ethernet), then
 * measures
 *   - the in-process decode rate (decodeFrame over frames already in memory),
 *   - the in-process rate including reading the file (readCaptureFile),
 *   - `assim switch decode FILE` (a new process, JSON lines to /dev/null),
 *   - `tshark -r FILE -V` on the same file (to /dev/null),
 * each as the median wall and CPU (user + system, through /usr/bin/time) time
 * of three runs, and prints the ratio of tshark's time to assim's. Nothing is
 * asserted.
 */
import { spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageRoot } from "../../lib/package-root.js";
import { decodeFrame } from "../../probe/switch/decode/index.js";
import { syntheticFrames } from "../../probe/switch/decode/synthetic-frames.js";
import { readCaptureFile } from "../../probe/switch/pcap-file.js";
import { writePcapFile } from "../../probe/switch/pcap-write.js";

const FRAMES = 100_000;
const IN_PROCESS_ROUNDS = 5;
const RUNS = 3;
const TIMEOUT_MS = 30 * 60_000;
const TIME = "/usr/bin/time";

const root = packageRoot();
const fixtures = join(root, "probe", "switch", "decode", "fixtures");
const assimBin = join(root, "bin", "assim.js");
const say = (text: string) => process.stdout.write(`${text}\n`);
const progress = (text: string) => process.stderr.write(`${text}\n`);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function sampleFrames(): Uint8Array[] {
  const frames: Uint8Array[] = [];
  for (const name of readdirSync(fixtures)
    .filter((n) => n.endsWith(".pcap"))
    .sort()) {
    for (const frame of readCaptureFile(join(fixtures, name))) {
      if (frame.linkType === 1) frames.push(frame.bytes);
    }
  }
  for (const frame of syntheticFrames) if (frame.linkType === 1) frames.push(frame.bytes);
  return frames;
}

interface Timing {
  wallMs: number;
  /** User + system CPU of the child, when /usr/bin/time is there to measure it. */
  cpuMs?: number;
  code: number | null;
  stderr: string;
}

/**
 * Runs a command with stdout to /dev/null, under /usr/bin/time when present
 * (the machine is shared, so CPU time is the steadier figure), calling
 * `onTick` with the child's pid every 2 s.
 */
function timed(
  command: string,
  args: string[],
  workDir: string,
  onTick?: (pid: number) => void,
): Promise<Timing> {
  const timeFile = join(workDir, "time.out");
  const useTime = existsSync(TIME);
  const [program, argv] = useTime
    ? [TIME, ["-f", "%e %U %S", "-o", timeFile, command, ...args]]
    : [command, args];
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(program, argv, { stdio: ["ignore", openSync("/dev/null", "w"), "pipe"] });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const ticker = setInterval(() => {
      if (onTick !== undefined && child.pid !== undefined) onTick(child.pid);
    }, 2000);
    const timer = setTimeout(() => child.kill("SIGTERM"), TIMEOUT_MS);
    child.on("error", reject);
    child.on("close", (code) => {
      clearInterval(ticker);
      clearTimeout(timer);
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      let cpuMs: number | undefined;
      if (useTime && existsSync(timeFile)) {
        const [, user, system] = readFileSync(timeFile, "utf8").trim().split(/\s+/).map(Number);
        if (user !== undefined && system !== undefined) cpuMs = (user + system) * 1000;
      }
      resolve({ wallMs, cpuMs, code, stderr });
    });
  });
}

/** How far a process has read `file`: the position of its descriptor on it, from /proc. */
function readPosition(pid: number, file: string): number | undefined {
  const pids = [pid, ...childrenOf(pid)];
  for (const each of pids) {
    try {
      for (const fd of readdirSync(`/proc/${each}/fd`)) {
        if (readlinkSync(`/proc/${each}/fd/${fd}`) !== file) continue;
        const pos = /^pos:\s+(\d+)/m.exec(readFileSync(`/proc/${each}/fdinfo/${fd}`, "utf8"));
        if (pos) return Number(pos[1]);
      }
    } catch {
      // The process ended meanwhile, or /proc is not there: no progress figure.
    }
  }
  return undefined;
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

function describe(label: string, runs: Timing[]): { wall: number; cpu?: number } {
  const wall = median(runs.map((run) => run.wallMs));
  const cpus = runs.flatMap((run) => (run.cpuMs === undefined ? [] : [run.cpuMs]));
  const cpu = cpus.length === runs.length ? median(cpus) : undefined;
  say(
    `${label}: ${(wall / 1000).toFixed(2)} s wall` +
      (cpu === undefined ? "" : `, ${(cpu / 1000).toFixed(2)} s CPU`) +
      ` (median of ${runs.length}), ${Math.round(FRAMES / (wall / 1000)).toLocaleString("en")} frames/s wall`,
  );
  return cpu === undefined ? { wall } : { wall, cpu };
}

async function main(): Promise<void> {
  const workDir = mkdtempSync(join(tmpdir(), "assim-bench-switch-"));
  try {
    const samples = sampleFrames();
    const file = join(workDir, "switch-100k.pcap");
    const frames = Array.from(
      { length: FRAMES },
      (_, i) => samples[i % samples.length] as Uint8Array,
    );
    writePcapFile(
      file,
      1,
      frames.map((bytes, i) => ({ bytes, timestamp: 1_700_000_000 + i / 1000 })),
    );
    const kinds = { neighbour: 0, ignored: 0, error: 0 };
    for (const bytes of samples) kinds[decodeFrame(bytes, 1).kind]++;
    say(
      `capture: ${FRAMES.toLocaleString("en")} frames (${samples.length} distinct samples: ` +
        `${kinds.neighbour} neighbours, ${kinds.ignored} ignored, ${kinds.error} errors), ` +
        `${(statSync(file).size / 1e6).toFixed(1)} MB`,
    );

    // In process, frames in memory.
    const rates: number[] = [];
    for (let round = 0; round <= IN_PROCESS_ROUNDS; round++) {
      const started = process.hrtime.bigint();
      let sink = 0;
      for (const bytes of frames) if (decodeFrame(bytes, 1).kind === "neighbour") sink++;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (sink === 0) throw new Error("nothing decoded");
      if (round > 0) rates.push(FRAMES / seconds); // round 0 warms up
    }
    const decodeRate = median(rates);
    say(
      `decodeFrame in process: ${Math.round(decodeRate).toLocaleString("en")} frames/s (median of ${IN_PROCESS_ROUNDS})`,
    );

    // In process, reading the file too.
    const fileRates: number[] = [];
    for (let round = 0; round < IN_PROCESS_ROUNDS; round++) {
      const started = process.hrtime.bigint();
      let count = 0;
      for (const frame of readCaptureFile(file)) {
        decodeFrame(frame.bytes, frame.linkType);
        count++;
      }
      fileRates.push(count / (Number(process.hrtime.bigint() - started) / 1e9));
    }
    say(
      `readCaptureFile + decodeFrame: ${Math.round(median(fileRates)).toLocaleString("en")} frames/s`,
    );

    // The CLI, as a user runs it.
    const cliRuns: Timing[] = [];
    for (let run = 1; run <= RUNS; run++) {
      progress(`assim switch decode: run ${run} of ${RUNS}...`);
      const result = await timed(process.execPath, [assimBin, "switch", "decode", file], workDir);
      if (result.code !== 0) throw new Error(`assim switch decode failed: ${result.stderr}`);
      cliRuns.push(result);
    }
    const cli = describe("assim switch decode FILE > /dev/null", cliRuns);

    // tshark -V on the same file; progress from how far it has read the file.
    if (spawnSync("tshark", ["-v"]).status !== 0) {
      say("tshark: not installed, no ratio");
      return;
    }
    const size = statSync(file).size;
    const tsharkRuns: Timing[] = [];
    for (let run = 1; run <= RUNS; run++) {
      progress(
        `tshark -r FILE -V: run ${run} of ${RUNS} (${FRAMES.toLocaleString("en")} frames)...`,
      );
      const result = await timed("tshark", ["-r", file, "-V"], workDir, (pid) => {
        const position = readPosition(pid, file);
        if (position !== undefined) {
          progress(`  tshark has read ${Math.round((100 * position) / size)}% of the file`);
        }
      });
      if (result.code !== 0) throw new Error(`tshark failed (${result.code}): ${result.stderr}`);
      tsharkRuns.push(result);
    }
    const tshark = describe("tshark -r FILE -V > /dev/null", tsharkRuns);
    say(
      `ratio (tshark time / assim time): ${(tshark.wall / cli.wall).toFixed(1)}x wall` +
        (tshark.cpu !== undefined && cli.cpu !== undefined
          ? `, ${(tshark.cpu / cli.cpu).toFixed(1)}x CPU`
          : "") +
        " (target: 50x)",
    );
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

await main();
