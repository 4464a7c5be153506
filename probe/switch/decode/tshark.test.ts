/**
 * Every sample capture and every synthetic frame, decoded by us and by
 * tshark (an independent decoder), compared field by field: each field in
 * FIELD_CHECKS, every occurrence, every frame.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { DecodeResult } from "../neighbour.js";
import { readCaptureFile } from "../pcap-file.js";
import { writePcapFile } from "../pcap-write.js";
import { decodeFrame } from "./frame.js";
import { syntheticFrames } from "./synthetic-frames.js";
import { FIELD_CHECKS, type FieldCheck, normalise } from "./tshark-fields.js";

const FIXTURES = join(import.meta.dirname, "fixtures");
const captures = readdirSync(FIXTURES)
  .filter((name) => name.endsWith(".pcap") || name.endsWith(".pcapng"))
  .sort();

const hasTshark = spawnSync("tshark", ["-v"], { encoding: "utf8" }).status === 0;
const skipReason = hasTshark ? "" : "tshark is not installed (Debian package tshark)";
if (skipReason) console.warn(`tshark comparison skipped: ${skipReason}`);

type Layers = Record<string, string[]>;

const ALL_FIELDS = [...new Set(FIELD_CHECKS.flatMap((check) => check.fields))];

/** tshark's values of every compared field, one record per frame, in file order. */
function tsharkFrames(file: string): Layers[] {
  const run = spawnSync(
    "tshark",
    ["-r", file, "-T", "ek", ...ALL_FIELDS.flatMap((field) => ["-e", field])],
    { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  if (run.status !== 0) throw new Error(`tshark failed on ${file}: ${run.stderr}`);
  return run.stdout
    .split("\n")
    .filter((line) => line.includes('"layers"'))
    .map((line) => (JSON.parse(line) as { layers: Layers }).layers);
}

function expectedValues(check: FieldCheck, layers: Layers): (number | string)[] {
  let values = check.fields
    .flatMap((field) => layers[field.replaceAll(".", "_")] ?? [])
    .map((value) => normalise(value))
    .map((value) => (check.fromTshark ? check.fromTshark(value) : value));
  if (check.dropTsharkZero) values = values.filter((value) => value !== 0);
  return values;
}

function ourValues(check: FieldCheck, result: DecodeResult): (number | string)[] {
  const neighbour =
    result.kind === "neighbour"
      ? result.neighbour
      : result.kind === "error"
        ? result.partial
        : undefined;
  const ours = check.ours(result, neighbour);
  if (ours === undefined) return [];
  return (Array.isArray(ours) ? ours : [ours]).map((value) => normalise(value));
}

function canonical(values: (number | string)[], check: FieldCheck): string {
  if (check.mode !== "set") return JSON.stringify(values);
  return JSON.stringify([...new Set(values.map((v) => JSON.stringify(v)))].sort());
}

/** Fields that tshark reported in at least one compared frame: proof each check compared something. */
const exercised = new Set<string>();

function compare(label: string, results: DecodeResult[], file: string): string[] {
  const expected = tsharkFrames(file);
  expect(results.length, `${label}: frame count`).toBe(expected.length);
  const mismatches: string[] = [];
  results.forEach((result, index) => {
    const layers = expected[index] as Layers;
    for (const check of FIELD_CHECKS) {
      if (check.skip?.(result)) continue;
      const theirs = expectedValues(check, layers);
      const ours = ourValues(check, result);
      if (theirs.length > 0) exercised.add(check.fields.join("+"));
      if (canonical(theirs, check) !== canonical(ours, check)) {
        mismatches.push(
          `${label} frame ${index + 1} ${check.fields.join("+")}: tshark ${JSON.stringify(theirs)}, ours ${JSON.stringify(ours)}`,
        );
      }
    }
  });
  return mismatches;
}

describe.skipIf(skipReason !== "")("decoded fields match tshark -T ek, field by field", () => {
  const workDir = mkdtempSync(join(tmpdir(), "assim-switch-tshark-"));
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  for (const capture of captures) {
    it(`${capture}: every frame, every compared field`, () => {
      const file = join(FIXTURES, capture);
      const results = [...readCaptureFile(file)].map((frame) =>
        decodeFrame(frame.bytes, frame.linkType),
      );
      expect(compare(capture, results, file)).toEqual([]);
    });
  }

  for (const linkType of [1, 104, 113]) {
    it(`synthetic frames of link type ${linkType}: every frame, every compared field`, () => {
      const frames = syntheticFrames.filter((frame) => frame.linkType === linkType);
      const file = join(workDir, `synthetic-${linkType}.pcap`);
      writePcapFile(file, linkType, frames);
      const results = frames.map((frame) => decodeFrame(frame.bytes, frame.linkType));
      expect(compare(`synthetic ${linkType}`, results, file)).toEqual([]);
    });
  }

  it("compared every field in the table on at least one frame where tshark had it", () => {
    const idle = FIELD_CHECKS.map((check) => check.fields.join("+")).filter(
      (key) => !exercised.has(key),
    );
    expect(idle).toEqual([]);
  });
});

it.runIf(process.env.CI === "true" && !hasTshark)(
  "tshark is installed (CI must compare against it, not skip)",
  () => {
    expect.fail("tshark is missing under CI=true");
  },
);
