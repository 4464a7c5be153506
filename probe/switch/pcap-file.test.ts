import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { CaptureFileError, readCaptureFile } from "./pcap-file.js";
import { pcapFileHeader, pcapRecord, writePcapFile } from "./pcap-write.js";

const FIXTURES = join(import.meta.dirname, "decode", "fixtures");
const workDir = mkdtempSync(join(tmpdir(), "assim-pcap-file-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function captureError(file: string): CaptureFileError {
  try {
    for (const _ of readCaptureFile(file)) {
      // Drain: errors may come at any record.
    }
  } catch (error) {
    if (error instanceof CaptureFileError) return error;
    throw error;
  }
  throw new Error(`${file} read without error`);
}

describe("readCaptureFile", () => {
  it("reads classic pcap: frame numbers, offsets, link type, lengths and timestamps", () => {
    const frames = [...readCaptureFile(join(FIXTURES, "procurve.lldp.pcap"))];
    expect(
      frames.map((f) => [f.number, f.offset, f.linkType, f.bytes.length, f.originalLength]),
    ).toEqual([
      [1, 24, 1, 96, 171],
      [2, 24 + 16 + 96, 1, 96, 171],
    ]);
    // tshark: Epoch Time 1293466953.511... for frame 1.
    expect(frames[0]?.timestamp).toBeCloseTo(1293466953.511, 2);
  });

  it("reads link type 104 (Cisco HDLC) and pcapng with the same frames as pcap", () => {
    const pcap = [...readCaptureFile(join(FIXTURES, "cdp_v2_hdlc.pcap"))];
    const pcapng = [...readCaptureFile(join(FIXTURES, "cdp_v2_hdlc.pcapng"))];
    expect(pcap.map((f) => f.linkType)).toEqual([104]);
    expect(pcapng.map((f) => [f.linkType, Buffer.from(f.bytes).toString("hex")])).toEqual(
      pcap.map((f) => [f.linkType, Buffer.from(f.bytes).toString("hex")]),
    );
    expect(pcapng[0]?.timestamp).toBeCloseTo(pcap[0]?.timestamp ?? 0, 5);
  });

  it("reads big-endian, nanosecond pcap", () => {
    const header = Buffer.alloc(24);
    header.writeUInt32BE(0xa1b23c4d, 0);
    header.writeUInt16BE(2, 4);
    header.writeUInt16BE(4, 6);
    header.writeUInt32BE(65535, 16);
    header.writeUInt32BE(1, 20);
    const record = Buffer.alloc(16 + 3);
    record.writeUInt32BE(100, 0);
    record.writeUInt32BE(500_000_000, 4);
    record.writeUInt32BE(3, 8);
    record.writeUInt32BE(64, 12);
    record.set([1, 2, 3], 16);
    const file = join(workDir, "big-nano.pcap");
    writeFileSync(file, Buffer.concat([header, record]));
    const [frame] = [...readCaptureFile(file)];
    expect(frame).toEqual({
      number: 1,
      offset: 24,
      linkType: 1,
      bytes: Uint8Array.from([1, 2, 3]),
      originalLength: 64,
      timestamp: 100.5,
    });
  });

  it("streams files larger than its read window, frame for frame", () => {
    const file = join(workDir, "many.pcap");
    const frames = Array.from({ length: 20_000 }, (_, i) => ({
      bytes: Uint8Array.from({ length: 60 + (i % 200) }, (_, j) => (i + j) & 0xff),
    }));
    writePcapFile(file, 1, frames);
    let count = 0;
    for (const frame of readCaptureFile(file)) {
      const expected = frames[count]?.bytes as Uint8Array;
      if (Buffer.compare(Buffer.from(frame.bytes), Buffer.from(expected)) !== 0) {
        throw new Error(`frame ${frame.number} differs`);
      }
      count++;
    }
    expect(count).toBe(20_000);
  });

  it("names the file and offset when the file is not a capture", () => {
    const file = join(workDir, "text.pcap");
    writeFileSync(file, "hello, not a capture\n");
    const error = captureError(file);
    expect(error.message).toBe(
      `${file}: not a pcap or pcapng file (magic 0x68656c6c) (at byte offset 0)`,
    );
    expect(error.offset).toBe(0);
    const missing = captureError(join(workDir, "missing.pcap"));
    expect(missing.message).toMatch(/missing.pcap: cannot open: ENOENT[^)]*$/);
    expect(missing.offset).toBeUndefined();
  });

  it("names the record's offset when a record is cut short", () => {
    const good = pcapRecord({ bytes: new Uint8Array(20) });
    const cut = pcapRecord({ bytes: new Uint8Array(50) }).subarray(0, 16 + 10);
    const file = join(workDir, "cut.pcap");
    writeFileSync(file, Buffer.concat([pcapFileHeader(1), good, cut]));
    const error = captureError(file);
    expect(error.offset).toBe(24 + good.length);
    expect(error.message).toContain("record data cut short: 10 of 50 bytes present");

    const headerCut = join(workDir, "header-cut.pcap");
    writeFileSync(headerCut, Buffer.concat([pcapFileHeader(1), good, good.subarray(0, 7)]));
    expect(captureError(headerCut).message).toContain("record header cut short: 7 of 16 bytes");

    const fileHeaderCut = join(workDir, "file-header-cut.pcap");
    writeFileSync(fileHeaderCut, pcapFileHeader(1).subarray(0, 10));
    expect(captureError(fileHeaderCut).message).toContain("pcap file header is cut short");
  });

  it("rejects an absurd record length instead of allocating it", () => {
    const record = pcapRecord({ bytes: new Uint8Array(4) });
    record.writeUInt32LE(0x7fffffff, 8);
    const file = join(workDir, "absurd.pcap");
    writeFileSync(file, Buffer.concat([pcapFileHeader(1), record]));
    expect(captureError(file).message).toContain("record claims 2147483647 captured bytes");
  });

  it("rejects a pcapng block whose lengths disagree", () => {
    const bytes = Buffer.from(readFileSync(join(FIXTURES, "lldpmed_civicloc.pcapng")));
    // Corrupt the trailing length of the first block (the section header).
    const first = bytes.readUInt32LE(4);
    bytes.writeUInt32LE(first + 4, first - 4);
    const file = join(workDir, "bad.pcapng");
    writeFileSync(file, bytes);
    const error = captureError(file);
    expect(error.offset).toBe(0);
    expect(error.message).toContain("trailing length does not match");
  });

  it.skipIf(spawnSync("tshark", ["-v"]).status !== 0)(
    "writes files tshark reads back with the same frames (tshark present)",
    () => {
      const file = join(workDir, "written.pcap");
      writePcapFile(file, 1, [{ bytes: Uint8Array.from(Array(60).fill(7)), timestamp: 12.25 }]);
      const run = spawnSync(
        "tshark",
        ["-r", file, "-T", "fields", "-e", "frame.len", "-e", "frame.time_epoch"],
        {
          encoding: "utf8",
        },
      );
      expect(run.stdout.trim()).toBe("60\t12.250000000");
    },
  );

  it("on corrupted pcap and pcapng files, yields frames or throws CaptureFileError, nothing else", () => {
    const originals = ["cdp_v2.pcap", "lldpmed_civicloc.pcapng", "cdp_v2_hdlc.pcapng"].map((name) =>
      readFileSync(join(FIXTURES, name)),
    );
    const file = join(workDir, "corrupt.bin");
    const outcomes = { read: 0, rejected: 0 };
    fc.assert(
      fc.property(
        fc.constantFrom(...originals),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.nat(),
        (original, writes, cut) => {
          const bytes = Buffer.from(original);
          for (const [at, value] of writes) bytes[at % bytes.length] = value;
          writeFileSync(file, bytes.subarray(0, cut % (bytes.length + 1)));
          try {
            let frames = 0;
            for (const frame of readCaptureFile(file)) {
              frames++;
              if (frame.bytes.length > 262_144 || frames > bytes.length) throw new Error("runaway");
            }
            outcomes.read++;
          } catch (error) {
            if (!(error instanceof CaptureFileError)) throw error;
            outcomes.rejected++;
          }
        },
      ),
      { numRuns: 2_000 },
    );
    expect(outcomes.read).toBeGreaterThan(0);
    expect(outcomes.rejected).toBeGreaterThan(0);
  });
});
