import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { capturedLog } from "../../test/support/captured-log.js";
import { startWebhookReceiver, type WebhookReceiver } from "../../test/support/webhook-receiver.js";
import type { CmaEventInput } from "../server/ports.js";
import type { CmaEvent } from "./event.js";
import { FanOut, openEventSink } from "./event-bus.js";
import { JsonLogSink } from "./json-log-sink.js";
import type { PublishedEventSink } from "./published-sink.js";

let dir: string;
let server: WebhookReceiver | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "assim-event-bus-"));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

const down: CmaEventInput = { type: "host_down", system: "h1", hostname: "one", reason: "silent" };
const up: CmaEventInput = { type: "host_up", system: "h2", reason: "joined" };

const readLines = async (path: string) =>
  (await readFile(path, "utf8"))
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line) as CmaEvent);

describe("openEventSink", () => {
  it("gives the same stamped event to the log file, webhooks, scripts and subscribers", async () => {
    server = await startWebhookReceiver(() => 200);
    const scripts = join(dir, "scripts");
    await mkdir(scripts);
    await writeFile(join(scripts, "record"), `#!/bin/sh\ncat >> '${dir}/script-input'\n`);
    await chmod(join(scripts, "record"), 0o755);
    const { log, lines } = capturedLog();
    const bus = openEventSink({
      logFile: join(dir, "log", "events.jsonl"),
      webhooks: [server.url],
      execDir: scripts,
      log,
    });
    const seen: CmaEvent[] = [];
    bus.subscribe((event) => seen.push(event));
    bus.emit(down);
    bus.emit(up);
    await bus.close();

    expect(seen.map((event) => [event.type, event.severity])).toEqual([
      ["host_down", "critical"],
      ["host_up", "info"],
    ]);
    expect(await readLines(join(dir, "log", "events.jsonl"))).toEqual(seen);
    expect(server.stored).toEqual(seen);
    // Scripts for different events may run at once, so their order is not promised.
    const scripted = await readLines(join(dir, "script-input"));
    expect(scripted.sort((a, b) => a.system.localeCompare(b.system))).toEqual(seen);

    const logged = lines.filter((line) => line.event !== undefined);
    expect(logged.map((line) => [line.level, (line.event as CmaEvent).id])).toEqual([
      ["warn", seen[0]?.id],
      ["info", seen[1]?.id],
    ]);
    expect(bus.stats()).toMatchObject({
      emitted: 2,
      "jsonLog.written": 2,
      "webhook.delivered": 2,
      "exec.succeeded": 2,
    });
  });

  it("works with no sink configured", async () => {
    const bus = openEventSink({
      logFile: null,
      webhooks: [],
      execDir: null,
      log: capturedLog().log,
    });
    bus.emit(up);
    await bus.close();
    expect(bus.stats()).toEqual({ emitted: 1, sinkErrors: 0, listenerErrors: 0, listeners: 0 });
  });

  it("refuses a bad webhook URL when opened", () => {
    const open = () =>
      openEventSink({
        logFile: null,
        webhooks: ["gopher://x"],
        execDir: null,
        log: capturedLog().log,
      });
    expect(open).toThrow(/gopher:\/\/x/);
  });
});

describe("FanOut", () => {
  const throwing: PublishedEventSink = {
    deliver: () => {
      throw new Error("sink broke");
    },
    close: async () => {
      throw new Error("close broke");
    },
    stats: () => ({}),
  };

  it("keeps delivering to the other sinks and listeners when one throws", async () => {
    const { log, lines } = capturedLog();
    const path = join(dir, "events.jsonl");
    const bus = new FanOut(
      new Map([
        ["broken", throwing],
        ["jsonLog", new JsonLogSink({ path, log })],
      ]),
      log,
    );
    const seen: string[] = [];
    bus.subscribe(() => {
      throw new Error("listener broke");
    });
    bus.subscribe((event) => seen.push(event.system));
    bus.emit(down);
    bus.emit(up);
    await bus.close();

    expect(seen).toEqual(["h1", "h2"]);
    expect((await readLines(path)).map((event) => event.system)).toEqual(["h1", "h2"]);
    expect(bus.stats()).toMatchObject({ sinkErrors: 2, listenerErrors: 2, "jsonLog.written": 2 });
    expect(lines.some((line) => line.msg === "event sink failed to close")).toBe(true);
  });

  it("stops calling a listener once unsubscribed", () => {
    const bus = new FanOut(new Map(), capturedLog().log);
    const seen: string[] = [];
    const unsubscribe = bus.subscribe((event) => seen.push(event.system));
    bus.emit(down);
    unsubscribe();
    bus.emit(up);
    expect(seen).toEqual(["h1"]);
    expect(bus.stats().listeners).toBe(0);
  });
});
