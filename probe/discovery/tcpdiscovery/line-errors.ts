import type { ErrorList } from "../error-list.js";

/** Lines of one file reported as malformed before the rest are only counted. */
export const MAX_LINE_ERRORS_PER_FILE = 20;

/**
 * Records malformed lines of one file as "path:line", up to a limit; the
 * rest are summed up in one entry, so a file of junk cannot flood the document.
 */
export class LineErrors {
  private count = 0;

  constructor(
    private readonly errors: ErrorList,
    private readonly path: string,
  ) {}

  add(lineNumber: number, message: string): void {
    this.count++;
    if (this.count <= MAX_LINE_ERRORS_PER_FILE)
      this.errors.add(`${this.path}:${lineNumber}`, message);
  }

  finish(): void {
    if (this.count > MAX_LINE_ERRORS_PER_FILE) {
      this.errors.add(
        this.path,
        `${this.count - MAX_LINE_ERRORS_PER_FILE} more malformed lines skipped (${this.count} in all)`,
      );
    }
  }
}

/** A field quoted for an error message, cut short so junk input cannot bloat the document. */
export function quoted(field: string): string {
  return JSON.stringify(field.length > 64 ? `${field.slice(0, 64)}...` : field);
}
