/**
 * Sends raw Ethernet frames out of an interface inside a test namespace, with
 * libpcap's pcap_inject (the `pcap` package), from a short-lived node process
 * run by `ip netns exec`: the test's stand-in for a switch replaying frames.
 * Only ever used on a veth the test created.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { packageRoot } from "../../lib/package-root.js";

const INJECTOR = `
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
const pcap = createRequire(process.argv[1])("pcap");
pcap.warningHandler = () => {};
// The session is only for sending; its filter (an experimental ethertype) keeps it from reading.
const session = pcap.createSession(process.argv[2], { filter: "ether proto 0x88b5", promiscuous: false });
const frames = readFileSync(0, "utf8").split("\\n").filter((line) => line !== "");
for (const hex of frames) session.inject(Buffer.from(hex, "hex"));
process.stdout.write(String(frames.length));
process.exit(0);
`;

/** Sends each frame, in order, out of `iface` in namespace `ns`; returns how many were sent. */
export function injectFrames(ns: string, iface: string, frames: readonly Uint8Array[]): number {
  const result = spawnSync(
    "ip",
    [
      "netns",
      "exec",
      ns,
      process.execPath,
      "--input-type=module",
      "-e",
      INJECTOR,
      join(packageRoot(), "package.json"),
      iface,
    ],
    {
      input: frames.map((frame) => Buffer.from(frame).toString("hex")).join("\n"),
      encoding: "utf8",
      timeout: 30_000,
    },
  );
  if (result.status !== 0) {
    throw new Error(
      `injecting frames on ${iface} failed: ${result.error?.message ?? result.stderr}`,
    );
  }
  return Number(result.stdout);
}
