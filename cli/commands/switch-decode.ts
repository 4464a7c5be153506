import type { Command } from "commander";
import { decodeFrame } from "../../probe/switch/decode/index.js";
import { CaptureFileError, readCaptureFile } from "../../probe/switch/pcap-file.js";
import { writeStdout } from "../output.js";

/** Flush stdout in chunks of about this many characters (one write per frame is slow). */
const CHUNK = 64 * 1024;
const PROGRESS_EVERY_MS = 1000;

/** One output line for one frame: what decodeFrame found, with where it came from. */
export function frameRecord(
  file: string,
  frame: number,
  result: ReturnType<typeof decodeFrame>,
  cut?: { captured: number; original: number },
): Record<string, unknown> {
  const where = { file, frame, ...(cut === undefined ? {} : { capture_truncated: cut }) };
  switch (result.kind) {
    case "neighbour":
      return { ...where, protocol: result.protocol, ...result.neighbour };
    case "ignored":
      return { ...where, protocol: result.protocol, ignored: result.detail };
    case "error": {
      const { tlv, offset, message } = result;
      return {
        ...where,
        ...(result.protocol === undefined ? {} : { protocol: result.protocol }),
        error: { tlv, offset, message },
        ...(result.partial === undefined ? {} : { partial: result.partial }),
      };
    }
  }
}

/** Decodes every frame of `file` to stdout; returns the frame count. Throws CaptureFileError. */
async function decodeFile(file: string): Promise<number> {
  let pending = "";
  let frames = 0;
  let lastProgress = Date.now();
  try {
    for (const frame of readCaptureFile(file)) {
      const cut =
        frame.originalLength > frame.bytes.length
          ? { captured: frame.bytes.length, original: frame.originalLength }
          : undefined;
      const result = decodeFrame(frame.bytes, frame.linkType);
      pending += `${JSON.stringify(frameRecord(file, frame.number, result, cut))}\n`;
      frames++;
      if (pending.length >= CHUNK) {
        await writeStdout(pending);
        pending = "";
        const now = Date.now();
        if (now - lastProgress >= PROGRESS_EVERY_MS) {
          lastProgress = now;
          process.stderr.write(`assim switch decode: ${file}: ${frames} frames...\n`);
        }
      }
    }
  } finally {
    // Frames read before a fault in the file are printed before the fault is reported.
    if (pending !== "") await writeStdout(pending);
  }
  return frames;
}

export function registerSwitchDecode(group: Command): void {
  group
    .command("decode")
    .description("decode the LLDP and CDP frames of capture files, one JSON line per frame")
    .argument("<file...>", "pcap or pcapng files (link types Ethernet, Cisco HDLC, Linux cooked)")
    .addHelpText(
      "after",
      "\nEach line is {file, frame, protocol, ...the neighbour's fields} for a decoded frame,\n" +
        "{file, frame, protocol, ignored} for DTP/VTP/PAgP/UDLD and other frames, or\n" +
        "{file, frame, error: {tlv, offset, message}, partial?} for a frame that is truncated or\n" +
        "malformed (offset is the byte offset of the TLV or header at fault, in the frame).\n" +
        "A frame cut by the capture's snap length also carries capture_truncated.\n\n" +
        "Exit code 0 when every file was read (undecodable frames are reported, not failures),\n" +
        "1 when a file could not be read (missing, not a capture, cut inside a record).",
    )
    .action(async (files: string[]) => {
      let failed = 0;
      for (const file of files) {
        try {
          await decodeFile(file);
        } catch (error) {
          if (!(error instanceof CaptureFileError)) throw error;
          failed++;
          process.stderr.write(`assim switch decode: ${error.message}\n`);
        }
      }
      if (failed > 0) process.exitCode = 1;
    });
}
