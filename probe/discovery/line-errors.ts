import type { DiscoveryError } from "../../protocol/discovery-document.js";
import { ErrorList } from "./error-list.js";

/** Lines of one input reported as malformed before the rest are only counted. */
export const MAX_LINE_ERRORS = 20;

/**
 * Records malformed lines of one input as "where:line", up to a limit; the
 * rest are summed up in one entry, so a file of junk cannot flood the document.
 * Writes into the collector's ErrorList, or into a list of its own for a pure
 * parser that returns its errors.
 */
export class LineErrors {
  private count = 0;

  constructor(
    private readonly where: string,
    private readonly errors: ErrorList = new ErrorList(),
  ) {}

  add(lineNumber: number, message: string): void {
    this.count++;
    if (this.count <= MAX_LINE_ERRORS) this.errors.add(`${this.where}:${lineNumber}`, message);
  }

  /** Adds the summary entry, if lines went unlisted, and returns the whole list. */
  finish(): DiscoveryError[] {
    if (this.count > MAX_LINE_ERRORS) {
      this.errors.add(
        this.where,
        `${this.count - MAX_LINE_ERRORS} more malformed lines not listed (${this.count} in all)`,
      );
    }
    return this.errors.items;
  }
}

/** A field quoted for an error message, cut short so junk input cannot bloat the document. */
export function quoted(field: string): string {
  return JSON.stringify(field.length > 64 ? `${field.slice(0, 64)}...` : field);
}
