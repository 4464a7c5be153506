/** Why a server could not listen, when the operator fixes it with another address or port. */

/** Errors of listen() that the caller fixes by choosing another address or port. */
const LISTEN_PROBLEMS: Record<string, string> = {
  EADDRINUSE: "is already in use",
  EACCES: "needs privileges this process lacks",
  EADDRNOTAVAIL: "is not an address of this machine",
};

/** What is wrong with the address a listen() failed on, when the caller can fix it. */
export function listenProblem(error: unknown): string | undefined {
  return LISTEN_PROBLEMS[(error as NodeJS.ErrnoException | null)?.code ?? ""];
}

/**
 * A server that could not listen for a reason listenProblem names; the message
 * says where and why, `listener` which of the caller's servers it was (so that
 * a command can name the option that set its address).
 */
export class ListenError extends Error {
  override name = "ListenError";

  constructor(
    readonly listener: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * The error to raise when `listener` could not listen or bind: a ListenError
 * "WHERE: it is already in use" when listenProblem knows why, otherwise an
 * Error with the original message, the original as its cause either way.
 */
export function listenFailure(listener: string, where: string, error: unknown): Error {
  const problem = listenProblem(error);
  if (problem) return new ListenError(listener, `${where}: it ${problem}`, { cause: error });
  return new Error(`${where}: ${(error as Error).message}`, { cause: error });
}
