/** Writes classic pcap files (little-endian, microsecond timestamps): for tests and benchmarks. */
import { closeSync, openSync, writeSync } from "node:fs";

export interface FrameToWrite {
  bytes: Uint8Array;
  /** Length on the wire; defaults to bytes.length. */
  originalLength?: number;
  /** Seconds since the epoch; defaults to 0. */
  timestamp?: number;
}

export function pcapFileHeader(linkType: number, snapLength = 65535): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(snapLength, 16);
  header.writeUInt32LE(linkType, 20);
  return header;
}

export function pcapRecord(frame: FrameToWrite): Buffer {
  const record = Buffer.alloc(16 + frame.bytes.length);
  const timestamp = frame.timestamp ?? 0;
  const seconds = Math.floor(timestamp);
  record.writeUInt32LE(seconds, 0);
  record.writeUInt32LE(Math.round((timestamp - seconds) * 1e6) % 1e6, 4);
  record.writeUInt32LE(frame.bytes.length, 8);
  record.writeUInt32LE(frame.originalLength ?? frame.bytes.length, 12);
  record.set(frame.bytes, 16);
  return record;
}

/** Writes `frames` to `path` as one pcap file, buffering writes in ~1 MiB batches. */
export function writePcapFile(
  path: string,
  linkType: number,
  frames: Iterable<FrameToWrite>,
): void {
  const fd = openSync(path, "w");
  try {
    writeSync(fd, pcapFileHeader(linkType));
    let batch: Buffer[] = [];
    let size = 0;
    for (const frame of frames) {
      const record = pcapRecord(frame);
      batch.push(record);
      size += record.length;
      if (size >= 1 << 20) {
        writeSync(fd, Buffer.concat(batch));
        batch = [];
        size = 0;
      }
    }
    if (batch.length > 0) writeSync(fd, Buffer.concat(batch));
  } finally {
    closeSync(fd);
  }
}
