import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { open } from "node:fs/promises";

export interface CappedText {
  text: string;
  /** True when the file held more than maxBytes and only the start was read. */
  truncated: boolean;
}

/**
 * Reads at most maxBytes of a regular file as UTF-8. Files under /etc may be
 * anything (a symlink to /dev/zero, a FIFO, a huge file), so only regular files
 * are read, opened without blocking, and never whole.
 */
export async function readCapped(path: string, maxBytes: number): Promise<CappedText> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!(await handle.stat()).isFile()) throw new Error("not a regular file");
    const buffer = Buffer.alloc(maxBytes + 1);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, null);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    const truncated = filled > maxBytes;
    return { text: buffer.subarray(0, Math.min(filled, maxBytes)).toString("utf8"), truncated };
  } finally {
    await handle.close();
  }
}

/** readCapped without promises, for the few reads made while setting up (the machine id). */
export function readCappedSync(path: string, maxBytes: number): CappedText {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) throw new Error("not a regular file");
    const buffer = Buffer.alloc(maxBytes + 1);
    let filled = 0;
    while (filled < buffer.length) {
      const bytesRead = readSync(fd, buffer, filled, buffer.length - filled, null);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    const truncated = filled > maxBytes;
    return { text: buffer.subarray(0, Math.min(filled, maxBytes)).toString("utf8"), truncated };
  } finally {
    closeSync(fd);
  }
}
