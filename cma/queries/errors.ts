/**
 * Errors of the query layer. Both mean "the caller asked wrongly": the CLI maps
 * them to exit code 2, the REST API to HTTP 400 (check `isQueryRequestError`).
 */

export class UnknownQueryError extends Error {
  override name = "UnknownQueryError";
  constructor(
    readonly query: string,
    known: readonly string[],
  ) {
    super(`unknown query "${query}"; known queries: ${known.join(", ")}`);
  }
}

export class QueryParameterError extends Error {
  override name = "QueryParameterError";
  constructor(
    readonly query: string,
    /** The parameter at fault; "" when the fault is the combination of parameters. */
    readonly parameter: string,
    readonly problem: string,
  ) {
    super(
      parameter === ""
        ? `query "${query}": ${problem}`
        : `query "${query}", parameter "${parameter}": ${problem}`,
    );
  }
}

export function isQueryRequestError(
  error: unknown,
): error is UnknownQueryError | QueryParameterError {
  return error instanceof UnknownQueryError || error instanceof QueryParameterError;
}
