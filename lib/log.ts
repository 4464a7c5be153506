/**
 * Structured JSON logs for the services (probe, CMA): one JSON object per line,
 * with time, level, service name and message. Tests and the lab read them back.
 * ASSIM_LOG_FORMAT=pretty turns them into one human line each, for a terminal.
 */
import { type DestinationStream, type Logger, pino } from "pino";
import pretty from "pino-pretty";

export type { Logger };

export const LOG_FORMATS = ["json", "pretty"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** The format asked for by ASSIM_LOG_FORMAT; JSON unless it says pretty. */
export function logFormatFromEnv(env: NodeJS.ProcessEnv = process.env): LogFormat {
  return env.ASSIM_LOG_FORMAT === "pretty" ? "pretty" : "json";
}

/** Human-readable lines on stderr: time, level, service, message, then the fields. */
function prettyStderr(): DestinationStream {
  return pretty({
    destination: 2,
    sync: true,
    colorize: process.stderr.isTTY === true,
    translateTime: "SYS:HH:MM:ss.l",
    ignore: "pid,hostname",
    messageFormat: "{service}: {msg}",
    singleLine: true,
  });
}

export interface LogOptions {
  /** "probe", "cma", ...: the `service` field of every line. */
  service: string;
  level?: string;
  /** Defaults to stderr, synchronously, so nothing is lost on exit. */
  destination?: DestinationStream;
}

export function createLogger(options: LogOptions): Logger {
  const destination =
    options.destination ??
    (logFormatFromEnv() === "pretty" ? prettyStderr() : pino.destination({ fd: 2, sync: true }));
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
