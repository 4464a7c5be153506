/**
 * Files whose content did not change are left alone (same inode, same
 * modification time), and only when the disk still holds what the last
 * successful export wrote: a file an interrupted export replaced, or one
 * someone deleted, is written again.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { copy, fixtureDocument, ingestFixtureWorld, LATER } from "../cma/graph/contract/support.js";
import type { GraphStore } from "../cma/graph/store.js";
import { ingestDocument } from "../cma/ingest/ingest.js";
import { scratchStores } from "../test/support/scratch-stores.js";
import { ChunkedText, type Exporter } from "./exporter.js";
import { glpiExporter } from "./itil/itil.js";
import { runExport } from "./run.js";
import { loadState, STATE_DIR, STATE_FILE } from "./state.js";

const { fresh } = scratchStores("assim-export-files-");

const T = (n: number) => new Date(Date.UTC(2026, 2, 1, n));

/** Inode and modification time: what a rewrite changes even with the same bytes. */
const identity = (path: string) => {
  const s = statSync(path, { bigint: true });
  return `${s.ino}:${s.mtimeNs}`;
};
const identities = (dir: string) =>
  Object.fromEntries(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => {
        const path = join(e.parentPath, e.name);
        return [path.slice(dir.length + 1), identity(path)];
      }),
  );

/** A format whose files are whatever `content` holds when it renders. */
function fileFormat(content: Record<string, string>): Exporter {
  return { name: "files", description: "", render: () => ({ ...content }) };
}

describe("unchanged export files", () => {
  it("are not rewritten; a changed host rewrites only its own GLPI document", async () => {
    const { store, out } = await fresh();
    await ingestFixtureWorld(store);
    const first = await runExport({ store, outDir: out, formats: [glpiExporter], now: () => T(1) });
    expect(first.unchanged).toBe(0);
    const before = identities(join(out, "glpi"));
    expect(Object.keys(before).sort()).toEqual(["db1.json", "ldap1.json", "web1.json"]);

    const same = await runExport({ store, outDir: out, formats: [glpiExporter], now: () => T(2) });
    expect(same).toMatchObject({ unchanged: 3, files: first.files });
    expect(identities(join(out, "glpi"))).toEqual(before);

    await changeWeb1Mtu(store);
    const changed = await runExport({
      store,
      outDir: out,
      formats: [glpiExporter],
      now: () => T(3),
    });
    expect(changed).toMatchObject({ changed: 1, unchanged: 2 });
    const after = identities(join(out, "glpi"));
    expect(after["db1.json"]).toBe(before["db1.json"]);
    expect(after["ldap1.json"]).toBe(before["ldap1.json"]);
    expect(after["web1.json"]).not.toBe(before["web1.json"]);
    expect(readFileSync(join(out, "glpi", "web1.json"), "utf8")).toContain('"mtu": 9000');
  });

  it("are written again when the disk no longer holds what the last export wrote", async () => {
    const { store, out } = await fresh();
    const content = { "a.txt": "1\n", "b.txt": "1\n", "c.txt": "1\n" };
    const format = fileFormat(content);
    await runExport({ store, outDir: out, formats: [format], now: () => T(1) });
    const state = readFileSync(join(out, STATE_DIR, STATE_FILE), "utf8");

    // An export that dies half-way: a.txt is replaced, then b.txt cannot be (c.txt is not reached).
    Object.assign(content, { "a.txt": "2\n", "b.txt": "2\n", "c.txt": "2\n" });
    rmSync(join(out, "files", "b.txt"));
    mkdirSync(join(out, "files", "b.txt"));
    await expect(
      runExport({ store, outDir: out, formats: [format], now: () => T(2) }),
    ).rejects.toThrow();
    expect(readFileSync(join(out, "files", "a.txt"), "utf8")).toBe("2\n");
    expect(readFileSync(join(out, "files", "c.txt"), "utf8")).toBe("1\n");
    expect(readFileSync(join(out, STATE_DIR, STATE_FILE), "utf8")).toBe(state);
    expect(readdirSync(join(out, "files")).filter((f) => f.endsWith(".tmp"))).toEqual([]);

    // Back to what the last successful export wrote: a.txt must be written again, c.txt was not touched.
    rmSync(join(out, "files", "b.txt"), { recursive: true });
    Object.assign(content, { "a.txt": "1\n", "b.txt": "1\n", "c.txt": "1\n" });
    const c = identity(join(out, "files", "c.txt"));
    const summary = await runExport({ store, outDir: out, formats: [format], now: () => T(3) });
    expect(summary.unchanged).toBe(1);
    for (const name of ["a.txt", "b.txt", "c.txt"]) {
      expect(readFileSync(join(out, "files", name), "utf8")).toBe("1\n");
    }
    expect(identity(join(out, "files", "c.txt"))).toBe(c);

    // A deleted output comes back even though its content did not change.
    rmSync(join(out, "files", "b.txt"));
    expect(
      (await runExport({ store, outDir: out, formats: [format], now: () => T(4) })).unchanged,
    ).toBe(2);
    expect(existsSync(join(out, "files", "b.txt"))).toBe(true);
    expect(Object.keys((await loadState(out))?.stamps ?? {}).sort()).toEqual([
      "files/a.txt",
      "files/b.txt",
      "files/c.txt",
    ]);
  });

  it("text written in chunks is left alone too when it did not change, and leaves no temporary", async () => {
    const { store, out } = await fresh();
    let text = ["a", "b\n"];
    const chunked: Exporter = {
      name: "files",
      description: "",
      render: () => ({ "big.txt": new ChunkedText(() => [...text]) }),
    };
    await runExport({ store, outDir: out, formats: [chunked], now: () => T(1) });
    const before = identity(join(out, "files", "big.txt"));
    expect(
      (await runExport({ store, outDir: out, formats: [chunked], now: () => T(2) })).unchanged,
    ).toBe(1);
    expect(identity(join(out, "files", "big.txt"))).toBe(before);
    expect(readdirSync(join(out, "files"))).toEqual(["big.txt"]);
    text = ["a", "c\n"];
    expect(
      (await runExport({ store, outDir: out, formats: [chunked], now: () => T(3) })).unchanged,
    ).toBe(0);
    expect(readFileSync(join(out, "files", "big.txt"), "utf8")).toBe("ac\n");
  });

  it("a format that fails after another staged its files leaves no temporary file or new directory", async () => {
    const { store, out } = await fresh();
    const broken: Exporter = {
      name: "broken",
      description: "",
      render: () => {
        throw new Error("template exploded");
      },
    };
    const nested = fileFormat({ "deep/er/a.txt": "a\n", "b.txt": "b\n" });
    await expect(
      runExport({ store, outDir: out, formats: [nested, broken], now: () => T(1) }),
    ).rejects.toThrow(/template exploded/);
    expect(existsSync(join(out, "files"))).toBe(false);
  });
});

async function changeWeb1Mtu(store: GraphStore): Promise<void> {
  const net = copy(fixtureDocument("web1", "netconfig"), LATER);
  const data = net.data as Record<string, Record<string, unknown>>;
  data.eth0 = { ...data.eth0, mtu: 9000 };
  await ingestDocument(store, net);
}
