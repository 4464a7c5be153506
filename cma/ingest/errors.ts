/** A discovery document the graph will not take; nothing of it was written. */
export class DocumentRejectedError extends Error {
  override name = "DocumentRejectedError";
  constructor(
    /** What the document says it is ("(unknown)" when it does not say). */
    readonly discovertype: string,
    /** Its host, or "(unknown)". */
    readonly host: string,
    readonly problems: readonly string[],
  ) {
    super(`rejected ${discovertype} document from ${host}: ${problems.join("; ")}`);
  }
}
