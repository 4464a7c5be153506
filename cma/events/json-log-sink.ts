/**
 * Appends each event as one JSON line to a file, for operators and log
 * shippers. Writes are batched and serialised; close() waits for them.
 */
import { type FileHandle, mkdir, open } from "node:fs/promises";
import { dirname } from "node:path";
import type { Logger } from "../../lib/log.js";
import type { CmaEvent } from "./event.js";
import type { PublishedEventSink } from "./published-sink.js";

export interface JsonLogSinkOptions {
  path: string;
  log: Logger;
  /** Lines held in memory while the disk is slow; the oldest are dropped beyond this. */
  maxPending?: number;
}

export class JsonLogSink implements PublishedEventSink {
  private readonly path: string;
  private readonly log: Logger;
  private readonly maxPending: number;
  private pending: string[] = [];
  private file: FileHandle | null = null;
  private writing: Promise<void> | null = null;
  private failing = false;
  private closed = false;
  private written = 0;
  private dropped = 0;

  constructor(options: JsonLogSinkOptions) {
    this.path = options.path;
    this.log = options.log;
    this.maxPending = options.maxPending ?? 100_000;
  }

  deliver(event: CmaEvent): void {
    if (this.closed) {
      this.dropped += 1;
      return;
    }
    if (this.pending.length >= this.maxPending) {
      this.pending.shift();
      this.dropped += 1;
    }
    this.pending.push(`${JSON.stringify(event)}\n`);
    this.startWriting();
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.writing !== null) await this.writing;
    const file = this.file;
    this.file = null;
    await file?.close().catch(() => {});
  }

  stats(): Record<string, number> {
    return { written: this.written, dropped: this.dropped, pending: this.pending.length };
  }

  private startWriting(): void {
    if (this.writing !== null) return;
    this.writing = this.writeAllPending().then(() => {
      this.writing = null;
      if (this.pending.length > 0) this.startWriting();
    });
  }

  private async writeAllPending(): Promise<void> {
    while (this.pending.length > 0) {
      const lines = this.pending;
      this.pending = [];
      await this.append(lines);
    }
  }

  private async append(lines: string[]): Promise<void> {
    try {
      this.file ??= await this.openFile();
      await this.file.appendFile(lines.join(""));
      this.written += lines.length;
      if (this.failing) {
        this.failing = false;
        this.log.info({ path: this.path }, "event log writable again");
      }
    } catch (error) {
      this.dropped += lines.length;
      // One message per outage, not one per event: the counter tells the rest.
      if (!this.failing) {
        this.failing = true;
        this.log.error(
          { err: error, path: this.path },
          "cannot write the event log; dropping events until it is writable",
        );
      }
      const file = this.file;
      this.file = null;
      await file?.close().catch(() => {});
    }
  }

  private async openFile(): Promise<FileHandle> {
    await mkdir(dirname(this.path), { recursive: true });
    return open(this.path, "a", 0o640);
  }
}
