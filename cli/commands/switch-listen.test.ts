/**
 * `assim switch listen`, run as a process: usage errors, an interface that
 * cannot be opened, no CAP_NET_RAW (for real, as nobody), and a live capture
 * inside test namespaces fed with every sample and synthetic frame.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeFrame } from "../../probe/switch/decode/frame.js";
import { syntheticFrames } from "../../probe/switch/decode/synthetic-frames.js";
import { NeighbourTable } from "../../probe/switch/neighbour-table.js";
import { readCaptureFile } from "../../probe/switch/pcap-file.js";
import { assertValidDiscoveryDocument } from "../../protocol/discovery-document.js";
import { assimBin, runAssim } from "../../test/support/cli.js";
import { injectFrames } from "../../test/support/inject.js";
import { canCreateNamespaces, Namespace, vethBetween } from "../../test/support/netns.js";
import { changeRecord } from "./switch-listen.js";

const FIXTURES = join(import.meta.dirname, "..", "..", "probe", "switch", "decode", "fixtures");
const isRoot = process.getuid?.() === 0;
const namespaces = canCreateNamespaces();
const hasSetpriv = spawnSync("setpriv", ["--version"]).status === 0;
const liveSkip = namespaces.ok ? "" : namespaces.reason;
const nobodySkip = liveSkip || (hasSetpriv ? "" : "setpriv (util-linux) is not installed");
if (liveSkip) console.warn(`switch listen live tests skipped: ${liveSkip}`);

describe("assim switch listen: usage", () => {
  it("--help prints usage and exits 0", () => {
    const result = runAssim(["switch", "listen", "--help"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: assim switch listen/);
    expect(result.stdout).toContain("--interface");
    expect(result.stdout).toContain("--seconds");
  });

  it.each([
    [["--seconds", "0"], '--seconds must be a number of seconds > 0 and <= 2147483, got "0"'],
    [["--seconds", "soon"], '--seconds must be a number of seconds > 0 and <= 2147483, got "soon"'],
    [["--interface", "eth0/../x"], "--interface \"eth0/../x\" contains '/', ':', white space"],
    [["--interface", "a-very-long-interface-name"], "is longer than 15 bytes"],
  ])("%j is a usage error (exit 2) that names the option", (args, message) => {
    const result = runAssim(["switch", "listen", ...args]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(message);
  });

  it("an interface that cannot be opened: says why, prints nothing, exits 1", () => {
    const result = runAssim(["switch", "listen", "--interface", "assimnosuch0", "--seconds", "5"]);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(
      isRoot
        ? "cannot listen on assimnosuch0: No such device exists"
        : "capturing LLDP/CDP frames needs CAP_NET_RAW",
    );
    expect(result.stderr).toContain("no interface could be listened on");
  });
});

/** Runs a command inside ns as nobody, with no capabilities at all. */
function asNobody(ns: Namespace, args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(
    "ip",
    [
      "netns",
      "exec",
      ns.name,
      "setpriv",
      "--reuid=nobody",
      "--regid=nogroup",
      "--clear-groups",
      "--inh-caps=-all",
      process.execPath,
      assimBin,
      ...args,
    ],
    { encoding: "utf8", timeout: 60_000, env: { ...process.env, ...env } },
  );
}

function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

describe.skipIf(nobodySkip !== "")("without CAP_NET_RAW (run as nobody)", () => {
  let ns: Namespace;
  beforeAll(() => {
    ns = Namespace.create("asn");
  });
  afterAll(() => ns?.remove());

  it("switch listen says so once, for every interface, and exits 1", () => {
    const result = asNobody(ns, [
      "switch",
      "listen",
      "--interface",
      "lo,nonexistent0",
      "--seconds",
      "30",
    ]);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(occurrences(result.stderr, "needs CAP_NET_RAW")).toBe(1);
    expect(result.stderr).toContain("not listening on lo, nonexistent0");
    expect(result.stderr).toContain("socket: Operation not permitted");
  });

  it("discover switch still gives a valid document, saying so once, without waiting", () => {
    // A window longer than asNobody's time limit: the document must come without it.
    const result = asNobody(ns, ["discover", "switch"], {
      ASSIM_SWITCH_SECONDS: "600",
      ASSIM_SWITCH_INTERFACES: "lo,nonexistent0",
    });
    expect(result.status).toBe(0);
    const document = JSON.parse(result.stdout) as {
      data: { capture: Record<string, unknown>; interfaces: Record<string, unknown> };
      errors: { where: string; message: string }[];
    };
    assertValidDiscoveryDocument(document);
    expect(document.data.capture.permission_denied).toBe(true);
    expect(document.data.capture.seconds).toBe(0);
    expect(document.data.interfaces).toEqual({});
    expect(document.errors).toHaveLength(1);
    expect(document.errors[0]?.where).toBe("capture");
    expect(occurrences(document.errors[0]?.message ?? "", "needs CAP_NET_RAW")).toBe(1);
    expect(result.stderr).toBe("");
  });
});

const LLDP_GROUP = [0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e];
const CDP_GROUP = [0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcc];

/** What the capture's BPF filter lets through, written out independently of it. */
function passesFilter(frame: Uint8Array): boolean {
  const to = (group: number[]) => group.every((byte, i) => frame[i] === byte);
  return (to(LLDP_GROUP) && frame[12] === 0x88 && frame[13] === 0xcc) || to(CDP_GROUP);
}

function withDestination(frame: Uint8Array, destination: number[]): Uint8Array {
  const copy = Uint8Array.from(frame);
  copy.set(destination, 0);
  return copy;
}

/** Every Ethernet frame of the sample captures and synthetic set, then frames the filter must drop. */
function replayFrames(): Uint8Array[] {
  const samples = readdirSync(FIXTURES)
    .filter((file) => file.endsWith(".pcap"))
    .sort()
    .flatMap((file) => [...readCaptureFile(join(FIXTURES, file))])
    .filter((frame) => frame.linkType === 1)
    .map((frame) => frame.bytes);
  const synthetic = syntheticFrames.filter((f) => f.linkType === 1).map((f) => f.bytes);
  const lldp = synthetic[0] as Uint8Array;
  const noise = [
    // LLDP to the nearest non-TPMR bridge group: not the address listened for.
    withDestination(lldp, [0x01, 0x80, 0xc2, 0x00, 0x00, 0x03]),
    // An ARP request, broadcast.
    Uint8Array.from([
      ...[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x06],
      ...[0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 1, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2],
    ]),
    // An LLDP frame cut inside a TLV: passes the filter, cannot be decoded.
    lldp.subarray(0, 40),
  ];
  return [...samples, ...synthetic, ...noise];
}

interface LiveRun {
  stdout: string;
  stderr: string;
  code: number | null;
}

function txPackets(ns: Namespace, iface: string): number {
  const [link] = JSON.parse(ns.ip("-s", "-j", "link", "show", "dev", iface)) as {
    stats64: { tx: { packets: number } };
  }[];
  return link?.stats64.tx.packets ?? Number.NaN;
}

/** Waits (bounded) until test() holds for the text read so far. */
function waitFor(
  child: ChildProcess,
  stream: "stdout" | "stderr",
  test: (text: string) => boolean,
) {
  return new Promise<string>((resolve, reject) => {
    let text = "";
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting on ${stream}: ${text}`)),
      30_000,
    );
    child[stream]?.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      if (test(text)) {
        clearTimeout(timer);
        resolve(text);
      }
    });
  });
}

describe.skipIf(liveSkip !== "")("assim switch listen, live in a namespace", () => {
  let sender: Namespace;
  let listener: Namespace;
  let senderSide: string;
  let listenerSide: string;
  let listening: ChildProcess | undefined;

  beforeAll(() => {
    sender = Namespace.create("ass");
    listener = Namespace.create("asl");
    [senderSide, listenerSide] = vethBetween(sender, listener);
    sender.ip("link", "set", senderSide, "up");
    listener.ip("link", "set", listenerSide, "up");
  });

  afterAll(() => {
    listening?.kill("SIGKILL");
    sender?.remove();
    listener?.remove();
  });

  it("reports exactly the changes that decoding the same frames offline gives, and sends nothing", async () => {
    const frames = replayFrames();
    const passing = frames.filter(passesFilter);
    const results = passing.map((frame) => decodeFrame(frame, 1));
    const table = new NeighbourTable();
    const expected = results.flatMap((result) =>
      result.kind === "neighbour"
        ? table.observe(listenerSide, result.protocol, result.neighbour, Date.now()).changes
        : [],
    );
    const count = (kind: string, protocol?: string) =>
      results.filter((r) => r.kind === kind && (protocol === undefined || r.protocol === protocol))
        .length;
    expect(expected.length).toBeGreaterThan(8);
    expect(count("error")).toBeGreaterThanOrEqual(3);
    expect(frames.length - passing.length).toBe(2);

    const txBefore = txPackets(listener, listenerSide);
    listening = spawn(
      "ip",
      [
        "netns",
        "exec",
        listener.name,
        process.execPath,
        assimBin,
        "switch",
        "listen",
        "-i",
        listenerSide,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const stderrSeen = waitFor(listening, "stderr", (t) => t.includes("stopped after"));
    const stdoutSeen = waitFor(listening, "stdout", (t) => t.split("\n").length > expected.length);
    const exited = new Promise<LiveRun>((resolve) => {
      let stdout = "";
      let stderr = "";
      listening?.stdout?.on("data", (c: Buffer) => {
        stdout += c.toString();
      });
      listening?.stderr?.on("data", (c: Buffer) => {
        stderr += c.toString();
      });
      listening?.once("close", (code) => resolve({ stdout, stderr, code }));
    });
    await waitFor(listening, "stderr", (t) => t.includes("listening on"));

    expect(injectFrames(sender.name, senderSide, frames)).toBe(frames.length);
    await stdoutSeen;
    listening.kill("SIGTERM");
    await stderrSeen;
    const run = await exited;
    listening = undefined;

    expect(run.code).toBe(0);
    const events = run.stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const withoutTime = ({ time: _time, ...rest }: Record<string, unknown>) => rest;
    expect(events.map(withoutTime)).toEqual(
      expected.map((change) => withoutTime(changeRecord(change, 0))),
    );
    for (const event of events) expect(Number.isNaN(Date.parse(String(event.time)))).toBe(false);
    expect(run.stderr).toContain(
      `${listenerSide}: ${passing.length} frames (${count("neighbour", "lldp")} LLDP, ${count("neighbour", "cdp")} CDP, ${count("ignored")} ignored, ${count("error")} undecodable)`,
    );
    expect(run.stderr).toMatch(/undecodable lldp frame: .* at offset \d+/);
    // Capture is passive: the listening side transmitted nothing at all.
    expect(txPackets(listener, listenerSide)).toBe(txBefore);
  });
  it("an interface deleted while listening: says so, stops and exits 1", async () => {
    const [doomed, peer] = vethBetween(listener, listener, "d");
    listener.ip("link", "set", doomed, "up");
    listener.ip("link", "set", peer, "up");
    const child = spawn(
      "ip",
      [
        "netns",
        "exec",
        listener.name,
        process.execPath,
        assimBin,
        "switch",
        "listen",
        "-i",
        doomed,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    listening = child;
    const closed = new Promise<number | null>((resolve) => child.once("close", resolve));
    const stderr = waitFor(child, "stderr", (t) => t.includes("stopped early"));
    await waitFor(child, "stderr", (t) => t.includes("listening on"));
    listener.ip("link", "del", doomed);
    const text = await stderr;
    expect(await closed).toBe(1);
    listening = undefined;
    expect(text).toContain(`capture on ${doomed} stopped`);
    expect(text).toContain("no interface is being listened on any more");
  });
});

it.runIf(process.env.CI === "true" && liveSkip !== "")(
  "CI runs the live switch listen tests (they must not skip there)",
  () => {
    expect.fail(`live switch listen tests would skip under CI=true: ${liveSkip}`);
  },
);
