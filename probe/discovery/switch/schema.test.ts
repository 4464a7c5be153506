/**
 * The switch schema against what the decoders really produce: every sample
 * capture and synthetic frame, the neighbours merged from them, and
 * mutated frames (a strict schema must not reject a whole document because
 * one switch sent an odd frame).
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assertValidDiscoveryDocument } from "../../../protocol/discovery-document.js";
import { decodeFrame } from "../../switch/decode/frame.js";
import { syntheticFrames } from "../../switch/decode/synthetic-frames.js";
import { mergeNeighbours } from "../../switch/merge.js";
import type { Neighbour } from "../../switch/neighbour.js";
import { NeighbourTable } from "../../switch/neighbour-table.js";
import { readCaptureFile } from "../../switch/pcap-file.js";
import type { CollectContext } from "../agent.js";
import { discover } from "../discover.js";
import type { SwitchData } from "./types.js";

const FIXTURES = join(import.meta.dirname, "..", "..", "switch", "decode", "fixtures");

interface Frame {
  name: string;
  linkType: number;
  bytes: Uint8Array;
}

const frames: Frame[] = [
  ...readdirSync(FIXTURES)
    .filter((file) => file.endsWith(".pcap") || file.endsWith(".pcapng"))
    .sort()
    .flatMap((file) =>
      [...readCaptureFile(join(FIXTURES, file))].map((f) => ({
        name: `${file}#${f.number}`,
        linkType: f.linkType,
        bytes: f.bytes,
      })),
    ),
  ...syntheticFrames,
];

function neighboursOf(list: readonly Frame[]): { frame: Frame; neighbour: Neighbour }[] {
  return list.flatMap((frame) => {
    const result = decodeFrame(frame.bytes, frame.linkType);
    return result.kind === "neighbour" ? [{ frame, neighbour: result.neighbour }] : [];
  });
}

const context: CollectContext = {
  hostname: "schema-test",
  procRoot: "/nonexistent",
  sysRoot: "/nonexistent",
  fsRoot: "/nonexistent",
  run: () => Promise.reject(new Error("no commands here")),
};

function dataWith(interfaces: Record<string, Neighbour[]>): SwitchData {
  const data: SwitchData = {
    interfaces: {},
    capture: {
      seconds: 31.9,
      interfaces: {},
      skipped: { lo: "loopback" },
      permission_denied: false,
    },
  };
  for (const [name, neighbours] of Object.entries(interfaces)) {
    data.interfaces[name] = { neighbours };
    data.capture.interfaces[name] = {
      state: "listened",
      frames: neighbours.length,
      lldp_frames: neighbours.filter((n) => n.protocols.includes("lldp")).length,
      cdp_frames: neighbours.filter((n) => n.protocols.includes("cdp")).length,
      ignored_frames: 0,
      undecodable_frames: 0,
      kernel_dropped: 0,
    };
  }
  return data;
}

/** Wraps data in a document through discover(), which validates it against the schema. */
function documentOf(data: SwitchData) {
  return discover(
    {
      type: "switch",
      description: "test",
      collect: async () => ({ data, source: "test", errors: [] }),
      summarize: () => "",
    },
    context,
  );
}

describe("switch schema", () => {
  const decoded = neighboursOf(frames);

  it("has neighbours from every sample capture and synthetic frame set to check", () => {
    expect(decoded.length).toBeGreaterThanOrEqual(15);
    expect(new Set(decoded.map((d) => d.neighbour.protocols[0]))).toEqual(new Set(["lldp", "cdp"]));
  });

  it("accepts every decoded neighbour, each one on its own interface", async () => {
    const interfaces: Record<string, Neighbour[]> = {};
    decoded.forEach((d, i) => {
      interfaces[`eth${i}`] = [d.neighbour];
    });
    const document = await documentOf(dataWith(interfaces));
    expect(Object.keys(document.data.interfaces)).toHaveLength(decoded.length);
  });

  it("accepts the table's merged neighbours, every LLDP one merged with every CDP one", async () => {
    const lldp = decoded.filter((d) => d.neighbour.protocols[0] === "lldp");
    const cdp = decoded.filter((d) => d.neighbour.protocols[0] === "cdp");
    const merged = lldp.flatMap((l) => cdp.map((c) => mergeNeighbours(l.neighbour, c.neighbour)));
    expect(merged.length).toBeGreaterThan(20);
    await documentOf(dataWith({ eth0: merged }));
    const table = new NeighbourTable({ maxPerInterface: 1000 });
    for (const d of decoded)
      table.observe("eth0", d.neighbour.protocols[0] ?? "lldp", d.neighbour, 0);
    await documentOf(dataWith(table.snapshot()));
  });

  it("accepts whatever the decoders make of mutated frames", () => {
    const seeds = frames.filter((f) => decodeFrame(f.bytes, f.linkType).kind === "neighbour");
    fc.assert(
      fc.property(
        fc.nat({ max: seeds.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 8,
        }),
        (index, edits) => {
          const seed = seeds[index] as Frame;
          const bytes = Uint8Array.from(seed.bytes);
          // Leave the Ethernet/SNAP header alone, so most mutations reach the TLVs.
          for (const [at, value] of edits)
            bytes[26 + (at % Math.max(bytes.length - 26, 1))] = value;
          const result = decodeFrame(bytes, seed.linkType);
          if (result.kind !== "neighbour") return;
          const document = {
            discovertype: "switch",
            description: "fuzz",
            host: "h",
            source: "s",
            proxy: "local/local",
            collected_at: "2026-01-01T00:00:00Z",
            data: dataWith({ eth0: [result.neighbour] }),
            errors: [],
          };
          assertValidDiscoveryDocument(document);
        },
      ),
      { numRuns: 50000 },
    );
  });

  it.each([
    ["an unknown neighbour field", (n: Neighbour) => Object.assign(n, { injected: 1 })],
    ["an unknown protocol", (n: Neighbour) => Object.assign(n, { protocols: ["edp"] })],
    ["a TTL beyond 16 bits", (n: Neighbour) => Object.assign(n, { ttl_seconds: 70000 })],
    ["a chassis without an ID", (n: Neighbour) => Reflect.deleteProperty(n.chassis, "id")],
    ["a duplex that is neither", (n: Neighbour) => Object.assign(n.port, { duplex: "auto" })],
  ])("rejects %s", async (_what, spoil) => {
    const neighbour = structuredClone(decoded[0]?.neighbour as Neighbour);
    spoil(neighbour);
    await expect(documentOf(dataWith({ eth0: [neighbour] }))).rejects.toThrow(
      /invalid discovery document "switch"/,
    );
  });

  it("rejects an interface name the kernel could not have", async () => {
    await expect(documentOf(dataWith({ "eth0/../x": [] }))).rejects.toThrow(/property name/);
  });
});
