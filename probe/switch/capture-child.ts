/**
 * The capture process: opens a libpcap session (the `pcap` package) on each
 * requested interface with the LLDP/CDP filter and writes every frame to
 * stdout as a JSON line (see capture-protocol.ts). It never sends: the
 * session's inject() is never called.
 *
 * Why a separate process: the `pcap` binding cannot release a live session.
 * Its close() only calls pcap_breakloop(), and the session's libuv poll
 * handle stays referenced until another matching frame arrives, so on a
 * quiet link the process would never exit and the handle would leak. A child
 * that exits when told to stop frees everything, and keeps libpcap and the
 * CAP_NET_RAW it needs out of the main process.
 *
 * Run as: node capture-child.js '{"interfaces":["eth0"],"snapLength":...,"bufferBytes":...}'
 * Stops on SIGTERM/SIGINT or when stdin closes (the parent went away),
 * reporting each session's statistics first.
 */
import { writeSync } from "node:fs";
import { createRequire } from "node:module";
import type { PcapSession } from "pcap";
import {
  type ChildMessage,
  type ChildRequest,
  classifyOpenError,
  linkTypeNumber,
  SWITCH_FILTER,
} from "./capture-protocol.js";

type PcapModule = typeof import("pcap");

/** The parts of the binding's session object that pcap.d.ts does not declare. */
interface SessionInternals {
  buf: Buffer;
  header: Buffer;
  session: { dispatch(buf: Buffer, header: Buffer): number; read_callback: () => void };
}

function send(message: ChildMessage): void {
  // Synchronous: a parent that stops reading makes this process wait, and the
  // kernel ring (bounded) drops frames meanwhile, instead of memory growing here.
  writeSync(1, `${JSON.stringify(message)}\n`);
}

function open(pcap: PcapModule, name: string, request: ChildRequest): PcapSession | undefined {
  let session: PcapSession;
  try {
    session = pcap.createSession(name, {
      filter: SWITCH_FILTER,
      snap_length: request.snapLength,
      buffer_size: request.bufferBytes,
      // Immediate mode: frames are rare, so deliver each at once.
      buffer_timeout: 0,
      // The NIC's own filter drops multicast groups nobody joined, LLDP's
      // 01:80:c2:00:00:0e among them; promiscuous mode lets it through.
      // The BPF filter runs in the kernel, so nothing else reaches this process.
      promiscuous: true,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    send({ type: "failed", interface: name, reason: classifyOpenError(message), message });
    return undefined;
  }
  const linkType = linkTypeNumber(session.link_type) ?? -1;
  const internals = session as unknown as SessionInternals;
  session.on("packet", (packet: { buf: Buffer; header: Buffer }) => {
    const seconds = packet.header.readUInt32LE(0);
    const micros = packet.header.readUInt32LE(4);
    const captured = packet.header.readUInt32LE(8);
    const length = packet.header.readUInt32LE(12);
    send({
      type: "frame",
      interface: name,
      time_ms: seconds * 1000 + micros / 1000,
      length,
      // The binding reuses one buffer for every packet: encode before returning.
      data: packet.buf.subarray(0, Math.min(captured, packet.buf.length)).toString("base64"),
    });
  });
  // Replaces the binding's read callback (looked up by name on every poll) to
  // notice a failed read: pcap_dispatch returns -1 once when the interface is deleted.
  internals.session.read_callback = () => {
    if (internals.session.dispatch(internals.buf, internals.header) === -1) {
      send({
        type: "stopped",
        interface: name,
        message: "the capture failed (interface deleted?)",
      });
      sessions.delete(name);
    }
  };
  send({ type: "listening", interface: name, link_type: linkType });
  return session;
}

const sessions = new Map<string, PcapSession>();

function stop(): void {
  for (const [name, session] of sessions) {
    try {
      const stats = session.stats();
      send({ type: "stats", interface: name, received: stats.ps_recv, dropped: stats.ps_drop });
    } catch {
      // A session that failed has no statistics; nothing to report.
    }
  }
  process.exit(0);
}

function main(): void {
  const request = JSON.parse(process.argv[2] ?? "{}") as ChildRequest;
  const pcap = createRequire(import.meta.url)("pcap") as PcapModule;
  // libpcap warns, through the binding, about interfaces without an IPv4
  // address (only the filter's netmask needs one, and ours has no IP terms).
  pcap.warningHandler = () => {};
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  process.stdin.on("end", stop);
  process.stdin.on("error", stop);
  process.stdin.resume();
  for (const name of request.interfaces) {
    const session = open(pcap, name, request);
    if (session) sessions.set(name, session);
  }
}

main();
