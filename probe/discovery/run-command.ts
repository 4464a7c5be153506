import { execFile } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";

export interface CommandResult {
  stdout: string;
  stderr: string;
}

/** Runs a program (never through a shell) and returns its output, or rejects naming it. */
export type CommandRunner = (program: string, args: string[]) => Promise<CommandResult>;

export class CommandError extends Error {
  constructor(
    readonly command: string,
    detail: string,
    /** The program does not exist here: for optional tools (rpm, systemctl) that is no error. */
    readonly notInstalled = false,
  ) {
    super(`${command}: ${detail}`);
    this.name = "CommandError";
  }

  static notInstalled(command: string): CommandError {
    return new CommandError(command, "not installed", true);
  }
}

const TIMEOUT_MS = 30_000;
const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;

export const runCommand: CommandRunner = (program, args) =>
  new Promise((resolve, reject) => {
    const command = [program, ...args].join(" ");
    execFile(
      program,
      args,
      {
        encoding: "utf8",
        timeout: TIMEOUT_MS,
        maxBuffer: MAX_OUTPUT_BYTES,
        env: { ...process.env, LC_ALL: "C", LANG: "C" },
      },
      (error, stdout, stderr) => {
        if (error) {
          const code = (error as NodeJS.ErrnoException).code;
          // EACCES also comes back when the program is absent but a PATH directory is
          // unreadable (a service user with root's PATH): absent is what matters then.
          if (code === "ENOENT" || (code === "EACCES" && !findOnPath(program))) {
            reject(CommandError.notInstalled(command));
            return;
          }
          const detail = error.killed
            ? `timed out after ${TIMEOUT_MS} ms`
            : `exited with ${String(code ?? error.message)}${stderr ? `: ${stderr.trim().split("\n")[0]}` : ""}`;
          reject(new CommandError(command, detail));
          return;
        }
        resolve({ stdout, stderr });
      },
    );
  });

/** The executable file that PATH resolves program to, or undefined when there is none. */
export function findOnPath(program: string, path = process.env.PATH ?? ""): string | undefined {
  const candidates = program.includes("/")
    ? [program]
    : path
        .split(delimiter)
        .filter((dir) => dir !== "")
        .map((dir) => join(dir, program));
  return candidates.find((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return statSync(candidate).isFile();
    } catch {
      return false;
    }
  });
}
