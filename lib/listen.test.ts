/** listenFailure: a ListenError naming where and why for the errors an operator fixes, else a plain Error. */
import { describe, expect, it } from "vitest";
import { ListenError, listenFailure } from "./listen.js";

const errno = (code: string) =>
  Object.assign(new Error(`bind ${code} 127.0.0.1:1984`), { code }) as NodeJS.ErrnoException;

describe("listenFailure", () => {
  it.each([
    ["EADDRINUSE", "is already in use"],
    ["EADDRNOTAVAIL", "is not an address of this machine"],
    ["EACCES", "needs privileges this process lacks"],
  ])("%s is a ListenError saying it %s", (code, problem) => {
    const cause = errno(code);
    const error = listenFailure("udp", "cannot bind UDP 127.0.0.1 port 1984", cause);
    expect(error).toBeInstanceOf(ListenError);
    expect(error).toMatchObject({
      listener: "udp",
      message: `cannot bind UDP 127.0.0.1 port 1984: it ${problem}`,
      cause,
    });
  });

  it("any other error stays a plain Error, its message kept", () => {
    const cause = errno("EMFILE");
    const error = listenFailure("metrics", "cannot serve metrics on 127.0.0.1 port 9184", cause);
    expect(error).not.toBeInstanceOf(ListenError);
    expect(error.message).toBe(
      "cannot serve metrics on 127.0.0.1 port 9184: bind EMFILE 127.0.0.1:1984",
    );
    expect(error.cause).toBe(cause);
  });
});
