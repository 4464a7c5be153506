/**
 * Structured JSON logs for the services (probe, CMA): one JSON object per line,
 * with time, level, service name and message. Tests and the lab read them back.
 */
import { type DestinationStream, type Logger, pino } from "pino";

export type { Logger };

export interface LogOptions {
  /** "probe", "cma", ...: the `service` field of every line. */
  service: string;
  level?: string;
  /** Defaults to stderr, synchronously, so nothing is lost on exit. */
  destination?: DestinationStream;
}

export function createLogger(options: LogOptions): Logger {
  const destination = options.destination ?? pino.destination({ fd: 2, sync: true });
  return pino(
    {
      level: options.level ?? process.env.ASSIM_LOG_LEVEL ?? "info",
      base: { service: options.service, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/** A logger that drops everything (library code used without a service around it). */
export const silentLogger: Logger = pino({ level: "silent" });
