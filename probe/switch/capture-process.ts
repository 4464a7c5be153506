/**
 * Starts the capture child (capture-child.ts) and turns its output lines into
 * typed messages. Stopping it is bounded in time: SIGTERM, then SIGKILL.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { packageRoot } from "../../lib/package-root.js";
import { type ChildMessage, type ChildRequest, parseChildMessage } from "./capture-protocol.js";

const STOP_GRACE_MS = 3000;

/** The compiled child script: beside this module in dist/, or in dist/ when running from sources. */
export function childScript(): string {
  const beside = fileURLToPath(new URL("./capture-child.js", import.meta.url));
  if (existsSync(beside)) return beside;
  const built = join(packageRoot(), "dist", "probe", "switch", "capture-child.js");
  if (existsSync(built)) return built;
  throw new Error(`the capture program ${built} is missing; run \`npm run build\``);
}

export interface CaptureProcessHandlers {
  message(message: ChildMessage): void;
  /** The child ended before it was told to stop (a crash, or it could not start). */
  exit(detail: string): void;
}

export class CaptureProcess {
  private stopping = false;
  private readonly exited: Promise<void>;
  private stderr = "";

  private constructor(
    private readonly child: ChildProcess,
    handlers: CaptureProcessHandlers,
  ) {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on("line", (line) => {
      const message = parseChildMessage(line);
      if (message) handlers.message(message);
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      if (this.stderr.length < 4096) this.stderr += chunk.toString();
    });
    this.exited = new Promise((resolve) => {
      let done = false;
      const finish = (detail: string) => {
        if (done) return;
        done = true;
        if (!this.stopping) handlers.exit(detail);
        resolve();
      };
      child.once("error", (error) =>
        finish(`could not start the capture program: ${error.message}`),
      );
      // "close" waits for stdout to drain, so every message is delivered first.
      child.once("close", (code, signal) =>
        finish(
          `the capture program ended (${signal ?? `exit code ${code}`})${this.stderr ? `: ${this.stderr.trim().split("\n").slice(-3).join(" | ")}` : ""}`,
        ),
      );
    });
  }

  static start(request: ChildRequest, handlers: CaptureProcessHandlers): CaptureProcess {
    const child = spawn(process.execPath, [childScript(), JSON.stringify(request)], {
      // stdin stays open and unused: the child stops when it closes (this process died).
      stdio: ["pipe", "pipe", "pipe"],
      // Its own process group: Ctrl-C reaches this process, which then stops the
      // child in order (statistics first), instead of both racing to exit.
      detached: true,
    });
    return new CaptureProcess(child, handlers);
  }

  /** Asks the child to report its statistics and exit; resolves once it has and its output is read. */
  async stop(): Promise<void> {
    if (!this.stopping) {
      this.stopping = true;
      if (this.child.exitCode === null && this.child.signalCode === null) {
        this.child.kill("SIGTERM");
        const timer = setTimeout(() => this.child.kill("SIGKILL"), STOP_GRACE_MS);
        await this.exited;
        clearTimeout(timer);
      }
    }
    await this.exited;
  }
}
