import { createLogger, type Logger } from "../../lib/log.js";

export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

/** A real pino logger whose lines are kept, parsed, for assertions. */
export function capturedLog(): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const log = createLogger({
    service: "test",
    level: "debug",
    destination: { write: (line: string) => lines.push(JSON.parse(line) as LogLine) },
  });
  return { log, lines };
}
