/**
 * How failures become HTTP answers. Caller mistakes (bad or missing parameters,
 * an unknown query, a malformed URL) say what was wrong; failures inside the
 * server say only that they happened and under which request id the server
 * logged the cause, so no stack, path or store detail reaches the client.
 */
import type { ErrorRequestHandler, RequestHandler } from "express";
import { QueryParameterError, UnknownQueryError } from "../queries/errors.js";
import { requestId, setLoggedError } from "./request-log.js";

export type ErrorKind =
  | "bad-parameter"
  | "bad-request"
  | "not-found"
  | "method-not-allowed"
  | "store-failure"
  | "internal-error";

export const ERROR_KINDS: readonly ErrorKind[] = [
  "bad-parameter",
  "bad-request",
  "not-found",
  "method-not-allowed",
  "store-failure",
  "internal-error",
];

/** A failure of the graph store while answering: its cause is logged, never sent. */
export class StoreFailure extends Error {
  override name = "StoreFailure";
  constructor(override readonly cause: unknown) {
    super("the graph store failed");
  }
}

export interface ErrorBody {
  error: ErrorKind;
  message: string;
  query?: string;
  parameter?: string | null;
  request_id?: string;
}

const describe = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/** Express error handler: the last middleware of the app. */
export const errorHandler: ErrorRequestHandler = (error, _req, res, _next) => {
  if (res.headersSent) {
    // Too late for a status: end the response so the client sees it cut.
    setLoggedError(res, describe(error));
    res.destroy();
    return;
  }
  let status: number;
  let body: ErrorBody;
  if (error instanceof UnknownQueryError) {
    status = 404;
    body = { error: "not-found", message: error.message, query: error.query };
  } else if (error instanceof QueryParameterError) {
    status = 400;
    body = {
      error: "bad-parameter",
      message: error.message,
      query: error.query,
      parameter: error.parameter === "" ? null : error.parameter,
    };
  } else if (isClientHttpError(error)) {
    // Raised by express itself, e.g. a path segment that is not valid percent-encoding.
    status = error.status;
    body = { error: "bad-request", message: error.expose ? error.message : "bad request" };
  } else {
    const id = requestId(res);
    const store = error instanceof StoreFailure;
    status = 500;
    setLoggedError(res, describe(store ? error.cause : error));
    body = {
      error: store ? "store-failure" : "internal-error",
      message: `${store ? "the graph store failed to answer" : "the server failed"}; the server log has the cause under request id ${id}`,
      request_id: id,
    };
  }
  res.status(status).json(body);
};

function isClientHttpError(
  error: unknown,
): error is { status: number; expose?: boolean; message: string } {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === "number" && status >= 400 && status < 500;
}

export const notFound: RequestHandler = (req, res) => {
  const body: ErrorBody = {
    error: "not-found",
    message: `no route for ${req.method} ${req.path.slice(0, 200)}; the routes are listed in /api/openapi.json`,
  };
  res.status(404).json(body);
};

export const methodNotAllowed: RequestHandler = (req, res) => {
  const body: ErrorBody = {
    error: "method-not-allowed",
    message: `${req.method} is not allowed on ${req.path.slice(0, 200)}; the API is read-only (GET)`,
  };
  res.status(405).set("Allow", "GET, HEAD").json(body);
};
