import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MessageRefusedError, MessageTimeoutError, type PeerInfo } from "../transport.js";
import { decodeFrame, encodeAck, encodeData } from "./frames.js";
import { type Faults, LossyNetwork, NO_FAULTS } from "./lossy-network.js";
import { createMessenger, type ReliableMessenger } from "./messenger.js";

const start = () => randomBytes(8).toString("hex");

function node(network: LossyNetwork, key: string, port: number) {
  const endpoint = network.endpoint(key, port, start());
  const messenger = createMessenger(endpoint, { minRtoMs: 20, maxRtoMs: 400 });
  endpoint.onPacket((packet) => messenger.receive(packet));
  return { endpoint, messenger, key, address: endpoint.address() };
}

async function until(condition: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  if (!condition()) throw new Error("condition not met in time");
}

function collector(messenger: ReliableMessenger) {
  const got: { type: string; body: unknown; peer: PeerInfo }[] = [];
  messenger.onMessage(async (peer, type, body) => {
    got.push({ type, body, peer });
  });
  return got;
}

describe("reliable messenger", () => {
  it("delivers every message exactly once, in order, under loss, duplication and reordering", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 }), async (seed) => {
        const faults: Faults = { loss: 0.2, duplicate: 0.1, jitterMs: 15, delayMs: 1 };
        const network = new LossyNetwork(seed, faults);
        const a = node(network, "A", 1);
        const b = node(network, "B", 2);
        const got = collector(b.messenger);
        const sends = Array.from({ length: 60 }, (_, i) =>
          a.messenger.send("B", b.address, i % 7 === 0 ? "BIG" : "SMALL", {
            i,
            pad: "x".repeat(i % 7 === 0 ? 5000 : 10),
          }),
        );
        await Promise.all(sends);
        expect(got.map((m) => (m.body as { i: number }).i)).toEqual(
          Array.from({ length: 60 }, (_, i) => i),
        );
        expect(got.every((m) => m.peer.key === "A")).toBe(true);
        await a.messenger.close();
        await b.messenger.close();
      }),
      { numRuns: 5 },
    );
  }, 120_000);

  it("acknowledges only after the handler succeeds, handling a message once", async () => {
    const network = new LossyNetwork(3);
    const a = node(network, "A", 1);
    const b = node(network, "B", 2);
    let calls = 0;
    const handled: unknown[] = [];
    b.messenger.onMessage(async (_peer, _type, body) => {
      calls++;
      if (calls <= 2) throw new Error("store unavailable");
      handled.push(body);
    });
    let resolved = 0;
    await a.messenger.send("B", b.address, "DISCOVERY", { doc: 1 }).then(() => resolved++);
    await a.messenger.send("B", b.address, "DISCOVERY", { doc: 2 }).then(() => resolved++);
    expect(calls).toBe(4);
    expect(handled).toEqual([{ doc: 1 }, { doc: 2 }]);
    expect(resolved).toBe(2);
    expect(b.messenger.stats().handler_failures).toBe(2);
  });

  it("passes a refusal back to the sender without retransmitting", async () => {
    const network = new LossyNetwork(4);
    const a = node(network, "A", 1);
    const b = node(network, "B", 2);
    let calls = 0;
    b.messenger.onMessage(async (_peer, type) => {
      calls++;
      if (type === "BAD") throw new MessageRefusedError("invalid document: no machine_id");
    });
    await expect(a.messenger.send("B", b.address, "BAD", {})).rejects.toThrow(
      /invalid document: no machine_id/,
    );
    await a.messenger.send("B", b.address, "GOOD", {});
    expect(calls).toBe(2);
  });

  it("carries a 1.5 MiB body under 5% loss", async () => {
    const network = new LossyNetwork(5, { loss: 0.05, duplicate: 0.02, jitterMs: 3, delayMs: 0 });
    const a = node(network, "A", 1);
    const b = node(network, "B", 2);
    const got = collector(b.messenger);
    const random = randomBytes(1024 * 1024).toString("base64");
    const body = { data: random.slice(0, 1_500_000) };
    await a.messenger.send("B", b.address, "DISCOVERY", body);
    expect(got).toHaveLength(1);
    expect((got[0]?.body as { data?: string } | undefined)?.data).toBe(body.data);
  }, 60_000);

  it("re-sends what was not acknowledged when the receiver restarts, and loses nothing acknowledged", async () => {
    const network = new LossyNetwork(6);
    const a = node(network, "A", 1);
    const b1 = node(network, "B", 2);
    const got1 = collector(b1.messenger);
    await a.messenger.send("B", b1.address, "M", { n: 1 });
    // b1 dies mid-handling of n=2: nothing acknowledged.
    b1.messenger.onMessage(() => new Promise(() => undefined));
    const second = a.messenger.send("B", b1.address, "M", { n: 2 });
    await until(() => (b1.messenger.stats().messages_received ?? 0) >= 2);
    await b1.endpoint.close();
    await b1.messenger.close();
    const restarts: string[] = [];
    a.messenger.onPeerRestart((_peer, previous) => restarts.push(String(previous)));
    const b2 = node(network, "B", 2);
    const got2 = collector(b2.messenger);
    await second;
    await a.messenger.send("B", b2.address, "M", { n: 3 });
    expect(got1.map((m) => m.body)).toEqual([{ n: 1 }]);
    expect(got2.map((m) => m.body)).toEqual([{ n: 2 }, { n: 3 }]);
    expect(restarts).toEqual([b1.endpoint.startId]);
  });

  it("recovers when the receiver forgot the session but kept running", async () => {
    const network = new LossyNetwork(7);
    const a = node(network, "A", 1);
    const b = node(network, "B", 2);
    const got = collector(b.messenger);
    const gotBack = collector(a.messenger);
    await a.messenger.send("B", b.address, "M", { n: 1 });
    b.messenger.forget("A");
    await a.messenger.send("B", b.address, "M", { n: 2 });
    await b.messenger.send("A", a.address, "M", { back: true });
    expect(got.map((m) => m.body)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(gotBack.map((m) => m.body)).toEqual([{ back: true }]);
  });

  it("does not reset a confirmed session for packets replayed from an old run", async () => {
    const network = new LossyNetwork(8);
    const a1 = node(network, "A", 1);
    const b = node(network, "B", 2);
    const got = collector(b.messenger);
    await a1.messenger.send("B", b.address, "M", { n: 1 });
    const oldPackets = network.log.filter((entry) => entry.packet.sender === "A");
    await a1.messenger.close();
    await a1.endpoint.close();
    const a2 = node(network, "A", 1);
    await a2.messenger.send("B", b.address, "M", { n: 2 });
    for (const entry of oldPackets) network.deliver(entry.to, entry.packet, false);
    await new Promise((r) => setTimeout(r, 100));
    await a2.messenger.send("B", b.address, "M", { n: 3 });
    expect(got.map((m) => m.body)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(b.messenger.stats().other_session).toBeGreaterThan(0);
  });

  it("times out a send to a silent peer, and keeps the stream whole after a timeout", async () => {
    const network = new LossyNetwork(9);
    const a = node(network, "A", 1);
    const started = Date.now();
    await expect(
      a.messenger.send(
        "NOBODY",
        { address: "127.0.0.1", port: 99 },
        "PING",
        {},
        { timeoutMs: 200 },
      ),
    ).rejects.toBeInstanceOf(MessageTimeoutError);
    expect(Date.now() - started).toBeLessThan(2000);
    const b = node(network, "B", 2);
    const got: number[] = [];
    let release: () => void = () => undefined;
    b.messenger.onMessage(async (_p, _t, body) => {
      const n = (body as { n: number }).n;
      if (n === 1) await new Promise<void>((resolve) => (release = resolve));
      got.push(n);
    });
    const first = a.messenger.send("B", b.address, "M", { n: 1 }, { timeoutMs: 100 });
    await expect(first).rejects.toBeInstanceOf(MessageTimeoutError);
    release();
    await a.messenger.send("B", b.address, "M", { n: 2 });
    expect(got).toEqual([1, 2]);
  });

  it("counts and drops malformed frames and messages without crashing", async () => {
    const network = new LossyNetwork(10);
    const a = node(network, "A", 1);
    const b = node(network, "B", 2);
    const got = collector(b.messenger);
    await a.messenger.send("B", b.address, "M", { n: 1 });
    let seed = 11;
    for (let i = 0; i < 20_000; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const bytes = Buffer.from(
        Array.from({ length: seed % 64 }, (_, j) => (seed >> (j % 24)) & 255),
      );
      if (i % 3 === 0 && bytes.length > 2) {
        bytes[0] = 1 + (i % 4);
        bytes[1] = 1;
      }
      b.messenger.receive({
        kind: "session",
        sender: "A",
        startId: a.endpoint.startId,
        counter: BigInt(1e9 + i),
        plaintext: bytes,
        from: a.address,
      });
    }
    // A well-formed DATA frame carrying bytes that are not a message.
    const bogus = encodeData({
      flags: 0,
      dstStart: b.endpoint.startId,
      seq: 2n,
      fragment: 0,
      of: 1,
      chunk: Buffer.from("{not json"),
    });
    expect(decodeFrame(bogus)).not.toBeNull();
    expect(
      decodeFrame(
        encodeAck({
          dstStart: "00".repeat(8),
          handled: 1n,
          receivedThrough: 1n,
          bitmap: 0n,
          refusals: [{ seq: 1n, reason: "x" }],
        }),
      ),
    ).not.toBeNull();
    await a.messenger.send("B", b.address, "M", { n: 2 });
    expect(got.map((m) => m.body)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(b.messenger.stats().bad_frames).toBeGreaterThan(1000);
  });

  it("refuses a message over the size limit before sending it", async () => {
    const network = new LossyNetwork(12, NO_FAULTS);
    const endpoint = network.endpoint("A", 1, start());
    const messenger = createMessenger(endpoint, { maxMessageBytes: 1000 });
    await expect(
      messenger.send("B", { address: "127.0.0.1", port: 2 }, "M", { x: "y".repeat(2000) }),
    ).rejects.toThrow(/exceeds 1000/);
    await messenger.close();
  });
});
