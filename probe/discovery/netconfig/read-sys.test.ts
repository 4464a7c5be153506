import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ErrorList } from "../error-list.js";
import { isNoValueError, readAttribute, readSysFacts } from "./read-sys.js";

const scratch = mkdtempSync(join(tmpdir(), "assim-netconfig-sys-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A down interface on this machine, if any (ifb0 on the development VM). */
const downInterface = existsSync("/sys/class/net")
  ? readdirSync("/sys/class/net").find((name) => {
      try {
        return readFileSync(join("/sys/class/net", name, "operstate"), "utf8").trim() === "down";
      } catch {
        return false;
      }
    })
  : undefined;

const errno = (code: string) => Object.assign(new Error(code), { code });

describe("reading /sys attributes", () => {
  it("takes EINVAL (down interface), ENOENT and EOPNOTSUPP as no value", () => {
    expect(isNoValueError(errno("EINVAL"))).toBe(true);
    expect(isNoValueError(errno("ENOENT"))).toBe(true);
    expect(isNoValueError(errno("EOPNOTSUPP"))).toBe(true);
    expect(isNoValueError(errno("EACCES"))).toBe(false);
    expect(isNoValueError(new Error("plain"))).toBe(false);
  });

  it("reads at most a page, and reports a directory where a file should be", async () => {
    const dir = join(scratch, "attributes");
    mkdirSync(join(dir, "speed"), { recursive: true });
    writeFileSync(join(dir, "big"), "x".repeat(10_000));
    const errors = new ErrorList();
    expect(await readAttribute(join(dir, "big"), errors)).toHaveLength(4096);
    expect(await readAttribute(join(dir, "missing"), errors)).toBeNull();
    expect(await readAttribute(join(dir, "speed"), errors)).toBeNull();
    expect(errors.items).toEqual([
      { where: join(dir, "speed"), message: expect.stringMatching(/^EISDIR/) },
    ]);
  });

  it.skipIf(downInterface === undefined)(
    "gives null speed and duplex, without errors, for a down interface on this machine (skipped when none is down)",
    async () => {
      // The kernel answers EINVAL for these while an interface is down.
      const errors = new ErrorList();
      const facts = await readSysFacts("/sys", downInterface as string, errors);
      expect(errors.items).toEqual([]);
      expect(facts.speed).toBeNull();
      expect(facts.duplex).toBeNull();
    },
  );
});
