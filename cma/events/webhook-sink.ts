/**
 * POSTs each event as JSON to every configured URL. Each URL has its own
 * bounded queue and one delivery in flight at a time, so a receiver sees the
 * events in the order they were raised; a slow or dead receiver delays only
 * its own queue.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../../lib/log.js";
import { errorMessage, settlesWithin } from "./deadline.js";
import type { CmaEvent } from "./event.js";
import type { PublishedEventSink } from "./published-sink.js";
import { parseWebhookUrl, redactedUrl } from "./webhook-url.js";

export interface WebhookSinkOptions {
  urls: string[];
  log: Logger;
  /** Attempts per event, the first included. */
  maxAttempts?: number;
  /** Wait before the second attempt; doubled before each further one. */
  initialBackoffMs?: number;
  attemptTimeoutMs?: number;
  /** Events waiting per URL; the oldest is dropped beyond this. */
  maxQueue?: number;
  /** How long close() lets the queues drain before dropping what is left. */
  closeDeadlineMs?: number;
}

interface WebhookSettings {
  maxAttempts: number;
  initialBackoffMs: number;
  attemptTimeoutMs: number;
  maxQueue: number;
}

const MAX_BACKOFF_MS = 60_000;

type Attempt = { outcome: "delivered" } | { outcome: "retry" | "final"; why: string };
type Delivery = "delivered" | "rejected" | "gave_up" | "aborted";

export class WebhookSink implements PublishedEventSink {
  private readonly targets: WebhookTarget[];
  private readonly closeDeadlineMs: number;
  private readonly log: Logger;
  private closed = false;
  private closing: Promise<void> | null = null;
  private droppedAfterClose = 0;

  constructor(options: WebhookSinkOptions) {
    const settings: WebhookSettings = {
      maxAttempts: Math.max(1, options.maxAttempts ?? 5),
      initialBackoffMs: options.initialBackoffMs ?? 500,
      attemptTimeoutMs: options.attemptTimeoutMs ?? 10_000,
      maxQueue: Math.max(1, options.maxQueue ?? 10_000),
    };
    this.targets = options.urls.map(
      (raw) => new WebhookTarget(parseWebhookUrl(raw), settings, options.log),
    );
    this.closeDeadlineMs = options.closeDeadlineMs ?? 5_000;
    this.log = options.log;
  }

  deliver(event: CmaEvent): void {
    if (this.closed) {
      this.droppedAfterClose += this.targets.length;
      return;
    }
    const body = JSON.stringify(event);
    for (const target of this.targets) target.enqueue(body);
  }

  close(): Promise<void> {
    this.closed = true;
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    const allIdle = () => Promise.all(this.targets.map((target) => target.idle()));
    if (!(await settlesWithin(allIdle(), this.closeDeadlineMs))) {
      for (const target of this.targets) target.stop();
      await allIdle();
    }
    for (const target of this.targets) {
      const dropped = target.abandonQueue();
      if (dropped > 0) {
        this.log.warn(
          { url: target.name, dropped, deadlineMs: this.closeDeadlineMs },
          "webhook queue not drained before the close deadline; events dropped",
        );
      }
    }
  }

  stats(): Record<string, number> {
    const sum = { delivered: 0, rejected: 0, gaveUp: 0, overflowed: 0, abandoned: 0, queued: 0 };
    for (const target of this.targets) {
      for (const key of Object.keys(sum) as (keyof typeof sum)[]) sum[key] += target.counts[key];
    }
    sum.abandoned += this.droppedAfterClose;
    const dropped = sum.rejected + sum.gaveUp + sum.overflowed + sum.abandoned;
    return { ...sum, dropped };
  }
}

class WebhookTarget {
  readonly name: string;
  readonly counts = {
    delivered: 0,
    rejected: 0,
    gaveUp: 0,
    overflowed: 0,
    abandoned: 0,
    queued: 0,
  };
  private queue: string[] = [];
  private inFlight: string | null = null;
  private running: Promise<void> | null = null;
  private readonly stopping = new AbortController();
  private failing = false;
  private droppedWhileFailing = 0;

  constructor(
    private readonly url: URL,
    private readonly settings: WebhookSettings,
    private readonly log: Logger,
  ) {
    this.name = redactedUrl(url);
  }

  enqueue(body: string): void {
    if (this.queue.length >= this.settings.maxQueue) {
      this.queue.shift();
      this.counts.overflowed += 1;
      if (this.counts.overflowed === 1 || this.counts.overflowed % 1000 === 0) {
        this.log.warn(
          { url: this.name, overflowed: this.counts.overflowed, maxQueue: this.settings.maxQueue },
          "webhook queue full; oldest waiting events dropped",
        );
      }
    }
    this.queue.push(body);
    this.counts.queued = this.queue.length;
    this.start();
  }

  async idle(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  stop(): void {
    this.stopping.abort();
  }

  /** After idle(): counts what is still queued as dropped and empties the queue. */
  abandonQueue(): number {
    const dropped = this.queue.length + (this.inFlight === null ? 0 : 1);
    this.counts.abandoned += dropped;
    this.queue = [];
    this.inFlight = null;
    this.counts.queued = 0;
    return dropped;
  }

  private start(): void {
    if (this.running !== null || this.stopping.signal.aborted) return;
    this.running = this.drain().then(() => {
      this.running = null;
      if (this.queue.length > 0) this.start();
    });
  }

  private async drain(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      const body = this.queue.shift();
      if (body === undefined) return;
      this.counts.queued = this.queue.length;
      this.inFlight = body;
      const delivery = await this.deliverWithRetries(body);
      // Left in flight when aborted, so abandonQueue() counts it.
      if (delivery === "aborted") return;
      this.inFlight = null;
      this.record(delivery);
    }
  }

  private async deliverWithRetries(body: string): Promise<Delivery> {
    let backoffMs = this.settings.initialBackoffMs;
    for (let attempt = 1; ; attempt += 1) {
      const result = await this.attempt(body);
      if (result.outcome === "delivered") return "delivered";
      if (this.stopping.signal.aborted) return "aborted";
      if (result.outcome === "final") {
        this.logDrop("webhook refused the event; not retried", { why: result.why });
        return "rejected";
      }
      if (attempt >= this.settings.maxAttempts) {
        this.logDrop("webhook delivery failed after every attempt; event dropped", {
          why: result.why,
          attempts: attempt,
        });
        return "gave_up";
      }
      this.log.debug({ url: this.name, attempt, why: result.why, backoffMs }, "webhook retry");
      try {
        await sleep(backoffMs, undefined, { signal: this.stopping.signal });
      } catch {
        return "aborted";
      }
      backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
    }
  }

  private async attempt(body: string): Promise<Attempt> {
    try {
      const response = await fetch(this.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        // A followed 301/302 would turn the POST into a GET without the event.
        redirect: "manual",
        signal: AbortSignal.any([
          AbortSignal.timeout(this.settings.attemptTimeoutMs),
          this.stopping.signal,
        ]),
      });
      await response.body?.cancel().catch(() => {});
      const status = response.status;
      if (status >= 200 && status < 300) return { outcome: "delivered" };
      const why = `HTTP ${status}`;
      return status === 429 || status >= 500
        ? { outcome: "retry", why }
        : { outcome: "final", why };
    } catch (error) {
      return { outcome: "retry", why: errorMessage(error) };
    }
  }

  private record(delivery: Exclude<Delivery, "aborted">): void {
    if (delivery === "delivered") {
      this.counts.delivered += 1;
      if (this.failing) {
        this.log.info(
          { url: this.name, droppedWhileFailing: this.droppedWhileFailing },
          "webhook accepting events again",
        );
        this.failing = false;
        this.droppedWhileFailing = 0;
      }
      return;
    }
    if (delivery === "rejected") this.counts.rejected += 1;
    else this.counts.gaveUp += 1;
    this.droppedWhileFailing += 1;
  }

  /** Warns on the first drop of a failing spell only; the rest go to debug. */
  private logDrop(message: string, fields: Record<string, unknown>): void {
    const level = this.failing ? "debug" : "warn";
    this.failing = true;
    this.log[level]({ url: this.name, ...fields }, message);
  }
}
