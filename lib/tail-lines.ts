/**
 * The last lines of a file that only grows at its end (a JSON-lines log),
 * read backwards from the end in chunks so that a long file costs no more
 * than the lines asked for, and never more than `maxBytes`.
 */
import { type FileHandle, open } from "node:fs/promises";

const CHUNK_BYTES = 64 * 1024;
const NEWLINE = 0x0a;

export interface TailOptions {
  /** At most this many lines, the last ones. */
  maxLines: number;
  /**
   * Read at most this many bytes from the end (and the byte before them, to see whether the
   * first line starts with them); a line that starts before them is left out.
   */
  maxBytes: number;
}

export interface Tail {
  /** Non-blank lines in file order, without their newline. */
  lines: string[];
  /** False when the file does not exist. */
  exists: boolean;
}

function countNewlines(buffer: Buffer): number {
  let count = 0;
  for (let i = buffer.indexOf(NEWLINE); i !== -1; i = buffer.indexOf(NEWLINE, i + 1)) count++;
  return count;
}

async function newlineAt(handle: FileHandle, position: number): Promise<boolean> {
  const byte = Buffer.alloc(1);
  const { bytesRead } = await handle.read(byte, 0, 1, position);
  return bytesRead === 1 && byte[0] === NEWLINE;
}

export async function readTailLines(path: string, options: TailOptions): Promise<Tail> {
  let handle: FileHandle;
  try {
    handle = await open(path, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { lines: [], exists: false };
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const chunks: Buffer[] = [];
    let position = size;
    let newlines = 0;
    // One newline more than lines wanted: the last line may lack its newline.
    while (position > 0 && size - position < options.maxBytes && newlines <= options.maxLines) {
      const length = Math.min(CHUNK_BYTES, position, options.maxBytes - (size - position));
      position -= length;
      const chunk = Buffer.alloc(length);
      const { bytesRead } = await handle.read(chunk, 0, length, position);
      const read = chunk.subarray(0, bytesRead);
      chunks.unshift(read);
      newlines += countNewlines(read);
    }
    const lines = Buffer.concat(chunks).toString("utf8").split("\n");
    // Reading stopped inside the file: the first piece is whole only when a newline comes before it.
    if (position > 0 && !(await newlineAt(handle, position - 1))) lines.shift();
    const whole = lines.filter((line) => line.trim() !== "");
    return { lines: whole.slice(-options.maxLines), exists: true };
  } finally {
    await handle.close();
  }
}
