/**
 * Writing an export's files in two steps: stage (each file written to a
 * temporary sibling and flushed, as lib/atomic-file.ts does), then commit (every
 * temporary renamed over its file) once every format has rendered; or discard
 * (the temporaries and the directories staging made removed) when one failed.
 * A file whose content did not change since the last successful export is left
 * alone: its stamp (content digest, size, modification time and inode, saved in
 * the state) still matches the file on disk. Anything else on disk (a file an
 * interrupted export replaced, an edited or deleted one) fails the comparison
 * and is written again.
 */
import { createHash } from "node:crypto";
import { type FileHandle, mkdir, open, rename, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { temporarySibling } from "../lib/atomic-file.js";
import { ChunkedText } from "./exporter.js";

/** Content written for a file: text, bytes, or text written as it is produced. */
export type FileContent = string | Uint8Array | ChunkedText;

/** Path relative to OUT → "<digest>:<size>:<mtime ns>:<inode>" of the file as the export left it. */
export type FileStamps = Record<string, string>;

/** Files staged at once: flushes overlap, so the disk can batch them. */
const PARALLEL = 16;

const digestOf = (content: Uint8Array) => createHash("sha1").update(content).digest("base64url");

/** Chunks are gathered into writes of about this many characters. */
const WRITE_SIZE = 1 << 20;

interface StatLike {
  size: bigint;
  mtimeNs: bigint;
  ino: bigint;
}

const stampOf = (digest: string, s: StatLike) => `${digest}:${s.size}:${s.mtimeNs}:${s.ino}`;

interface Staged {
  temporary: string;
  digest: string;
  stamp: string;
}

/** Writes chunked text in pieces of about WRITE_SIZE characters; returns its digest. */
async function writeChunks(handle: FileHandle, text: ChunkedText): Promise<string> {
  const hash = createHash("sha1");
  let pending: string[] = [];
  let size = 0;
  const flush = async () => {
    const bytes = Buffer.from(pending.join(""));
    pending = [];
    size = 0;
    hash.update(bytes);
    await handle.writeFile(bytes);
  };
  for (const chunk of text.chunks()) {
    pending.push(chunk);
    size += chunk.length;
    if (size >= WRITE_SIZE) await flush();
  }
  await flush();
  return hash.digest("base64url");
}

export class StagedFiles {
  /** Temporary file → the file it replaces, in the order given to stage(). */
  private readonly pending = new Map<string, string>();
  /** Temporary files of the stage() running, by path, until it is done. */
  private readonly staging = new Map<string, [string, string]>();
  /** Directories staging created (the first missing one of each path), removed on discard. */
  private readonly created: string[] = [];
  private readonly madeDirs = new Set<string>();
  readonly stamps: FileStamps = {};
  /** Paths (relative to OUT) left as they were. */
  readonly unchanged: string[] = [];

  constructor(
    private readonly outDir: string,
    private readonly previous: Readonly<FileStamps>,
  ) {}

  /** Stages `files` (path relative to OUT → content), a few at a time. */
  async stage(files: ReadonlyMap<string, FileContent>): Promise<void> {
    const paths = [...files.keys()];
    let next = 0;
    let failed = false;
    const worker = async () => {
      while (!failed && next < paths.length) {
        const path = paths[next++] as string;
        try {
          await this.stageOne(path, files.get(path) as FileContent);
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    };
    // Every worker settles before a failure is thrown: discard() then sees every temporary.
    const results = await Promise.allSettled(
      Array.from({ length: Math.min(PARALLEL, paths.length) }, worker),
    );
    // Commit order is the order given, whatever order the writes finished in.
    for (const path of paths) {
      const entry = this.staging.get(path);
      if (entry) this.pending.set(...entry);
    }
    this.staging.clear();
    const failure = results.find((r) => r.status === "rejected");
    if (failure) throw failure.reason;
  }

  private async stageOne(path: string, text: FileContent): Promise<void> {
    const target = join(this.outDir, path);
    const old = this.previous[path];
    if (text instanceof ChunkedText) {
      // Its digest is known only once it is written: written first, dropped if unchanged.
      const staged = await this.write(path, target, (handle) => writeChunks(handle, text));
      if (await this.intact(target, staged.digest, old)) {
        this.staging.delete(path);
        await rm(staged.temporary, { force: true });
        this.keep(path, old as string);
      } else {
        this.staged(path, staged);
      }
      return;
    }
    // Encoded once, for the digest and the write.
    const content = typeof text === "string" ? Buffer.from(text) : text;
    const digest = digestOf(content);
    if (await this.intact(target, digest, old)) {
      this.keep(path, old as string);
      return;
    }
    const staged = await this.write(path, target, async (handle) => {
      await handle.writeFile(content);
      return digest;
    });
    this.staged(path, staged);
  }

  /** Whether the file on disk is the one the stamp `old` describes, with content of this digest. */
  private async intact(target: string, digest: string, old: string | undefined): Promise<boolean> {
    if (!old?.startsWith(`${digest}:`)) return false;
    const now = await stat(target, { bigint: true }).catch(() => null);
    return now?.isFile() === true && stampOf(digest, now) === old;
  }

  private keep(path: string, stamp: string): void {
    this.stamps[path] = stamp;
    this.unchanged.push(path);
  }

  private staged(path: string, staged: Staged): void {
    this.stamps[path] = staged.stamp;
  }

  /** Writes a temporary sibling of `target` with `fill` (which returns the content's digest) and flushes it. */
  private async write(
    path: string,
    target: string,
    fill: (handle: FileHandle) => Promise<string>,
  ): Promise<Staged> {
    await this.makeDir(dirname(target));
    const temporary = temporarySibling(target);
    this.staging.set(path, [temporary, target]);
    const handle = await open(temporary, "w");
    try {
      const digest = await fill(handle);
      await handle.sync();
      return { temporary, digest, stamp: stampOf(digest, await handle.stat({ bigint: true })) };
    } finally {
      await handle.close();
    }
  }

  private async makeDir(dir: string): Promise<void> {
    if (this.madeDirs.has(dir)) return;
    const first = await mkdir(dir, { recursive: true });
    if (first !== undefined) this.created.push(first);
    this.madeDirs.add(dir);
  }

  /** Renames every staged file over its target. */
  async commit(): Promise<void> {
    for (const [temporary, target] of this.pending) {
      await rename(temporary, target);
      this.pending.delete(temporary);
    }
  }

  /** Removes what staging wrote: its temporaries, and the directories it made if they are empty. */
  async discard(): Promise<void> {
    for (const temporary of this.pending.keys()) await rm(temporary, { force: true });
    this.pending.clear();
    // They did not exist when this export (holding the lock) began: only its temporaries were in them.
    for (const dir of this.created.reverse()) await rm(dir, { recursive: true, force: true });
    this.created.length = 0;
  }
}
