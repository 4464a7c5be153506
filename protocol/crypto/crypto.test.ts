import { createSocket } from "node:dgram";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import type { OpenedPacket } from "../transport.js";
import { createPacketEndpoint, type UdpPacketEndpoint } from "./endpoint.js";
import { fingerprint, generateKeyPair, loadOrCreateKeyPair, loadPublicKey } from "./keys.js";
import { ReplayWindows } from "./replay.js";
import { parseHeader, Sealer } from "./seal.js";

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "assim-keys-"));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const alice = generateKeyPair();
const bob = generateKeyPair();
const mallory = generateKeyPair();
const aliceSealer = new Sealer(alice, "0102030405060708");
const bobSealer = new Sealer(bob, "1112131415161718");

function openAsBob(datagram: Buffer): Buffer | null {
  const parsed = parseHeader(datagram);
  if (!parsed.ok) return null;
  return bobSealer.open(datagram, parsed.header);
}

describe("keys", () => {
  it("creates a key pair with a 0600 secret file and loads it back", () => {
    const dir = tempDir();
    const created = loadOrCreateKeyPair(dir, "probe");
    expect(statSync(join(dir, "probe.key")).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, "probe.pub"), "utf8").trim()).toBe(created.publicKey);
    expect(loadOrCreateKeyPair(dir, "probe").publicKey).toBe(created.publicKey);
    expect(loadPublicKey(join(dir, "probe.pub"))).toBe(created.publicKey);
    expect(fingerprint(created.publicKey)).toMatch(/^[0-9a-f]{16}$/);
  });

  it("refuses a secret key file others can read, naming the file and mode", () => {
    const dir = tempDir();
    loadOrCreateKeyPair(dir, "cma");
    chmodSync(join(dir, "cma.key"), 0o644);
    expect(() => loadOrCreateKeyPair(dir, "cma")).toThrow(/cma\.key has mode 0644/);
  });

  it("refuses a public key file that holds no key", () => {
    const dir = tempDir();
    loadOrCreateKeyPair(dir, "x");
    expect(() => loadPublicKey(join(dir, "x.key"))).toThrow(/does not hold an X25519 public key/);
    expect(() => loadPublicKey(join(dir, "missing.pub"))).toThrow(/cannot read .*ENOENT/);
  });
});

describe("sealing", () => {
  it("opens what the peer sealed, and the header names sender, start and counter", () => {
    const datagram = aliceSealer.seal(bob.publicKey, "session", Buffer.from("hello")) as Buffer;
    const parsed = parseHeader(datagram);
    expect(parsed.ok && parsed.header.sender).toBe(alice.publicKey);
    expect(parsed.ok && parsed.header.startId).toBe("0102030405060708");
    expect(openAsBob(datagram)?.toString()).toBe("hello");
    expect(datagram.toString("latin1")).not.toContain("hello");
  });

  it("rejects a datagram with any single byte changed", () => {
    const datagram = aliceSealer.seal(
      bob.publicKey,
      "heartbeat",
      Buffer.from("a heartbeat payload"),
    ) as Buffer;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: datagram.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        (at, flip) => {
          const copy = Buffer.from(datagram);
          copy[at] = (copy[at] as number) ^ flip;
          expect(openAsBob(copy)).toBeNull();
        },
      ),
      { numRuns: 500 },
    );
  });

  it("does not open for a receiver it was not sealed for, nor a forged sender", () => {
    const forMallory = aliceSealer.seal(mallory.publicKey, "session", Buffer.from("x")) as Buffer;
    expect(openAsBob(forMallory)).toBeNull();
    // Mallory seals for Bob but writes Alice's key into the header.
    const forged = new Sealer(mallory, "0102030405060708").seal(
      bob.publicKey,
      "session",
      Buffer.from("x"),
    ) as Buffer;
    Buffer.from(alice.publicKey, "base64url").copy(forged, 4);
    expect(openAsBob(forged)).toBeNull();
  });

  it("refuses a small-order peer key", () => {
    const zeroKey = Buffer.alloc(32).toString("base64url");
    expect(aliceSealer.seal(zeroKey, "session", Buffer.from("x"))).toBeNull();
  });
});

describe("replay windows", () => {
  it("accepts each counter once, late ones within the window, none older", () => {
    const windows = new ReplayWindows();
    expect(windows.accept("k", "s", 10n)).toBe(true);
    expect(windows.accept("k", "s", 10n)).toBe(false);
    expect(windows.accept("k", "s", 5n)).toBe(true);
    expect(windows.accept("k", "s", 5n)).toBe(false);
    expect(windows.accept("k", "s", 2000n)).toBe(true);
    expect(windows.accept("k", "s", 10n)).toBe(false);
    expect(windows.accept("k", "s", 1999n)).toBe(true);
    expect(windows.accept("k", "other-start", 10n)).toBe(true);
  });
});

async function pair(options: { admission?: (key: string) => boolean } = {}) {
  const a = await createPacketEndpoint({ keyPair: alice, bind: { address: "127.0.0.1", port: 0 } });
  const b = await createPacketEndpoint({
    keyPair: bob,
    bind: { address: "127.0.0.1", port: 0 },
    ...(options.admission ? { admission: options.admission } : {}),
  });
  const received: OpenedPacket[] = [];
  b.onPacket((packet) => received.push(packet));
  return { a, b, received };
}

async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

describe("UDP endpoint", () => {
  it("carries both kinds over real UDP and reports where each came from", async () => {
    const { a, b, received } = await pair();
    a.send(bob.publicKey, b.address(), "session", Buffer.from("s"));
    a.send(bob.publicKey, b.address(), "heartbeat", Buffer.from("h"));
    await until(() => received.length === 2);
    expect(received.map((p) => [p.kind, p.plaintext.toString(), p.sender])).toEqual([
      ["session", "s", alice.publicKey],
      ["heartbeat", "h", alice.publicKey],
    ]);
    expect(received[0]?.from).toEqual(a.address());
    await a.close();
    await b.close();
  });

  it("drops and counts garbage, tampering, replays, wrong keys and oversized datagrams; only genuine packets pass", async () => {
    const { a, b, received } = await pair();
    const genuine: Buffer[] = [];
    const sealer = new Sealer(alice, a.startId);
    for (let i = 0; i < 200; i++)
      genuine.push(sealer.seal(bob.publicKey, "session", Buffer.from(`m${i}`)) as Buffer);
    const forMallory = sealer.seal(
      mallory.publicKey,
      "session",
      Buffer.from("not for bob"),
    ) as Buffer;
    const from = { address: "127.0.0.1", port: 40000 };
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed;
    };
    const fuzzed = 100_000;
    for (let i = 0; i < fuzzed; i++) {
      const base = genuine[random() % genuine.length] as Buffer;
      let datagram: Buffer;
      switch (i % 6) {
        case 0:
          datagram = Buffer.from(Array.from({ length: random() % 200 }, () => random() & 255));
          break;
        case 1:
          datagram = base.subarray(0, random() % base.length);
          break;
        case 2: {
          datagram = Buffer.from(base);
          const at = random() % datagram.length;
          datagram[at] = (datagram[at] as number) ^ (1 << (random() % 8));
          break;
        }
        case 3:
          datagram = forMallory;
          break;
        case 4:
          datagram = Buffer.alloc(70_000, 1);
          break;
        default:
          datagram = Buffer.concat([
            Buffer.from("AS"),
            Buffer.from(Array.from({ length: 80 }, () => random() & 255)),
          ]);
      }
      b.receive(datagram, from);
    }
    // From another source: the flood above spent its source's allowance for unverified senders.
    const peer = { address: "127.0.0.2", port: 40000 };
    for (const datagram of genuine) b.receive(datagram, peer);
    for (const datagram of genuine) b.receive(datagram, peer);
    expect(received.map((p) => p.plaintext.toString())).toEqual(genuine.map((_, i) => `m${i}`));
    const stats = b.stats();
    const dropped = Object.entries(stats)
      .filter(([name]) => name.startsWith("dropped_"))
      .reduce((sum, [, n]) => sum + n, 0);
    expect(stats.received).toBe(fuzzed + 2 * genuine.length);
    expect(dropped + (stats.accepted ?? 0)).toBe(stats.received);
    expect(stats.dropped_replayed).toBeGreaterThanOrEqual(genuine.length);
    expect(stats.dropped_oversized).toBeGreaterThan(0);
    expect(stats.dropped_auth_failed).toBeGreaterThan(0);
    await a.close();
    await b.close();
  });

  it("survives 10,000 junk datagrams over real UDP and still talks", async () => {
    const { a, b, received } = await pair();
    const socket = createSocket("udp4");
    const target = b.address();
    for (let i = 0; i < 10_000; i++) {
      const junk = Buffer.alloc(60 + (i % 100), i & 255);
      junk.write("AS", 0);
      junk[2] = 1;
      junk[3] = 1 + (i % 2);
      await new Promise<void>((resolve) =>
        socket.send(junk, target.port, target.address, () => resolve()),
      );
    }
    await until(() => (b.stats().received ?? 0) >= 9_000);
    a.send(bob.publicKey, target, "session", Buffer.from("still here"));
    await until(() => received.length === 1);
    expect(received[0]?.plaintext.toString()).toBe("still here");
    socket.close();
    await a.close();
    await b.close();
  });

  it("rate-limits a flood from never-verified senders at one source, not a verified peer", async () => {
    const b = (await createPacketEndpoint({
      keyPair: bob,
      bind: { address: "127.0.0.1", port: 0 },
      newSenderRate: { rate: 10, burst: 20 },
    })) as UdpPacketEndpoint;
    const accepted: string[] = [];
    b.onPacket((packet) => accepted.push(packet.sender));
    const from = { address: "127.0.0.9", port: 1 };
    const friend = new Sealer(alice, "0000000000000001");
    b.receive(friend.seal(bob.publicKey, "session", Buffer.from("hi")) as Buffer, {
      address: "127.0.0.8",
      port: 1,
    });
    for (let i = 0; i < 500; i++) {
      const stranger = new Sealer(generateKeyPair(), "0000000000000002");
      b.receive(stranger.seal(bob.publicKey, "session", Buffer.from("STARTUP")) as Buffer, from);
    }
    for (let i = 0; i < 100; i++) {
      b.receive(friend.seal(bob.publicKey, "session", Buffer.from("hi")) as Buffer, from);
    }
    expect(b.stats().dropped_rate_limited).toBeGreaterThanOrEqual(450);
    expect(accepted.filter((sender) => sender === alice.publicKey)).toHaveLength(101);
    await b.close();
  });

  it("drops a sender the admission policy refuses before any crypto", async () => {
    const { a, b, received } = await pair({ admission: (key) => key !== alice.publicKey });
    a.send(bob.publicKey, b.address(), "session", Buffer.from("x"));
    await until(() => (b.stats().dropped_not_admitted ?? 0) === 1);
    expect(received).toHaveLength(0);
    await a.close();
    await b.close();
  });
});
