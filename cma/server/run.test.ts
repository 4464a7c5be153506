/**
 * startCma when its UDP or metrics address is taken: a clear ListenError, and
 * everything it opened closed again.
 */
import { createSocket, type Socket } from "node:dgram";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ListenError } from "../../lib/listen.js";
import { capturedLog } from "../../test/support/captured-log.js";
import { freePort } from "../../test/support/daemons.js";
import { type RunCmaOptions, startCma } from "./run.js";

const dir = mkdtempSync(join(tmpdir(), "assim-run-cma-"));
let holder: Server;
let taken: number;

beforeAll(async () => {
  vi.stubEnv("NEO4J_URI", "");
  holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
  taken = (holder.address() as { port: number }).port;
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await new Promise<void>((resolve) => holder.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

const options = (udpPort: number, metricsPort: number): RunCmaOptions => ({
  bind: { address: "127.0.0.1", port: udpPort },
  dataDir: join(dir, "data"),
  trustMode: "tofu",
  heartbeat: { interval_ms: 1000, warn_ms: 3000, dead_ms: 10_000 },
  discovery: { types: ["os"], interval_s: 300, switch_seconds: 32 },
  eventsLog: null,
  webhooks: [],
  execDir: null,
  statusFile: null,
  multicast: null,
  monitoring: null,
  metricsListen: { host: "127.0.0.1", port: metricsPort },
});

describe("startCma", () => {
  it("says which metrics address it cannot listen on and why, having closed what it opened", async () => {
    const udpPort = await freePort();
    const { log } = capturedLog();
    const failed = startCma(options(udpPort, taken), log);
    await expect(failed).rejects.toThrow(ListenError);
    await expect(failed).rejects.toMatchObject({
      listener: "metrics",
      message: `cannot serve metrics on 127.0.0.1 port ${taken}: it is already in use`,
    });
    // The UDP port and the store were released: the same CMA starts on them.
    const cma = await startCma(options(udpPort, 0), log);
    await cma.close();
  });

  it("says which UDP address it cannot bind and why, having closed what it opened", async () => {
    const udpHolder: Socket = createSocket("udp4");
    await new Promise<void>((resolve) => udpHolder.bind(0, "127.0.0.1", resolve));
    const busy = udpHolder.address().port;
    try {
      const failed = startCma(options(busy, 0), capturedLog().log);
      await expect(failed).rejects.toThrow(ListenError);
      await expect(failed).rejects.toMatchObject({
        listener: "udp",
        message: `cannot bind UDP 127.0.0.1 port ${busy}: it is already in use`,
        cause: { code: "EADDRINUSE" },
      });
    } finally {
      await new Promise<void>((resolve) => udpHolder.close(() => resolve()));
    }
    // The store and the events log were released: the same CMA starts on the port now free.
    const cma = await startCma(options(busy, 0), capturedLog().log);
    await cma.close();
  });
});
