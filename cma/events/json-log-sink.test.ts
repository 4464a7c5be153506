import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { capturedLog } from "../../test/support/captured-log.js";
import { toCmaEvent } from "./event.js";
import { JsonLogSink } from "./json-log-sink.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "assim-json-log-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const event = (n: number) =>
  toCmaEvent({ type: "host_down", system: `h${n}`, hostname: `host-${n}`, reason: "silent" });

describe("JsonLogSink", () => {
  it("writes one complete JSON line per event, in order, before close() resolves", async () => {
    const path = join(dir, "nested", "deeper", "events.jsonl");
    const { log } = capturedLog();
    const sink = new JsonLogSink({ path, log });
    const events = Array.from({ length: 500 }, (_, n) => event(n));
    for (const e of events) sink.deliver(e);
    await sink.close();

    const text = await readFile(path, "utf8");
    expect(text.endsWith("\n")).toBe(true);
    const lines = text.trimEnd().split("\n");
    expect(lines.map((line) => JSON.parse(line))).toEqual(events);
    expect(sink.stats()).toEqual({ written: 500, dropped: 0, pending: 0 });
  });

  it("creates the file readable by owner and group only, and appends to an existing one", async () => {
    const path = join(dir, "events.jsonl");
    const first = new JsonLogSink({ path, log: capturedLog().log });
    first.deliver(event(1));
    await first.close();
    expect((await stat(path)).mode & 0o777).toBe(0o640 & ~process.umask());

    const second = new JsonLogSink({ path, log: capturedLog().log });
    second.deliver(event(2));
    await second.close();
    const systems = (await readFile(path, "utf8"))
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line).system);
    expect(systems).toEqual(["h1", "h2"]);
  });

  it("drops and counts events it cannot write, logging once, without throwing", async () => {
    const notADirectory = join(dir, "file");
    await writeFile(notADirectory, "");
    const { log, lines } = capturedLog();
    const sink = new JsonLogSink({ path: join(notADirectory, "events.jsonl"), log });
    sink.deliver(event(1));
    await new Promise((resolve) => setTimeout(resolve, 50));
    sink.deliver(event(2));
    sink.deliver(event(3));
    await sink.close();

    expect(sink.stats()).toMatchObject({ written: 0, dropped: 3 });
    const errors = lines.filter((line) => line.level === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]?.path).toBe(join(notADirectory, "events.jsonl"));
  });

  it("counts events delivered after close() as dropped", async () => {
    const path = join(dir, "events.jsonl");
    const sink = new JsonLogSink({ path, log: capturedLog().log });
    sink.deliver(event(1));
    await sink.close();
    sink.deliver(event(2));
    expect(sink.stats()).toMatchObject({ written: 1, dropped: 1 });
    expect((await readFile(path, "utf8")).trimEnd().split("\n")).toHaveLength(1);
  });
});
