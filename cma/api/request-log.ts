/**
 * One structured JSON line per request, written when the response ends (or
 * the client goes away), with a request id that is also sent back in the
 * X-Request-Id header and names the logged cause of a 500.
 */
import { randomUUID } from "node:crypto";
import type { RequestHandler, Response } from "express";

export interface RequestLogLine {
  time: string;
  request_id: string;
  method: string;
  /** Path and query string as received, cut at MAX_LOGGED_PATH characters. */
  path: string;
  status: number;
  duration_ms: number;
  /** Bytes of the body when its length was declared, else null. */
  bytes: number | null;
  remote: string | null;
  /** True when the client closed the connection before the response ended. */
  aborted?: true;
  /** The cause of a server-side failure (never sent to the client). */
  error?: string;
}

export type LogSink = (line: RequestLogLine) => void;

const MAX_LOGGED_PATH = 2048;
const REQUEST_ID = "assimRequestId";
const LOGGED_ERROR = "assimLoggedError";

export function requestId(res: Response): string {
  return String(res.locals[REQUEST_ID] ?? "");
}

/** Attaches a server-side cause to the request's log line. */
export function setLoggedError(res: Response, message: string): void {
  res.locals[LOGGED_ERROR] = message;
}

export function requestLogger(sink: LogSink): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const id = randomUUID();
    res.locals[REQUEST_ID] = id;
    res.setHeader("X-Request-Id", id);
    let written = false;
    const write = (aborted: boolean) => {
      if (written) return;
      written = true;
      const length = Number(res.getHeader("Content-Length"));
      const line: RequestLogLine = {
        time: new Date().toISOString(),
        request_id: id,
        method: req.method,
        path: req.originalUrl.slice(0, MAX_LOGGED_PATH),
        status: res.statusCode,
        duration_ms: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100,
        bytes: Number.isFinite(length) ? length : null,
        remote: req.socket.remoteAddress ?? null,
      };
      if (aborted) line.aborted = true;
      const error = res.locals[LOGGED_ERROR];
      if (typeof error === "string") line.error = error;
      sink(line);
    };
    res.once("finish", () => write(false));
    res.once("close", () => write(!res.writableFinished));
    next();
  };
}

/** A sink writing each line as JSON to a stream (stderr for `assim api`). */
export function jsonLineSink(stream: NodeJS.WritableStream): LogSink {
  return (line) => {
    stream.write(`${JSON.stringify(line)}\n`);
  };
}
