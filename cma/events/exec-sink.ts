/**
 * Runs the operator's scripts for each event: every executable in a directory,
 * in name order, with the event as JSON on stdin. The directory is listed
 * again for every event, so scripts can be added or removed while running.
 */
import { join, resolve } from "node:path";
import type { Logger } from "../../lib/log.js";
import { errorMessage, settlesWithin } from "./deadline.js";
import type { CmaEvent } from "./event.js";
import { listScripts } from "./list-scripts.js";
import type { PublishedEventSink } from "./published-sink.js";
import { runScript, type ScriptResult, type ScriptRun } from "./run-script.js";

export interface ExecSinkOptions {
  dir: string;
  log: Logger;
  timeoutMs?: number;
  /** After the timeout's SIGTERM, how long before SIGKILL. */
  killGraceMs?: number;
  /** Scripts running at once; the others wait. */
  maxRunning?: number;
  /** Script runs waiting; the oldest is dropped beyond this. */
  maxQueue?: number;
  /** How long close() waits for queued and running scripts before killing them. */
  closeDeadlineMs?: number;
}

interface Job {
  script: string;
  event: CmaEvent;
}

interface Running {
  script: string;
  run: ScriptRun;
  done: Promise<void>;
}

const STDERR_LIMIT = 500;

export class ExecSink implements PublishedEventSink {
  private readonly dir: string;
  private readonly log: Logger;
  private readonly timeoutMs: number;
  private readonly killGraceMs: number;
  private readonly maxRunning: number;
  private readonly maxQueue: number;
  private readonly closeDeadlineMs: number;
  /** Listings run one after the other, so jobs are queued in event order. */
  private listing: Promise<void> = Promise.resolve();
  private queue: Job[] = [];
  private readonly running = new Set<Running>();
  private closed = false;
  private closing: Promise<void> | null = null;
  private givenUp = false;
  private listingFails = false;
  private readonly counts = {
    succeeded: 0,
    failed: 0,
    timedOut: 0,
    overflowed: 0,
    abandoned: 0,
    listFailures: 0,
  };

  constructor(options: ExecSinkOptions) {
    this.dir = resolve(options.dir);
    this.log = options.log;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.killGraceMs = options.killGraceMs ?? 2_000;
    this.maxRunning = Math.max(1, options.maxRunning ?? 4);
    this.maxQueue = Math.max(1, options.maxQueue ?? 1_000);
    this.closeDeadlineMs = options.closeDeadlineMs ?? 5_000;
  }

  deliver(event: CmaEvent): void {
    if (this.closed) {
      this.counts.abandoned += 1;
      return;
    }
    // Caught here so one unexpected failure cannot break the chain for every later event.
    this.listing = this.listing
      .then(() => this.queueScriptsFor(event))
      .catch((error: unknown) => {
        this.log.error({ err: error, eventId: event.id }, "event scripts not started");
      });
  }

  close(): Promise<void> {
    this.closed = true;
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    if (await settlesWithin(this.idle(), this.closeDeadlineMs)) return;
    this.givenUp = true;
    const abandoned = this.queue.length;
    this.counts.abandoned += abandoned;
    this.queue = [];
    const killed = [...this.running].map((running) => running.script);
    for (const running of this.running) running.run.kill();
    this.log.warn(
      { dir: this.dir, killed, abandoned, deadlineMs: this.closeDeadlineMs },
      "event scripts still running at the close deadline; killed",
    );
    await Promise.all([...this.running].map((running) => running.done));
  }

  stats(): Record<string, number> {
    return { ...this.counts, queued: this.queue.length, running: this.running.size };
  }

  private async idle(): Promise<void> {
    for (;;) {
      await this.listing;
      if (this.running.size === 0) this.startWaiting();
      if (this.running.size === 0) return;
      await Promise.race([...this.running].map((running) => running.done));
    }
  }

  private async queueScriptsFor(event: CmaEvent): Promise<void> {
    let scripts: string[];
    try {
      scripts = await listScripts(this.dir);
      if (this.listingFails) {
        this.listingFails = false;
        this.log.info({ dir: this.dir }, "event script directory readable again");
      }
    } catch (error) {
      this.counts.listFailures += 1;
      if (!this.listingFails) {
        this.listingFails = true;
        this.log.error(
          { dir: this.dir, error: errorMessage(error) },
          "cannot list the event script directory; no scripts run until it is readable",
        );
      }
      return;
    }
    for (const script of scripts) {
      if (this.givenUp) {
        this.counts.abandoned += 1;
        continue;
      }
      if (this.queue.length >= this.maxQueue) {
        const dropped = this.queue.shift();
        this.counts.overflowed += 1;
        if (this.counts.overflowed === 1 || this.counts.overflowed % 100 === 0) {
          this.log.warn(
            { dir: this.dir, script: dropped?.script, overflowed: this.counts.overflowed },
            "event script queue full; oldest waiting run dropped",
          );
        }
      }
      this.queue.push({ script, event });
    }
    this.startWaiting();
  }

  private startWaiting(): void {
    while (this.running.size < this.maxRunning && !this.givenUp) {
      const job = this.queue.shift();
      if (job === undefined) return;
      this.start(job);
    }
  }

  private start(job: Job): void {
    const { event, script } = job;
    const run = runScript({
      path: join(this.dir, script),
      cwd: this.dir,
      input: `${JSON.stringify(event)}\n`,
      env: scriptEnvironment(event),
      timeoutMs: this.timeoutMs,
      killGraceMs: this.killGraceMs,
      stderrLimit: STDERR_LIMIT,
    });
    const running: Running = {
      script,
      run,
      done: run.result.then((result) => {
        this.running.delete(running);
        this.report(job, result);
        this.startWaiting();
      }),
    };
    this.running.add(running);
  }

  private report(job: Job, result: ScriptResult): void {
    const fields = { script: job.script, eventId: job.event.id, eventType: job.event.type };
    if (result.timedOut) {
      this.counts.timedOut += 1;
      this.log.warn(
        { ...fields, timeoutMs: this.timeoutMs, stderr: result.stderr },
        "event script timed out; its process group was killed",
      );
    } else if (result.code === 0) {
      this.counts.succeeded += 1;
      this.log.debug(fields, "event script done");
    } else {
      this.counts.failed += 1;
      this.log.warn(
        {
          ...fields,
          code: result.code,
          signal: result.signal,
          stderr: result.stderr,
          ...(result.spawnError ? { spawnError: result.spawnError } : {}),
        },
        "event script failed",
      );
    }
  }
}

/** The service's environment plus the event's type, system, id and severity. */
function scriptEnvironment(event: CmaEvent): NodeJS.ProcessEnv {
  // A NUL byte cannot be passed in an environment variable; spawn would refuse.
  const clean = (value: string) => value.replaceAll("\0", "");
  return {
    ...process.env,
    ASSIM_EVENT_TYPE: event.type,
    ASSIM_EVENT_SYSTEM: clean(event.system),
    ASSIM_EVENT_ID: event.id,
    ASSIM_EVENT_SEVERITY: event.severity,
  };
}
