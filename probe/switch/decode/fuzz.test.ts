/**
 * Fuzzing: 100,000 frames per protocol, made from the sample and synthetic
 * frames by bit flips, truncation, lying length fields (TLV headers and the
 * bytes inside TLVs), splices, random TLV sequences and random payloads.
 * Every decode must return a well-formed result (never throw), stay within a
 * read budget proportional to the frame's length (so nothing loops), and
 * keep its output proportional too; the heap must not grow across the run.
 */
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DecodeResult } from "../neighbour.js";
import { readCaptureFile } from "../pcap-file.js";
import { readerSteps } from "./byte-reader.js";
import { decodeFrame } from "./frame.js";
import {
  ascii,
  cdpHdlcFrame,
  cdpPdu,
  cdpTlv,
  ciscoSnapFrame,
  lldpFrame,
  lldpTlv,
  macBytes,
  orgTlv,
  u16,
} from "./frame-builder.js";
import { type SampleFrame, syntheticFrames } from "./synthetic-frames.js";

const RUNS = 100_000;
const FIXTURES = join(import.meta.dirname, "fixtures");

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

interface Seed {
  bytes: Uint8Array;
  linkType: number;
  /** Frame offsets of the TLV headers, and whether lengths are LLDP's 9 bits or CDP's 16. */
  tlvs: number[];
  lldp: boolean;
}

/** Where the PDU starts in a seed frame, by link type and framing. */
function pduStart(frame: SampleFrame): { start: number; lldp: boolean } | undefined {
  const b = frame.bytes;
  if (frame.linkType === 104) return { start: 4 + 4, lldp: false };
  if (frame.linkType === 113) return b[14] === 0x88 ? { start: 16, lldp: true } : undefined;
  if (b[12] === 0x88 && b[13] === 0xcc) return { start: 14, lldp: true };
  if (b[20] === 0x20 && b[21] === 0x00) return { start: 22 + 4, lldp: false };
  return undefined;
}

function seedOf(frame: SampleFrame): Seed | undefined {
  const at = pduStart(frame);
  if (at === undefined) return undefined;
  const tlvs: number[] = [];
  const b = frame.bytes;
  let offset = at.start;
  while (offset + (at.lldp ? 2 : 4) <= b.length && tlvs.length < 100) {
    tlvs.push(offset);
    const header = ((b[offset] as number) << 8) | (b[offset + 1] as number);
    const length = at.lldp
      ? header & 0x1ff
      : ((b[offset + 2] as number) << 8) | (b[offset + 3] as number);
    if (at.lldp && header >> 9 === 0) break;
    offset += at.lldp ? 2 + length : Math.max(4, length);
  }
  return { bytes: frame.bytes, linkType: frame.linkType, tlvs, lldp: at.lldp };
}

const samples: SampleFrame[] = [
  ...[
    "lldp.detailed.pcap",
    "lldpmed_civicloc.pcap",
    "procurve.lldp.pcap",
    "cdp.pcap",
    "cdp-BCM1100.pcap",
    "cdp_v2.pcap",
    "cdp_v2_hdlc.pcap",
    "cdp_v2_voice.pcap",
    "n0.eth2.cdp.pcap",
    "n0.eth2.cdp-2.pcap",
  ].flatMap((name) =>
    [...readCaptureFile(join(FIXTURES, name))].map((frame) => ({
      name,
      linkType: frame.linkType,
      bytes: frame.bytes,
    })),
  ),
  ...syntheticFrames,
];
const seeds = samples.map(seedOf).filter((seed): seed is Seed => seed !== undefined);
const lldpSeeds = seeds.filter((seed) => seed.lldp);
const cdpSeeds = seeds.filter((seed) => !seed.lldp);

interface Case {
  bytes: Uint8Array;
  linkType: number;
}

function flips(pool: Seed[]): fc.Arbitrary<Case> {
  return fc
    .tuple(
      fc.constantFrom(...pool),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 8 }),
    )
    .map(([seed, bits]) => {
      const bytes = seed.bytes.slice();
      for (const [index, bit] of bits) {
        const at = index % bytes.length;
        bytes[at] = (bytes[at] as number) ^ (1 << bit);
      }
      return { bytes, linkType: seed.linkType };
    });
}

function truncations(pool: Seed[]): fc.Arbitrary<Case> {
  return fc.tuple(fc.constantFrom(...pool), fc.nat()).map(([seed, cut]) => ({
    bytes: seed.bytes.slice(0, cut % (seed.bytes.length + 1)),
    linkType: seed.linkType,
  }));
}

/** A TLV header's length field set to a random value. */
function lengthLies(pool: Seed[]): fc.Arbitrary<Case> {
  return fc
    .tuple(fc.constantFrom(...pool), fc.nat(), fc.integer({ min: 0, max: 0xffff }))
    .map(([seed, which, length]) => {
      const bytes = seed.bytes.slice();
      const at = seed.tlvs[which % seed.tlvs.length] as number;
      if (seed.lldp) {
        bytes[at] = ((bytes[at] as number) & 0xfe) | ((length >> 8) & 0x01);
        bytes[at + 1] = length & 0xff;
      } else {
        bytes[at + 2] = length >> 8;
        bytes[at + 3] = length & 0xff;
      }
      return { bytes, linkType: seed.linkType };
    });
}

/** A byte early inside a TLV's value (where inner lengths and counts live) set to an extreme. */
function innerLies(pool: Seed[]): fc.Arbitrary<Case> {
  return fc
    .tuple(
      fc.constantFrom(...pool),
      fc.nat(),
      fc.integer({ min: 0, max: 11 }),
      fc.constantFrom(0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff),
    )
    .map(([seed, which, index, value]) => {
      const bytes = seed.bytes.slice();
      const at = (seed.tlvs[which % seed.tlvs.length] as number) + (seed.lldp ? 2 : 4) + index;
      if (at < bytes.length) bytes[at] = value;
      return { bytes, linkType: seed.linkType };
    });
}

function splices(pool: Seed[]): fc.Arbitrary<Case> {
  return fc
    .tuple(
      fc.constantFrom(...pool),
      fc.nat(),
      fc.integer({ min: 0, max: 16 }),
      fc.uint8Array({ maxLength: 16 }),
    )
    .map(([seed, position, remove, insert]) => {
      const at = position % (seed.bytes.length + 1);
      const bytes = Uint8Array.from([
        ...seed.bytes.subarray(0, at),
        ...insert,
        ...seed.bytes.subarray(Math.min(seed.bytes.length, at + remove)),
      ]);
      return { bytes, linkType: seed.linkType };
    });
}

const SOURCE = "02:00:00:00:0f:01";
const LLDP_MANDATORY = [
  lldpTlv(1, [4, ...macBytes("02:00:00:00:0f:00")]),
  lldpTlv(2, [5, ...ascii("eth0")]),
  lldpTlv(3, u16(120)),
];

const lldpRandomTlv: fc.Arbitrary<number[]> = fc.oneof(
  fc
    .tuple(fc.integer({ min: 0, max: 127 }), fc.uint8Array({ maxLength: 40 }))
    .map(([type, value]) => lldpTlv(type, [...value])),
  fc
    .tuple(
      fc.constantFrom(0x0080c2, 0x00120f, 0x0012bb, 0x001234),
      fc.integer({ min: 0, max: 12 }),
      fc.uint8Array({ maxLength: 40 }),
    )
    .map(([oui, subtype, value]) => orgTlv(oui, subtype, [...value])),
  fc
    .tuple(
      fc.integer({ min: 0, max: 127 }),
      fc.uint8Array({ maxLength: 40 }),
      fc.integer({ min: 0, max: 511 }),
    )
    .map(([type, value, length]) => lldpTlv(type, [...value], length)),
);

const lldpRandom: fc.Arbitrary<Case> = fc
  .tuple(fc.boolean(), fc.array(lldpRandomTlv, { maxLength: 30 }), fc.boolean())
  .map(([mandatory, tlvs, end]) => ({
    bytes: lldpFrame(SOURCE, [...(mandatory ? LLDP_MANDATORY : []), ...tlvs], end),
    linkType: 1,
  }));

const CDP_TYPES = [
  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 25, 26,
];

const cdpRandomTlv: fc.Arbitrary<number[]> = fc.oneof(
  fc
    .tuple(fc.constantFrom(...CDP_TYPES), fc.uint8Array({ maxLength: 40 }))
    .map(([type, value]) => cdpTlv(type, [...value])),
  fc
    .tuple(fc.integer({ min: 0, max: 0xffff }), fc.uint8Array({ maxLength: 40 }))
    .map(([type, value]) => cdpTlv(type, [...value])),
  fc
    .tuple(
      fc.constantFrom(...CDP_TYPES),
      fc.uint8Array({ maxLength: 40 }),
      fc.integer({ min: 0, max: 0xffff }),
    )
    .map(([type, value, length]) => cdpTlv(type, [...value], length)),
);

const cdpRandom: fc.Arbitrary<Case> = fc
  .tuple(
    fc.boolean(),
    fc.array(cdpRandomTlv, { maxLength: 30 }),
    fc.constantFrom(1, 2, 0, 3, 255),
    fc.boolean(),
  )
  .map(([deviceId, tlvs, version, hdlc]) => {
    const all = [...(deviceId ? [cdpTlv(1, ascii("fuzz"))] : []), ...tlvs];
    return hdlc
      ? { bytes: cdpHdlcFrame(all, version), linkType: 104 }
      : { bytes: ciscoSnapFrame(SOURCE, 0x2000, cdpPdu(all, version)), linkType: 1 };
  });

function randomPayload(lldp: boolean): fc.Arbitrary<Case> {
  return fc.uint8Array({ maxLength: 300 }).map((payload) => ({
    bytes: lldp
      ? Uint8Array.from([
          ...macBytes("01:80:c2:00:00:0e"),
          ...macBytes(SOURCE),
          0x88,
          0xcc,
          ...payload,
        ])
      : ciscoSnapFrame(SOURCE, 0x2000, [...payload]),
    linkType: 1,
  }));
}

function mutations(pool: Seed[], random: fc.Arbitrary<Case>, lldp: boolean): fc.Arbitrary<Case> {
  return fc.oneof(
    flips(pool),
    truncations(pool),
    lengthLies(pool),
    innerLies(pool),
    splices(pool),
    random,
    randomPayload(lldp),
  );
}

/** Every value a plain, finite, JSON-safe thing; objects and arrays only of those. */
function assertPlain(value: unknown, path: string): void {
  if (typeof value === "string" || typeof value === "boolean") return;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`${path} is ${value}`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      assertPlain(item, `${path}[${i}]`);
    });
    return;
  }
  if (
    value !== null &&
    typeof value === "object" &&
    Object.getPrototypeOf(value) === Object.prototype
  ) {
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) throw new Error(`${path}.${key} is undefined`);
      assertPlain(item, `${path}.${key}`);
    }
    return;
  }
  throw new Error(`${path} is not plain data: ${String(value)}`);
}

function assertNeighbour(n: unknown, path: string): void {
  const neighbour = n as Record<string, Record<string, unknown>>;
  const chassis = neighbour.chassis;
  const port = neighbour.port;
  const caps = chassis?.capabilities as { supported?: unknown; enabled?: unknown } | undefined;
  const ok =
    Array.isArray(neighbour.protocols) &&
    typeof neighbour.ttl_seconds === "number" &&
    typeof chassis?.id === "string" &&
    typeof chassis.id_subtype === "string" &&
    Array.isArray(caps?.supported) &&
    Array.isArray(caps?.enabled) &&
    Array.isArray(chassis.management_addresses) &&
    typeof port?.id === "string" &&
    typeof port.id_subtype === "string";
  if (!ok) throw new Error(`${path} lacks a mandatory field: ${JSON.stringify(n)}`);
}

const IGNORED = new Set(["dtp", "vtp", "pagp", "udld", "other"]);

function assertWellFormed(result: DecodeResult, length: number): void {
  assertPlain(result, "result");
  switch (result.kind) {
    case "neighbour":
      if (result.protocol !== "lldp" && result.protocol !== "cdp") throw new Error("bad protocol");
      assertNeighbour(result.neighbour, "neighbour");
      return;
    case "ignored":
      if (!IGNORED.has(result.protocol) || typeof result.detail !== "string") {
        throw new Error(`bad ignored result ${JSON.stringify(result)}`);
      }
      return;
    case "error":
      if (
        typeof result.tlv !== "string" ||
        result.tlv === "" ||
        !Number.isInteger(result.offset) ||
        result.offset < 0 ||
        result.offset > length ||
        typeof result.message !== "string" ||
        result.message === ""
      ) {
        throw new Error(`bad error result ${JSON.stringify(result)}`);
      }
      if (result.partial !== undefined) assertNeighbour(result.partial, "partial");
      return;
    default:
      throw new Error(`unknown result kind ${JSON.stringify(result)}`);
  }
}

function fuzz(arbitrary: fc.Arbitrary<Case>) {
  const kinds = { neighbour: 0, ignored: 0, error: 0 };
  let maxStepsPerByte = 0;
  let heapAfterWarmup = 0;
  let runs = 0;
  fc.assert(
    fc.property(arbitrary, ({ bytes, linkType }) => {
      const before = readerSteps.count;
      const result = decodeFrame(bytes, linkType);
      const steps = readerSteps.count - before;
      // Every read consumes bytes except empty ones, which follow a header read: 2 per byte at most.
      if (steps > 4 * bytes.length + 64) {
        throw new Error(`${steps} reads for a ${bytes.length}-byte frame`);
      }
      maxStepsPerByte = Math.max(maxStepsPerByte, steps / Math.max(1, bytes.length));
      assertWellFormed(result, bytes.length);
      const size = JSON.stringify(result).length;
      if (size > 64 * bytes.length + 4096) {
        throw new Error(`${size}-character result for a ${bytes.length}-byte frame`);
      }
      kinds[result.kind]++;
      runs++;
      if (runs === 5_000) {
        gc();
        heapAfterWarmup = process.memoryUsage().heapUsed;
      }
    }),
    { numRuns: RUNS },
  );
  gc();
  const growth = process.memoryUsage().heapUsed - heapAfterWarmup;
  return { kinds, maxStepsPerByte, growth, runs };
}

describe("fuzzing the decoders", () => {
  it(`LLDP: ${RUNS.toLocaleString("en")} mutated, truncated and random frames`, () => {
    expect(lldpSeeds.length).toBeGreaterThanOrEqual(6);
    const report = fuzz(mutations(lldpSeeds, lldpRandom, true));
    console.log("LLDP fuzz:", JSON.stringify(report));
    expect(report.runs).toBe(RUNS);
    // The mix reaches every outcome: decoded, failed with a named TLV, and ignored (flipped ethertype).
    expect(report.kinds.neighbour).toBeGreaterThan(RUNS / 20);
    expect(report.kinds.error).toBeGreaterThan(RUNS / 20);
    expect(report.kinds.ignored).toBeGreaterThan(0);
    expect(report.growth).toBeLessThan(64 * 1024 * 1024);
  });

  it(`CDP: ${RUNS.toLocaleString("en")} mutated, truncated and random frames`, () => {
    expect(cdpSeeds.length).toBeGreaterThanOrEqual(8);
    const report = fuzz(mutations(cdpSeeds, cdpRandom, false));
    console.log("CDP fuzz:", JSON.stringify(report));
    expect(report.runs).toBe(RUNS);
    expect(report.kinds.neighbour).toBeGreaterThan(RUNS / 20);
    expect(report.kinds.error).toBeGreaterThan(RUNS / 20);
    expect(report.kinds.ignored).toBeGreaterThan(0);
    expect(report.growth).toBeLessThan(64 * 1024 * 1024);
  });
});
