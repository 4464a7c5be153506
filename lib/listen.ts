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

/** A server that could not listen for a reason listenProblem names; the message says where and why. */
export class ListenError extends Error {
  override name = "ListenError";
}
