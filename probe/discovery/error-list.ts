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

/** Limits that keep a document valid however much went wrong (the envelope schema's maxLength). */
export const MAX_ERROR_TEXT = 4096;
export const MAX_ERRORS = 1000;

function clip(text: string): string {
  return text.length <= MAX_ERROR_TEXT ? text : `${text.slice(0, MAX_ERROR_TEXT - 1)}…`;
}

/**
 * Clips each entry to the schema's length and keeps the first MAX_ERRORS,
 * ending with one entry that says how many more there were.
 */
export function boundedErrors(errors: readonly DiscoveryError[]): DiscoveryError[] {
  const kept = errors.slice(0, errors.length > MAX_ERRORS ? MAX_ERRORS - 1 : MAX_ERRORS);
  const bounded = kept.map((e) => ({ where: clip(e.where), message: clip(e.message) }));
  if (errors.length > MAX_ERRORS) {
    bounded.push({
      where: "(discovery)",
      message: `${errors.length - kept.length} more errors not listed`,
    });
  }
  return bounded;
}
