/**
 * 100,000 bad datagrams at a running `assim cma` and `assim probe`: random
 * bytes, truncated, bit-flipped and replayed copies of their genuine traffic,
 * packets sealed with the wrong key, oversized ones. Each is dropped and
 * counted; neither process crashes or changes state; the fleet carries on.
 * Then a STARTUP flood from one source is rate-limited.
 */
import { createHash, randomBytes, randomInt } from "node:crypto";
import { createSocket } from "node:dgram";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { createPacketEndpoint } from "../protocol/crypto/endpoint.js";
import { generateKeyPair, loadPublicKey } from "../protocol/crypto/keys.js";
import { Sealer } from "../protocol/crypto/seal.js";
import { createMessenger } from "../protocol/reliable/messenger.js";
import {
  type CmaStatusFile,
  type Daemon,
  freePort,
  type ProbeStatusFile,
  readEvents,
  readJson,
  startAssim,
  waitFor,
} from "./support/daemons.js";
import { UdpRelay } from "./support/udp-relay.js";

const FUZZ_DATAGRAMS = 100_000;
const scratch = mkdtempSync(join(tmpdir(), "assim-fuzz-daemons-"));
const daemons: Daemon[] = [];
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of closers) await close().catch(() => undefined);
  for (const daemon of daemons) await daemon.stop("SIGKILL").catch(() => undefined);
  rmSync(scratch, { recursive: true, force: true });
});

type Stats = Record<string, number>;
interface WithStats {
  stats: { packets: Stats; messages: Stats };
}
const cmaDir = join(scratch, "cma");
const cmaStatus = () => readJson<CmaStatusFile & WithStats>(join(cmaDir, "cma-status.json"));
const probeStatus = (host: string) =>
  readJson<ProbeStatusFile & WithStats>(join(scratch, host, "probe-status.json"));
const dropped = (stats: Stats) =>
  Object.entries(stats)
    .filter(([name]) => name.startsWith("dropped_"))
    .reduce((sum, [, count]) => sum + count, 0);

/** One bad datagram made from genuine traffic, or from nothing. */
function mutant(genuine: readonly Buffer[], foreign: Sealer): Buffer {
  const pick = () => genuine[randomInt(genuine.length)] as Buffer;
  switch (randomInt(6)) {
    case 0:
      return randomBytes(randomInt(0, 1500));
    case 1: {
      const packet = pick();
      return packet.subarray(0, randomInt(0, packet.length));
    }
    case 2: {
      const packet = Buffer.from(pick());
      for (let flips = 1 + randomInt(3); flips > 0; flips--) {
        const at = randomInt(packet.length);
        packet[at] = (packet[at] as number) ^ (1 << randomInt(8));
      }
      return packet;
    }
    case 3:
      return pick(); // replayed as is
    case 4: // sealed by a key nobody knows, for a key that is not the receiver's
      return foreign.seal(
        generateKeyPair().publicKey,
        "session",
        randomBytes(randomInt(1, 200)),
      ) as Buffer;
    default:
      return Buffer.concat([pick(), randomBytes(randomInt(2100, 9000))]);
  }
}

async function blast(port: number, datagrams: number, genuine: readonly Buffer[]): Promise<void> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  const foreign = new Sealer(generateKeyPair(), randomBytes(8).toString("hex"));
  for (let sent = 0; sent < datagrams; ) {
    const batch = Math.min(100, datagrams - sent);
    await Promise.all(
      Array.from(
        { length: batch },
        () =>
          new Promise<void>((resolve) =>
            socket.send(mutant(genuine, foreign), port, "127.0.0.1", () => resolve()),
          ),
      ),
    );
    sent += batch;
    await sleep(2); // let the receiver drain its socket
  }
  await new Promise<void>((resolve) => socket.close(() => resolve()));
}

const machineId = (name: string) =>
  createHash("sha256").update(`fuzz-test/${name}`).digest("hex").slice(0, 32);

describe("bad datagrams at the CMA and a probe", () => {
  const ports = { cma: 0, a: 0, b: 0 };
  const relays: Record<"a" | "b", UdpRelay | null> = { a: null, b: null };

  it("starts a CMA and two probes, each behind a recording relay", async () => {
    ports.cma = await freePort();
    daemons.push(
      startAssim("cma", [
        "cma",
        ...["--bind", `127.0.0.1:${ports.cma}`, "--data-dir", cmaDir],
        ...["--interval", "200", "--warn", "800", "--dead", "2000", "--discovery-types", "os"],
      ]),
    );
    await waitFor("the CMA", () => cmaStatus(), 30_000);
    for (const host of ["a", "b"] as const) {
      ports[host] = await freePort();
      const relay = await UdpRelay.start(
        { address: "127.0.0.1", port: ports.cma },
        { address: "127.0.0.1", port: ports[host] },
      );
      relays[host] = relay;
      closers.push(() => relay.close());
      const via = relay.port;
      daemons.push(
        startAssim(host, [
          "probe",
          ...["--cma", `127.0.0.1:${via}`, "--cma-key", join(cmaDir, "keys", "cma.pub")],
          ...["--bind", `127.0.0.1:${ports[host]}`, "--data-dir", join(scratch, host)],
          ...["--machine-id", machineId(host), "--hostname", host],
        ]),
      );
    }
    await waitFor(
      "both probes registered, each with the other as partner",
      () =>
        cmaStatus()?.probes.filter((p) => p.state === "up").length === 2 &&
        probeStatus("a")?.rings.global?.partners[0] === machineId("b") &&
        probeStatus("b")?.rings.global?.partners[0] === machineId("a"),
      30_000,
    );
    // Heartbeats both ways and the CMA's commands, recorded on their way in.
    await sleep(1000);
    for (const relay of [relays.a, relays.b]) {
      expect(relay?.fromClient.length).toBeGreaterThan(5);
      expect(relay?.toClient.length).toBeGreaterThan(5);
    }
  });

  it(`drops and counts ${FUZZ_DATAGRAMS.toLocaleString("en")} of them, changing nothing`, async () => {
    const before = { cma: cmaStatus() as CmaStatusFile & WithStats, b: probeStatus("b") };
    const { a, b } = relays as Record<"a" | "b", UdpRelay>;
    // At the CMA: what the probes sent it (and their heartbeats, not meant for it).
    await blast(ports.cma, FUZZ_DATAGRAMS / 2, [...a.fromClient, ...b.fromClient]);
    // At probe b: what was sent to it (the CMA's commands, a's heartbeats) and to a.
    await blast(ports.b, FUZZ_DATAGRAMS / 2, [...b.toClient, ...a.toClient]);
    await sleep(1500); // two status writes
    const after = { cma: cmaStatus() as CmaStatusFile & WithStats, b: probeStatus("b") };
    for (const daemon of daemons) expect(daemon.running, `${daemon.name} is running`).toBe(true);

    for (const [who, was, now] of [
      ["cma", before.cma.stats.packets, after.cma.stats.packets],
      ["probe b", before.b?.stats.packets ?? {}, after.b?.stats.packets ?? {}],
    ] as const) {
      const received = (now.received ?? 0) - (was.received ?? 0);
      const drops = dropped(now) - dropped(was);
      // The kernel may drop some when a socket buffer fills; every one that arrived is judged.
      expect(received, `${who} received`).toBeGreaterThan(0.75 * (FUZZ_DATAGRAMS / 2));
      // Only genuine traffic (heartbeats, a few messages) may pass in that time.
      expect(drops, `${who} dropped`).toBeGreaterThan(received - 200);
      expect(now.dropped_replayed ?? 0, `${who} replays caught`).toBeGreaterThan(0);
      expect(now.dropped_auth_failed ?? 0, `${who} forgeries caught`).toBeGreaterThan(0);
      expect(now.dropped_oversized ?? 0, `${who} oversized`).toBeGreaterThan(0);
    }
    expect(after.cma.counters).toMatchObject({
      registrations: before.cma.counters.registrations,
      deaths: 0,
      documents_refused: before.cma.counters.documents_refused,
    });
    expect(after.cma.rings).toEqual(before.cma.rings);
    expect(after.b?.rings).toEqual(before.b?.rings);
    expect(readEvents(cmaDir).filter((event) => event.type !== "host_up")).toEqual([]);
  });

  it("still detects a real death afterwards", async () => {
    await (daemons.find((d) => d.name === "a") as Daemon).stop("SIGKILL");
    await waitFor(
      "host_down for a",
      () => readEvents(cmaDir).some((event) => event.type === "host_down"),
      15_000,
    );
  });

  it("rate-limits a STARTUP flood of new keys from one source", async () => {
    const cmaKey = loadPublicKey(join(cmaDir, "keys", "cma.pub"));
    const before = (cmaStatus() as CmaStatusFile).counters.registrations;
    const attackers = await Promise.all(
      Array.from({ length: 300 }, async () => {
        const endpoint = await createPacketEndpoint({
          keyPair: generateKeyPair(),
          bind: { address: "127.0.0.1", port: 0 },
        });
        const messenger = createMessenger(endpoint);
        endpoint.onPacket((packet) => messenger.receive(packet));
        closers.push(async () => {
          await messenger.close();
          await endpoint.close();
        });
        return messenger;
      }),
    );
    const started = Date.now();
    for (const [index, messenger] of attackers.entries()) {
      const body = {
        machine_id: createHash("md5").update(`flood-${index}`).digest("hex"),
        hostname: `flood${index}`,
        start_id: "0".repeat(16),
        port: 1,
        version: "flood",
      };
      messenger
        .send(cmaKey, { address: "127.0.0.1", port: ports.cma }, "STARTUP", body, {
          timeoutMs: 3000,
        })
        .catch(() => undefined);
    }
    await sleep(1500);
    const status = cmaStatus() as CmaStatusFile & WithStats;
    const elapsed = (Date.now() - started) / 1000 + 1; // the status file lags up to a second
    const registered = (status.counters.registrations ?? 0) - (before ?? 0);
    // 50 packets/s and a burst of 100 per source for keys never verified. A key whose first
    // packet passes is verified from then on, so at most 100 + 50/s new keys get through.
    expect(registered).toBeLessThanOrEqual(Math.ceil(100 + 50 * elapsed));
    expect(registered).toBeLessThan(300);
    expect(status.stats.packets.dropped_rate_limited ?? 0).toBeGreaterThan(0);
    expect(daemons.find((d) => d.name === "cma")?.running).toBe(true);
  });
});
