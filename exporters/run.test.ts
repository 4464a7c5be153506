import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  copy,
  fixtureDocument,
  ingestFixtureWorld,
  LATER,
  SYSTEM,
} from "../cma/graph/contract/support.js";
import type { GraphStore } from "../cma/graph/store.js";
import { ingestDocument } from "../cma/ingest/ingest.js";
import { scratchStores } from "../test/support/scratch-stores.js";
import type { Exporter } from "./exporter.js";
import { jsonExporter } from "./json/json.js";
import { runExport } from "./run.js";
import { DRIFT_FILE, loadState, STATE_DIR, STATE_FILE } from "./state.js";

const { fresh } = scratchStores("assim-export-run-");

const T1 = new Date("2026-03-01T12:00:00.000Z");
const T2 = new Date("2026-03-01T13:00:00.000Z");
const T3 = new Date("2026-03-01T14:00:00.000Z");
const T4 = new Date("2026-03-01T15:00:00.000Z");

const read = (path: string) => readFileSync(path, "utf8");
const json = (path: string) => JSON.parse(read(path));
const drift = (out: string) =>
  read(join(out, DRIFT_FILE))
    .trim()
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l));
/** Every file an export leaves: what must not move when an export fails. */
const outputs = (out: string) =>
  Object.fromEntries(
    ["json/records.json", "json/changes.json", DRIFT_FILE, `${STATE_DIR}/${STATE_FILE}`].map(
      (p) => [p, read(join(out, p))],
    ),
  );

/** A format that throws while rendering. */
const broken: Exporter = {
  name: "broken",
  description: "fails",
  render(records) {
    if (records.length > 0) throw new Error("template exploded");
    return {};
  },
};

/** web1 loses redis, eth0 gets MTU 9000: one service and its dependency go, one field changes. */
async function changeWeb1(store: GraphStore): Promise<void> {
  const tcp = copy(fixtureDocument("web1", "tcpdiscovery"), LATER);
  delete (tcp.data as Record<string, unknown>)["redis-server:2a3b4c5d6e7f"];
  await ingestDocument(store, tcp);
  const net = copy(fixtureDocument("web1", "netconfig"), LATER);
  (net.data as Record<string, { mtu: number }>).eth0 = {
    ...(net.data as Record<string, { mtu: number }>).eth0,
    mtu: 9000,
  } as { mtu: number };
  await ingestDocument(store, net);
}

describe("runExport", () => {
  it("first export: every record is added; the json files, the drift feed and the state are written", async () => {
    const { store, out } = await fresh();
    await ingestFixtureWorld(store);
    const summary = await runExport({ store, outDir: out, formats: [jsonExporter], now: () => T1 });
    expect(summary).toMatchObject({
      at: T1.toISOString(),
      since: null,
      formats: ["json"],
      added: summary.records,
      changed: 0,
      removed: 0,
      files: ["json/changes.json", "json/records.json"],
    });
    expect(summary.records).toBe(23);
    const records = json(join(out, "json", "records.json"));
    expect(records.exported_at).toBe(T1.toISOString());
    expect(records.records).toHaveLength(23);
    const changes = json(join(out, "json", "changes.json"));
    expect(changes).toMatchObject({ since: null, at: T1.toISOString(), changed: [], removed: [] });
    expect(changes.added).toEqual(records.records);
    const lines = drift(out);
    expect(lines).toHaveLength(23);
    expect(lines[0]).toMatchObject({ at: T1.toISOString(), change: "added", kind: "dependency" });
    const state = await loadState(out);
    expect(state?.exported_at).toBe(T1.toISOString());
    expect(state?.records).toEqual(records.records);
    expect(state?.files).toEqual({ json: ["json/changes.json", "json/records.json"] });

    // Nothing changed: an empty change set, the same records, nothing added to the feed.
    const again = await runExport({ store, outDir: out, formats: [jsonExporter], now: () => T2 });
    expect(again).toMatchObject({ since: T1.toISOString(), added: 0, changed: 0, removed: 0 });
    expect(json(join(out, "json", "changes.json"))).toEqual({
      since: T1.toISOString(),
      at: T2.toISOString(),
      added: [],
      changed: [],
      removed: [],
    });
    expect(json(join(out, "json", "records.json")).records).toEqual(records.records);
    expect(drift(out)).toHaveLength(23);
  });

  it("a failed export leaves outputs and state as they were; the next one reports every change since the last success", async () => {
    const { store, out } = await fresh();
    await ingestFixtureWorld(store);
    await runExport({ store, outDir: out, formats: [jsonExporter], now: () => T1 });
    const before = outputs(out);

    await changeWeb1(store);
    await expect(
      runExport({ store, outDir: out, formats: [jsonExporter, broken], now: () => T2 }),
    ).rejects.toThrow(/export format broken failed: template exploded/);
    expect(outputs(out)).toEqual(before);
    expect(existsSync(join(out, "broken"))).toBe(false);

    await store.write((tx) => tx.setSystemStatus(SYSTEM.db1, "down", "heartbeat lost", LATER));
    await expect(
      runExport({ store, outDir: out, formats: [broken, jsonExporter], now: () => T3 }),
    ).rejects.toThrow(/template exploded/);
    expect(outputs(out)).toEqual(before);

    const summary = await runExport({ store, outDir: out, formats: [jsonExporter], now: () => T4 });
    expect(summary).toMatchObject({ since: T1.toISOString(), added: 0, changed: 2, removed: 2 });
    const changes = json(join(out, "json", "changes.json"));
    expect(changes.since).toBe(T1.toISOString());
    expect(changes.removed.map((r: { kind: string; fields: { name?: string } }) => r.kind)).toEqual(
      ["dependency", "service"],
    );
    expect(changes.changed).toEqual(
      [
        {
          id: SYSTEM.web1,
          kind: "host",
          fields: [{ field: "nics/eth0/mtu", old: 1500, new: 9000 }],
        },
        {
          id: SYSTEM.db1,
          kind: "host",
          fields: [
            { field: "status", old: "up", new: "down" },
            { field: "status_reason", old: "discovered", new: "heartbeat lost" },
            { field: "status_since", old: "2026-03-01T10:00:00.000Z", new: LATER },
          ],
        },
      ].sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
    const lines = drift(out).slice(23);
    expect(lines.map((l) => [l.at, l.change, l.kind, l.field ?? null])).toEqual([
      [T4.toISOString(), "changed", "host", "nics/eth0/mtu"],
      [T4.toISOString(), "changed", "host", "status"],
      [T4.toISOString(), "changed", "host", "status_reason"],
      [T4.toISOString(), "changed", "host", "status_since"],
      [T4.toISOString(), "removed", "dependency", null],
      [T4.toISOString(), "removed", "service", null],
    ]);
    expect(lines[0]).toMatchObject({
      since: T1.toISOString(),
      id: SYSTEM.web1,
      old: 1500,
      new: 9000,
    });
    expect(lines[5].fields).toMatchObject({ name: "redis-server", host: SYSTEM.web1 });
  });

  it("cuts drift lines an interrupted export appended after the last success", async () => {
    const { store, out } = await fresh();
    await ingestFixtureWorld(store);
    await runExport({ store, outDir: out, formats: [jsonExporter], now: () => T1 });
    const committed = read(join(out, DRIFT_FILE));
    // What an export killed between appending to the feed and saving its state leaves.
    appendFileSync(join(out, DRIFT_FILE), '{"at":"2026-03-01T12:30:00.000Z","change":"chan');
    await changeWeb1(store);
    await runExport({ store, outDir: out, formats: [jsonExporter], now: () => T2 });
    const feed = read(join(out, DRIFT_FILE));
    expect(feed.startsWith(committed)).toBe(true);
    const added = feed
      .slice(committed.length)
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(added.map((l) => l.change)).toEqual(["changed", "removed", "removed"]);
    expect((await loadState(out))?.drift_bytes).toBe(Buffer.byteLength(feed));
  });

  it("refuses unsafe paths before writing, and removes files a format no longer renders", async () => {
    const { store, out } = await fresh();
    await ingestFixtureWorld(store);
    const escaping: Exporter = {
      name: "escaping",
      description: "",
      render: () => ({ "../../etc/passwd": "x" }),
    };
    await expect(
      runExport({ store, outDir: out, formats: [jsonExporter, escaping], now: () => T1 }),
    ).rejects.toThrow(/unsafe path/);
    expect(existsSync(join(out, "json"))).toBe(false);

    let names = ["a.txt", "b/c.txt"];
    const files: Exporter = {
      name: "files",
      description: "",
      render: () => Object.fromEntries(names.map((n) => [n, n])),
    };
    await runExport({ store, outDir: out, formats: [files], now: () => T1 });
    expect(read(join(out, "files", "b", "c.txt"))).toBe("b/c.txt");
    names = ["a.txt"];
    await runExport({ store, outDir: out, formats: [files], now: () => T2 });
    expect(existsSync(join(out, "files", "b", "c.txt"))).toBe(false);
    expect(existsSync(join(out, "files", "a.txt"))).toBe(true);
    expect((await loadState(out))?.files).toEqual({ files: ["files/a.txt"] });
  });

  it("a write that fails half-way leaves the state, so the next export still reports every change", async () => {
    const { store, out } = await fresh();
    await ingestFixtureWorld(store);
    const files: Exporter = {
      name: "files",
      description: "",
      render: (records, changes) => ({
        "a.txt": `${records.length}\n`,
        "b.txt": `${changes.changed.length + changes.removed.length}\n`,
      }),
    };
    await runExport({ store, outDir: out, formats: [jsonExporter, files], now: () => T1 });
    const state = read(join(out, STATE_DIR, STATE_FILE));
    const feed = read(join(out, DRIFT_FILE));
    await changeWeb1(store);
    // b.txt cannot be replaced (a directory stands in its way): the export fails after a.txt.
    rmSync(join(out, "files", "b.txt"));
    mkdirSync(join(out, "files", "b.txt"));
    await expect(
      runExport({ store, outDir: out, formats: [jsonExporter, files], now: () => T2 }),
    ).rejects.toThrow();
    expect(read(join(out, STATE_DIR, STATE_FILE))).toBe(state);
    expect(read(join(out, DRIFT_FILE))).toBe(feed);
    rmSync(join(out, "files", "b.txt"), { recursive: true });
    const summary = await runExport({
      store,
      outDir: out,
      formats: [jsonExporter, files],
      now: () => T3,
    });
    expect(summary).toMatchObject({ since: T1.toISOString(), changed: 1, removed: 2 });
    expect(read(join(out, "files", "b.txt"))).toBe("3\n");
  });

  it("removes temporary files a killed export left behind, and nothing else", async () => {
    const { store, out } = await fresh();
    await ingestFixtureWorld(store);
    await runExport({ store, outDir: out, formats: [jsonExporter], now: () => T1 });
    const leftovers = [
      join(out, "json", ".records.json.0123456789ab.tmp"),
      join(out, STATE_DIR, ".records.json.ba9876543210.tmp"),
    ];
    const kept = join(out, "json", "notes.tmp");
    for (const path of [...leftovers, kept]) writeFileSync(path, "partial");
    await runExport({ store, outDir: out, formats: [jsonExporter], now: () => T2 });
    for (const path of leftovers) expect(existsSync(path)).toBe(false);
    expect(existsSync(kept)).toBe(true);
  });

  it("collects what each format warns about into the summary", async () => {
    const { store, out } = await fresh();
    await ingestFixtureWorld(store);
    const wary: Exporter = {
      name: "wary",
      description: "",
      render: (records, _changes, context) => {
        context.warn?.(`left out ${records.length - 1}`);
        context.warn?.("and one more");
        return { "a.txt": "a\n" };
      },
    };
    const summary = await runExport({ store, outDir: out, formats: [jsonExporter, wary] });
    expect(summary.warnings).toEqual([
      { format: "wary", message: "left out 22" },
      { format: "wary", message: "and one more" },
    ]);
    expect((await runExport({ store, outDir: out, formats: [jsonExporter] })).warnings).toEqual([]);
  });

  it("works on an empty graph, and reports a state file it cannot read", async () => {
    const { store, out } = await fresh();
    const summary = await runExport({ store, outDir: out, formats: [jsonExporter], now: () => T1 });
    expect(summary).toMatchObject({ records: 0, added: 0 });
    expect(json(join(out, "json", "records.json")).records).toEqual([]);
    appendFileSync(join(out, STATE_DIR, STATE_FILE), "garbage");
    await expect(
      runExport({ store, outDir: out, formats: [jsonExporter], now: () => T2 }),
    ).rejects.toThrow(/is not JSON/);
    const state = { version: 1, exported_at: T1.toISOString(), records: [], files: {} };
    for (const stamps of [[], { "json/records.json": 7 }, null]) {
      writeFileSync(
        join(out, STATE_DIR, STATE_FILE),
        JSON.stringify({ ...state, drift_bytes: 0, stamps }),
      );
      await expect(loadState(out)).rejects.toThrow(/is not an export state of version 1/);
    }
  });
});
