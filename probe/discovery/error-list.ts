import type { DiscoveryError } from "../../protocol/discovery-document.js";

/** Collects what a collector or parser had to skip, so one bad line never aborts a run. */
export class ErrorList {
  readonly items: DiscoveryError[] = [];

  add(where: string, problem: unknown): void {
    this.items.push({ where, message: messageOf(problem) });
  }
}

export function messageOf(problem: unknown): string {
  if (problem instanceof Error) {
    const code = (problem as NodeJS.ErrnoException).code;
    return code && !problem.message.startsWith(code)
      ? `${code}: ${problem.message}`
      : problem.message;
  }
  return String(problem);
}
