import type { InterfaceCapture } from "../../switch/listener.js";
import type { Neighbour } from "../../switch/neighbour.js";

/** How the capture went on one interface, as the document reports it. */
export interface CaptureReport extends Omit<InterfaceCapture, "state"> {
  /** listened: for the whole window; failed: could not be opened; stopped: ended early. */
  state: "listened" | "failed" | "stopped";
}

export interface SwitchData {
  /** Every interface listened on, with the neighbours known at the end of the window. */
  interfaces: Record<string, { neighbours: Neighbour[] }>;
  capture: {
    /** How long the capture listened, in seconds (0 when it could not listen at all). */
    seconds: number;
    /** Per interface tried: state, frames seen, errors. */
    interfaces: Record<string, CaptureReport>;
    /** Interfaces not listened on, with why (loopback, down, virtual device, ...). */
    skipped: Record<string, string>;
    /** Capture was refused for want of CAP_NET_RAW. */
    permission_denied: boolean;
  };
}
