import { afterEach, describe, expect, it } from "vitest";
import { capturedLog } from "../../test/support/captured-log.js";
import { waitUntil } from "../../test/support/wait-until.js";
import {
  deadUrl,
  startWebhookReceiver,
  type WebhookAnswer,
  type WebhookReceiver,
  type WebhookRequest,
} from "../../test/support/webhook-receiver.js";
import { type CmaEvent, toCmaEvent } from "./event.js";
import { WebhookSink, type WebhookSinkOptions } from "./webhook-sink.js";

const receivers: WebhookReceiver[] = [];
async function receiver(answer: (request: WebhookRequest, index: number) => WebhookAnswer) {
  const started = await startWebhookReceiver(answer);
  receivers.push(started);
  return started;
}
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

const event = (n: number): CmaEvent =>
  toCmaEvent({ type: "host_down", system: `h${n}`, reason: "silent", details: { n } });

const fast = { initialBackoffMs: 5, attemptTimeoutMs: 2_000, closeDeadlineMs: 5_000 };

function sink(urls: string[], options: Partial<WebhookSinkOptions> = {}) {
  const { log, lines } = capturedLog();
  return { sink: new WebhookSink({ urls, log, ...fast, ...options }), lines };
}

const attemptsOf = (requests: WebhookRequest[], id: string) =>
  requests.filter((request) => JSON.parse(request.body).id === id).length;

describe("WebhookSink", () => {
  it("retries 503s and delivers each of 20 events exactly once, in order", async () => {
    const server = await receiver((request, index) => {
      const id = JSON.parse(request.body).id as string;
      // Every event is refused twice before it is accepted.
      return attemptsOf(server.requests.slice(0, index + 1), id) <= 2 ? 503 : 200;
    });
    const { sink: webhooks } = sink([server.url]);
    const events = Array.from({ length: 20 }, (_, n) => event(n));
    for (const e of events) webhooks.deliver(e);
    await webhooks.close();

    expect(server.stored).toEqual(events);
    expect(server.requests).toHaveLength(60);
    expect(server.requests.every((r) => r.method === "POST")).toBe(true);
    expect(server.requests.every((r) => r.contentType === "application/json")).toBe(true);
    expect(webhooks.stats()).toMatchObject({ delivered: 20, dropped: 0, queued: 0 });
  });

  it("retries a 429", async () => {
    const server = await receiver((_request, index) => (index === 0 ? 429 : 204));
    const { sink: webhooks } = sink([server.url]);
    webhooks.deliver(event(1));
    await webhooks.close();
    expect(server.requests).toHaveLength(2);
    expect(webhooks.stats()).toMatchObject({ delivered: 1, dropped: 0 });
  });

  it("does not retry a 400, and goes on with the next event", async () => {
    const server = await receiver((request) =>
      JSON.parse(request.body).system === "h1" ? 400 : 200,
    );
    const { sink: webhooks, lines } = sink([server.url]);
    for (const n of [1, 2]) webhooks.deliver(event(n));
    await webhooks.close();

    expect(server.requests.map((r) => JSON.parse(r.body).system)).toEqual(["h1", "h2"]);
    expect(webhooks.stats()).toMatchObject({ delivered: 1, rejected: 1, dropped: 1 });
    expect(lines.some((line) => line.level === "warn" && line.why === "HTTP 400")).toBe(true);
  });

  it("retries cut connections up to the attempt limit, then drops and counts the event", async () => {
    const server = await receiver(() => "destroy");
    const { sink: webhooks } = sink([server.url], { maxAttempts: 3 });
    for (const n of [1, 2]) webhooks.deliver(event(n));
    await webhooks.close();
    expect(server.requests).toHaveLength(6);
    expect(webhooks.stats()).toMatchObject({ delivered: 0, gaveUp: 2, dropped: 2 });
  });

  it("gives up on a receiver that is down, warning once for the spell", async () => {
    const { sink: webhooks, lines } = sink([await deadUrl()], { maxAttempts: 2 });
    for (const n of [1, 2, 3]) webhooks.deliver(event(n));
    await webhooks.close();
    expect(webhooks.stats()).toMatchObject({ delivered: 0, gaveUp: 3, dropped: 3 });
    expect(lines.filter((line) => line.level === "warn")).toHaveLength(1);
  });

  it("times out a silent attempt and tries again", async () => {
    const server = await receiver((_request, index) => (index === 0 ? "hang" : 200));
    const { sink: webhooks } = sink([server.url], { attemptTimeoutMs: 100 });
    const first = event(1);
    webhooks.deliver(first);
    await webhooks.close();
    expect(server.requests).toHaveLength(2);
    expect(server.stored).toEqual([first]);
  });

  it("keeps the newest events when a URL's queue is full", async () => {
    const server = await receiver(() => "hang");
    const { sink: webhooks } = sink([server.url], { maxQueue: 3 });
    const events = Array.from({ length: 6 }, (_, n) => event(n));
    for (const e of events) webhooks.deliver(e);
    expect(webhooks.stats()).toMatchObject({ overflowed: 2, queued: 3 });

    await waitUntil(() => server.requests.length === 1);
    server.release(200);
    const closed = webhooks.close();
    for (let n = 0; n < 3; n += 1) {
      await waitUntil(() => server.requests.length === n + 2);
      server.release(200);
    }
    await closed;
    expect(server.stored).toEqual([events[0], events[3], events[4], events[5]]);
  });

  it("delivers to every URL even when one is down", async () => {
    const good = await receiver(() => 200);
    const { sink: webhooks } = sink([await deadUrl(), good.url], { maxAttempts: 2 });
    const events = [event(1), event(2)];
    for (const e of events) webhooks.deliver(e);
    await webhooks.close();
    expect(good.stored).toEqual(events);
    expect(webhooks.stats()).toMatchObject({ delivered: 2, gaveUp: 2 });
  });

  it("stops waiting at the close deadline and counts what it dropped", async () => {
    const server = await receiver(() => "hang");
    const { sink: webhooks, lines } = sink([server.url], {
      attemptTimeoutMs: 30_000,
      closeDeadlineMs: 200,
    });
    for (let n = 0; n < 5; n += 1) webhooks.deliver(event(n));
    const started = Date.now();
    await webhooks.close();
    expect(Date.now() - started).toBeLessThan(3_000);
    await webhooks.close();
    expect(webhooks.stats()).toMatchObject({ delivered: 0, abandoned: 5, dropped: 5, queued: 0 });
    const warning = lines.find((line) => line.level === "warn" && line.dropped === 5);
    expect(warning?.url).toBe(server.url);
  });

  it("refuses URLs that are not http or https, naming them", () => {
    const { log } = capturedLog();
    expect(() => new WebhookSink({ urls: ["ftp://example.com/x"], log })).toThrow(
      /"ftp:\/\/example\.com\/x"/,
    );
    expect(() => new WebhookSink({ urls: ["not a url"], log })).toThrow(/"not a url"/);
    expect(() => new WebhookSink({ urls: ["file:///etc/passwd"], log })).toThrow(/file:/);
    const withPassword = () => new WebhookSink({ urls: ["https://me:s3cret@example.com/"], log });
    expect(withPassword).toThrow(/example\.com/);
    expect(withPassword).not.toThrow(/s3cret/);
  });
});
