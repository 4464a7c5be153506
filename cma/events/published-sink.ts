import type { CmaEvent } from "./event.js";

/** One destination of stamped events; the event bus fans out to several. */
export interface PublishedEventSink {
  /** Never blocks and never throws for delivery problems: those are logged and counted. */
  deliver(event: CmaEvent): void;
  /** Finishes or gives up on pending deliveries; later events are dropped. */
  close(): Promise<void>;
  /** Counters, e.g. { written: 10, dropped: 0 }. */
  stats(): Record<string, number>;
}
