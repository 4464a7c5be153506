/**
 * The CMA's EventSink: stamps each event once, logs it, and hands it to every
 * configured sink and in-process subscriber. A sink or subscriber that throws
 * is logged and counted; the others still get the event.
 */
import type { Logger } from "../../lib/log.js";
import type { CmaEventInput, EventSink } from "../server/ports.js";
import { type CmaEvent, toCmaEvent } from "./event.js";
import { ExecSink } from "./exec-sink.js";
import { JsonLogSink } from "./json-log-sink.js";
import type { PublishedEventSink } from "./published-sink.js";
import { WebhookSink } from "./webhook-sink.js";

export interface EventSinkOptions {
  /** File of one JSON line per event, or null for none. */
  logFile: string | null;
  /** http(s) URLs each event is POSTed to. */
  webhooks: string[];
  /** Directory of scripts run for each event, or null for none. */
  execDir: string | null;
  log: Logger;
}

export type EventListener = (event: CmaEvent) => void;

export interface EventBus extends EventSink {
  /** Counters of the bus and of each sink, e.g. "webhook.delivered". */
  stats(): Record<string, number>;
  /** Calls the listener with every later event; returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void;
}

/** Throws if a webhook URL is not a valid http(s) URL. */
export function openEventSink(options: EventSinkOptions): EventBus {
  const log = options.log;
  const sinks = new Map<string, PublishedEventSink>();
  if (options.logFile !== null) {
    sinks.set("jsonLog", new JsonLogSink({ path: options.logFile, log }));
  }
  if (options.webhooks.length > 0) {
    sinks.set("webhook", new WebhookSink({ urls: options.webhooks, log }));
  }
  if (options.execDir !== null) {
    sinks.set("exec", new ExecSink({ dir: options.execDir, log }));
  }
  return new FanOut(sinks, log);
}

export class FanOut implements EventBus {
  private readonly listeners = new Set<EventListener>();
  private readonly counts = { emitted: 0, sinkErrors: 0, listenerErrors: 0 };
  private closing: Promise<void> | null = null;

  constructor(
    private readonly sinks: ReadonlyMap<string, PublishedEventSink>,
    private readonly log: Logger,
  ) {}

  emit(input: CmaEventInput): void {
    const event = toCmaEvent(input);
    this.counts.emitted += 1;
    const message = `${event.type} ${event.system}: ${event.reason}`;
    if (event.severity === "critical") this.log.warn({ event }, message);
    else this.log.info({ event }, message);
    for (const [name, sink] of this.sinks) {
      try {
        sink.deliver(event);
      } catch (error) {
        this.counts.sinkErrors += 1;
        this.log.error({ err: error, sink: name, eventId: event.id }, "event sink failed");
      }
    }
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.counts.listenerErrors += 1;
        this.log.error({ err: error, eventId: event.id }, "event listener failed");
      }
    }
  }

  subscribe(listener: EventListener): () => void {
    // Wrapped, so the same function subscribed twice is called twice and unsubscribed once.
    const entry: EventListener = (event) => listener(event);
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  close(): Promise<void> {
    this.closing ??= this.closeSinks();
    return this.closing;
  }

  stats(): Record<string, number> {
    const all: Record<string, number> = { ...this.counts, listeners: this.listeners.size };
    for (const [name, sink] of this.sinks) {
      for (const [key, value] of Object.entries(sink.stats())) all[`${name}.${key}`] = value;
    }
    return all;
  }

  private async closeSinks(): Promise<void> {
    const closing = [...this.sinks].map(async ([name, sink]) => {
      try {
        await sink.close();
      } catch (error) {
        this.log.error({ err: error, sink: name }, "event sink failed to close");
      }
    });
    await Promise.all(closing);
  }
}
