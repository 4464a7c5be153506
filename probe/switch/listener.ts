/**
 * Live switch-neighbour discovery: capture (capture-process.ts) → decode
 * (decode/) → neighbour table (neighbour-table.ts), with a timer that ages
 * neighbours out when their TTL runs out. Reports changes and problems
 * through handlers, and the capture status of every interface on request.
 */

import { CaptureProcess } from "./capture-process.js";
import type { ChildMessage, OpenFailure } from "./capture-protocol.js";
import { decodeFrame } from "./decode/index.js";
import { chooseInterfaces, type InterfaceChoice } from "./interfaces.js";
import type { DecodeResult } from "./neighbour.js";
import { type NeighbourChange, NeighbourTable } from "./neighbour-table.js";

export interface InterfaceCapture {
  /** starting: not opened yet; failed: could not be opened; stopped: ended by itself. */
  state: "starting" | "listening" | "failed" | "stopped";
  /** Why it failed or stopped. */
  error?: string;
  failure?: OpenFailure;
  /** Frames that passed the LLDP/CDP filter. */
  frames: number;
  lldp_frames: number;
  cdp_frames: number;
  /** DTP, VTP, PAgP, UDLD and other frames to CDP's address. */
  ignored_frames: number;
  /** Truncated or malformed PDUs; dropped whole, as lldpd does. */
  undecodable_frames: number;
  /** Frames the kernel dropped because this process did not read them in time. */
  kernel_dropped?: number;
}

export type CaptureProblem =
  | { kind: "permission"; interfaces: string[]; message: string }
  | { kind: "interface"; interface: string; message: string }
  | { kind: "table_full"; interface: string; message: string }
  | { kind: "capture_ended"; message: string };

export interface ListenerHandlers {
  change?(change: NeighbourChange, at: number): void;
  problem?(problem: CaptureProblem): void;
  undecodable?(iface: string, result: Extract<DecodeResult, { kind: "error" }>): void;
}

export interface ListenOptions {
  /** Interfaces to listen on; replaces the automatic choice from /sys/class/net. */
  interfaces?: readonly string[];
  sysRoot?: string;
  /** Milliseconds since the epoch; injectable for tests. */
  clock?: () => number;
  maxPerInterface?: number;
}

/** The advice given once when capture is not permitted. */
export const PERMISSION_ADVICE =
  "capturing LLDP/CDP frames needs CAP_NET_RAW: run the probe as root, or give it the " +
  "capability (systemd: AmbientCapabilities=CAP_NET_RAW); switch neighbours are not discovered";

const SNAP_LENGTH = 9216;
const BUFFER_BYTES = 256 * 1024;

function emptyCapture(): InterfaceCapture {
  return {
    state: "starting",
    frames: 0,
    lldp_frames: 0,
    cdp_frames: 0,
    ignored_frames: 0,
    undecodable_frames: 0,
  };
}

export class SwitchListener {
  readonly choice: InterfaceChoice;
  /** Resolves once every interface is listening or has failed (or the capture ended). */
  readonly ready: Promise<void>;
  private readonly table: NeighbourTable;
  private readonly captures = new Map<string, InterfaceCapture>();
  private readonly clock: () => number;
  private readonly tableFull = new Set<string>();
  private capture: CaptureProcess | undefined;
  private ageing: NodeJS.Timeout | undefined;
  private readonly linkTypes = new Map<string, number>();
  private markReady: () => void = () => {};
  private stopped = false;
  private settled = false;

  constructor(
    options: ListenOptions,
    private readonly handlers: ListenerHandlers = {},
  ) {
    this.clock = options.clock ?? Date.now;
    this.table = new NeighbourTable(
      options.maxPerInterface === undefined ? {} : { maxPerInterface: options.maxPerInterface },
    );
    this.choice = options.interfaces
      ? { chosen: [...new Set(options.interfaces)], skipped: {} }
      : chooseInterfaces(options.sysRoot ?? "/sys");
    for (const name of this.choice.chosen) this.captures.set(name, emptyCapture());
    this.ready = new Promise((resolve) => {
      this.markReady = resolve;
    });
  }

  /** Starts capturing; without interfaces to listen on, it is ready at once and does nothing. */
  start(): this {
    if (this.choice.chosen.length === 0) {
      this.markReady();
      return this;
    }
    this.capture = CaptureProcess.start(
      { interfaces: this.choice.chosen, snapLength: SNAP_LENGTH, bufferBytes: BUFFER_BYTES },
      {
        message: (message) => this.onMessage(message),
        exit: (detail) => {
          for (const capture of this.captures.values()) {
            if (capture.state === "starting" || capture.state === "listening") {
              capture.state = "stopped";
              capture.error = detail;
            }
          }
          this.handlers.problem?.({ kind: "capture_ended", message: detail });
          this.settle();
        },
      },
    );
    return this;
  }

  /** Capture status per interface listened on (or tried). */
  status(): Record<string, InterfaceCapture> {
    const result: Record<string, InterfaceCapture> = {};
    for (const name of [...this.captures.keys()].sort()) {
      result[name] = { ...(this.captures.get(name) as InterfaceCapture) };
    }
    return result;
  }

  snapshot() {
    return this.table.snapshot();
  }

  /** Stops the capture (collecting its kernel statistics) and the ageing timer. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.ageing) clearTimeout(this.ageing);
    await this.capture?.stop();
    this.markReady();
  }

  private onMessage(message: ChildMessage): void {
    const capture = this.captures.get(message.interface);
    if (!capture) return;
    switch (message.type) {
      case "listening":
        capture.state = "listening";
        this.linkTypes.set(message.interface, message.link_type);
        this.settle();
        break;
      case "failed":
        capture.state = "failed";
        capture.failure = message.reason;
        capture.error = message.message;
        this.settle();
        break;
      case "stopped":
        capture.state = "stopped";
        capture.error = message.message;
        this.handlers.problem?.({
          kind: "interface",
          interface: message.interface,
          message: `capture on ${message.interface} stopped: ${message.message}`,
        });
        break;
      case "stats":
        capture.kernel_dropped = message.dropped;
        break;
      case "frame":
        this.onFrame(message.interface, capture, Buffer.from(message.data, "base64"));
        break;
    }
  }

  private onFrame(iface: string, capture: InterfaceCapture, bytes: Uint8Array): void {
    if (this.stopped) return;
    capture.frames++;
    const result = decodeFrame(bytes, this.linkTypes.get(iface) ?? -1);
    if (result.kind === "ignored") {
      capture.ignored_frames++;
      return;
    }
    if (result.kind === "error") {
      capture.undecodable_frames++;
      this.handlers.undecodable?.(iface, result);
      return;
    }
    if (result.protocol === "lldp") capture.lldp_frames++;
    else capture.cdp_frames++;
    const now = this.clock();
    // Ageing first, so a neighbour that expired before this frame is reported gone in order.
    this.emit(this.table.expire(now), now);
    const observed = this.table.observe(iface, result.protocol, result.neighbour, now);
    if (observed.rejected && !this.tableFull.has(iface)) {
      this.tableFull.add(iface);
      this.handlers.problem?.({
        kind: "table_full",
        interface: iface,
        message: `more neighbours on ${iface} than the table keeps; further new ones are ignored`,
      });
    }
    this.emit(observed.changes, now);
    this.scheduleAgeing();
  }

  private emit(changes: readonly NeighbourChange[], at: number): void {
    for (const change of changes) this.handlers.change?.(change, at);
  }

  /** One timer, set for the next expiry; re-armed after every change. */
  private scheduleAgeing(): void {
    if (this.ageing) clearTimeout(this.ageing);
    this.ageing = undefined;
    const next = this.table.nextExpiry();
    if (next === undefined || this.stopped) return;
    // Timers fire a little early or late; never spin on a due expiry.
    const delay = Math.max(next - this.clock(), 0) + 5;
    this.ageing = setTimeout(() => {
      const now = this.clock();
      this.emit(this.table.expire(now), now);
      this.scheduleAgeing();
    }, delay);
    this.ageing.unref();
  }

  /** Once every interface has answered: reports open failures, permission ones once for all. */
  private settle(): void {
    if (this.settled || [...this.captures.values()].some((c) => c.state === "starting")) return;
    this.settled = true;
    if (this.stopped) {
      this.markReady();
      return;
    }
    const denied = [...this.captures].filter(([, c]) => c.failure === "permission");
    if (denied.length > 0) {
      const detail = denied[0]?.[1].error ?? "";
      this.handlers.problem?.({
        kind: "permission",
        interfaces: denied.map(([name]) => name),
        message: `${PERMISSION_ADVICE} (libpcap: ${detail})`,
      });
    }
    for (const [name, capture] of this.captures) {
      if (capture.state === "failed" && capture.failure !== "permission") {
        this.handlers.problem?.({
          kind: "interface",
          interface: name,
          message: `cannot listen on ${name}: ${capture.error ?? "unknown error"}`,
        });
      }
    }
    this.markReady();
  }
}
