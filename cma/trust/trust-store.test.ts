import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fingerprint, generateKeyPair } from "../../protocol/crypto/keys.js";
import { TrustSelectorError, TrustStore } from "./trust-store.js";

const scratch = mkdtempSync(join(tmpdir(), "assim-trust-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let made = 0;
const newDir = () => join(scratch, `trust-${++made}`);
const key = () => generateKeyPair().publicKey;

describe("TrustStore", () => {
  it("trusts a new key on first use in tofu mode, and remembers it across instances", () => {
    const dir = newDir();
    const probe = key();
    expect(new TrustStore(dir, "tofu").decide(probe, "10.0.0.5:1984")).toBe("trusted");
    const again = new TrustStore(dir, "approve");
    expect(again.decide(probe, "10.0.0.6:1984")).toBe("trusted");
    const [entry] = again.list();
    expect(entry).toMatchObject({
      key: probe,
      state: "trusted",
      from: "10.0.0.5:1984",
      decided_by: "trust on first use",
      fingerprint: fingerprint(probe),
    });
    const file = join(dir, "trusted", `${probe}.json`);
    expect(statSync(file).mode & 0o077).toBe(0);
  });

  it("holds a new key pending in approve mode until approved, and drops a revoked one", () => {
    const dir = newDir();
    const cma = new TrustStore(dir, "approve");
    const probe = key();
    expect(cma.decide(probe, "10.0.0.7:1984")).toBe("pending");
    expect(cma.decide(probe, "10.0.0.7:1984")).toBe("pending");
    expect(cma.admits(probe)).toBe(true);

    // `assim keys approve` is another process: its own store over the same directory.
    const operator = new TrustStore(dir, "approve");
    const changed = operator.set(operator.select(fingerprint(probe).slice(0, 8)), "trusted", "op");
    expect(changed.map((entry) => entry.key)).toEqual([probe]);
    expect(changed[0]?.first_seen).not.toBeNull();
    expect(cma.decide(probe, "10.0.0.7:1984")).toBe("pending"); // read again at most once a second
    cma.reload();
    expect(cma.decide(probe, "10.0.0.7:1984")).toBe("trusted");
    expect(readdirSync(join(dir, "pending"))).toEqual([]);

    operator.set([probe], "revoked", "op");
    cma.reload();
    expect(cma.admits(probe)).toBe(false);
    expect(cma.decide(probe, "10.0.0.7:1984")).toBe("refused");
  });

  it("approves every pending key at once, and refuses selectors that are unclear", () => {
    const dir = newDir();
    const cma = new TrustStore(dir, "approve");
    const keys = [key(), key(), key()];
    for (const probe of keys) cma.decide(probe, "10.0.0.1:1984");
    expect(cma.select("pending").sort()).toEqual([...keys].sort());
    cma.set(cma.select("pending"), "trusted", "op");
    expect(cma.list().map((entry) => entry.state)).toEqual(["trusted", "trusted", "trusted"]);
    expect(() => cma.select("zz; rm -rf /")).toThrow(TrustSelectorError);
    expect(() => cma.select("abcdef0")).toThrow(/no known key/);
    expect(() => cma.select("../../etc/passwd")).toThrow(/neither a key/);
  });

  it("ignores stray files in its directories", () => {
    const dir = newDir();
    const store = new TrustStore(dir, "tofu");
    const probe = key();
    store.decide(probe, "10.0.0.1:1984");
    writeStrayFiles(join(dir, "trusted"));
    store.reload();
    expect(store.list().map((entry) => entry.key)).toEqual([probe]);
  });

  it("reads its directories again only when one of them changed", () => {
    const dir = newDir();
    const cma = new TrustStore(dir, "tofu");
    const probe = key();
    cma.decide(probe, "10.0.0.1:1984");
    cma.refresh(0);
    const settled = cma.generation;
    cma.refresh(0);
    cma.refresh(0);
    expect(cma.generation).toBe(settled);
    new TrustStore(dir, "tofu").set([probe], "revoked", "op");
    cma.refresh(0);
    expect(cma.generation).toBe(settled + 1);
    expect(cma.admits(probe)).toBe(false);
  });
});

function writeStrayFiles(dir: string): void {
  writeFileSync(join(dir, "notes.txt"), "hello");
  writeFileSync(join(dir, "not-a-key.json"), "{}");
  writeFileSync(join(dir, `${"A".repeat(43)}.json.1234.tmp`), "{");
}
