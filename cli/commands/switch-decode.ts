import type { Command } from "commander";
import { decodeFrame } from "../../probe/switch/decode/index.js";
import { CaptureFileError, readCaptureFile } from "../../probe/switch/pcap-file.js";
import { writeStdout } from "../output.js";

/** Flush stdout in chunks of about this many characters (one write per frame is slow). */
const CHUNK = 64 * 1024;
const PROGRESS_EVERY_MS = 1000;

/**
 * One output line for one frame: where it came from, then what decodeFrame
 * found. Built as text around JSON.stringify of the neighbour, rather than
 * by spreading it into a new object, because this runs once per frame.
 */
export function frameLine(
  fileJson: string,
  frame: number,
  result: ReturnType<typeof decodeFrame>,
  cut?: { captured: number; original: number },
): string {
  const truncated =
    cut === undefined
      ? ""
      : `,"capture_truncated":{"captured":${cut.captured},"original":${cut.original}}`;
  const head = `{"file":${fileJson},"frame":${frame}${truncated}`;
  switch (result.kind) {
    case "neighbour":
      // The neighbour is a non-empty object: its text after "{" continues this one.
      return `${head},"protocol":"${result.protocol}",${JSON.stringify(result.neighbour).slice(1)}\n`;
    case "ignored":
      return `${head},"protocol":"${result.protocol}","ignored":${JSON.stringify(result.detail)}}\n`;
    case "error": {
      const { tlv, offset, message } = result;
      const rest = {
        ...(result.protocol === undefined ? {} : { protocol: result.protocol }),
        error: { tlv, offset, message },
        ...(result.partial === undefined ? {} : { partial: result.partial }),
      };
      return `${head},${JSON.stringify(rest).slice(1)}\n`;
    }
  }
}

/** Decodes every frame of `file` to stdout; returns the frame count. Throws CaptureFileError. */
async function decodeFile(file: string): Promise<number> {
  const fileJson = JSON.stringify(file);
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
      pending += frameLine(fileJson, frame.number, result, cut);
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
