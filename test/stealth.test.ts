/**
 * Discovery is passive: a full `assim discover` inside a fresh namespace must
 * transmit nothing. tcpdump captures on every interface of the namespace; a
 * ping afterwards proves the capture was really live.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assimBin } from "./support/cli.js";
import { canCreateNamespaces, Namespace, vethBetween } from "./support/netns.js";

const capability = canCreateNamespaces();
const hasTcpdump = (() => {
  try {
    execFileSync("tcpdump", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
const skipReason = !capability.ok
  ? capability.reason
  : !hasTcpdump
    ? "tcpdump is not installed"
    : "";
if (skipReason) console.warn(`stealth test skipped: ${skipReason}`);

/**
 * Starts tcpdump inside ns on all interfaces and resolves once it is listening.
 * --immediate-mode matters: without it packets wait in the kernel's ring for up
 * to a second and are lost when tcpdump is stopped, hiding any transmission.
 */
function startCapture(ns: Namespace, file: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const capture = spawn(
      "ip",
      [
        "netns",
        "exec",
        ns.name,
        "tcpdump",
        "-i",
        "any",
        "-n",
        "--immediate-mode",
        "-U",
        "-w",
        file,
      ],
      {
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    let stderr = "";
    const timer = setTimeout(() => reject(new Error(`tcpdump did not start: ${stderr}`)), 10_000);
    capture.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes("listening on")) {
        clearTimeout(timer);
        resolve(capture);
      }
    });
    capture.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`tcpdump exited with ${code}: ${stderr}`));
    });
  });
}

function stopCapture(capture: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    capture.removeAllListeners("exit");
    capture.once("exit", () => resolve());
    capture.kill("SIGINT");
  });
}

function framesIn(file: string): string[] {
  const text = execFileSync("tcpdump", ["-r", file, "-n", "-e"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
  return text.split("\n").filter((line) => line.trim() !== "");
}

describe.skipIf(skipReason !== "")("stealth: discovery transmits nothing", () => {
  let host: Namespace;
  let peer: Namespace;
  let workDir: string;

  beforeAll(() => {
    workDir = mkdtempSync(join(tmpdir(), "assim-stealth-"));
    host = Namespace.create("ast");
    peer = Namespace.create("asp");
    const [hostSide, peerSide] = vethBetween(host, peer);
    host.ip("addr", "add", "10.231.0.1/24", "dev", hostSide);
    peer.ip("addr", "add", "10.231.0.2/24", "dev", peerSide);
    host.ip("link", "set", hostSide, "up");
    peer.ip("link", "set", peerSide, "up");
  });

  afterAll(() => {
    host?.remove();
    peer?.remove();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it("captures zero frames during a full discover, then sees a ping", async () => {
    const pcapFile = join(workDir, "host.pcap");
    const capture = await startCapture(host, pcapFile);
    let discoverOutput: string;
    try {
      discoverOutput = execFileSync(
        "ip",
        ["netns", "exec", host.name, process.execPath, assimBin, "discover"],
        { encoding: "utf8", maxBuffer: 512 * 1024 * 1024, timeout: 120_000 },
      );
    } finally {
      // Let any frame the discovery might have queued reach the capture.
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await stopCapture(capture);
    const framesDuringDiscovery = framesIn(pcapFile);

    const documents = discoverOutput
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { discovertype: string });
    expect(documents.map((d) => d.discovertype).sort()).toEqual(
      ["arpcache", "cpu", "monitoringagents", "netconfig", "os", "packages", "tcpdiscovery"].sort(),
    );
    expect(framesDuringDiscovery).toEqual([]);

    // Positive control: the same capture set-up does see traffic when there is some.
    const controlFile = join(workDir, "control.pcap");
    const control = await startCapture(host, controlFile);
    host.exec("ping", ["-c", "1", "-W", "2", "10.231.0.2"]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await stopCapture(control);
    expect(framesIn(controlFile).some((line) => line.includes("ICMP echo request"))).toBe(true);
  });
});
