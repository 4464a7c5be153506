import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { packageRoot } from "../../../lib/package-root.js";
import { ingestDocument } from "../../ingest/ingest.js";
import { ingestFixtureWorld } from "../contract/support.js";
import { hostSystemKey } from "../keys.js";
import { SCHEMA_VERSION } from "./schema.js";
import { GRAPH_FILE, openEmbeddedStore } from "./store.js";
import { syntheticMachineId, syntheticTcpDocument } from "./synthetic.js";

const scratch = mkdtempSync(join(tmpdir(), "assim-embedded-durability-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let made = 0;
const newDir = () => join(scratch, `store-${++made}`);

describe("embedded store on disk", () => {
  it("lives in <data-dir>/graph.sqlite and keeps everything across a close and reopen", async () => {
    const dataDir = join(newDir(), "nested", "dir");
    const store = await openEmbeddedStore({ dataDir });
    await ingestFixtureWorld(store);
    const before = await store.snapshot();
    await store.close();
    expect(statSync(join(dataDir, GRAPH_FILE)).isFile()).toBe(true);
    const reopened = await openEmbeddedStore({ dataDir });
    expect(await reopened.snapshot()).toEqual(before);
    expect(reopened.integrityCheck()).toBe("ok");
    await reopened.close();
    await expect(reopened.snapshot()).rejects.toThrow(/closed/);
  });

  it("refuses a database written by a newer schema, naming the file", async () => {
    const dataDir = newDir();
    await (await openEmbeddedStore({ dataDir })).close();
    const db = new Database(join(dataDir, GRAPH_FILE));
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    await expect(openEmbeddedStore({ dataDir })).rejects.toThrow(
      new RegExp(`${GRAPH_FILE} has graph schema version ${SCHEMA_VERSION + 1}`),
    );
  });

  it("with durability full, stores the same", async () => {
    const store = await openEmbeddedStore({ dataDir: newDir(), durability: "full" });
    await ingestDocument(store, syntheticTcpDocument(1, 3));
    expect((await store.counts()).nodes.Process).toEqual({ active: 3, retired: 0 });
    await store.close();
  });

  const distDir = join(packageRoot(), "dist");
  const built = existsSync(join(distDir, "cma", "graph", "embedded", "synthetic.js"));
  const mustRun = process.env.CI === "true";
  if (!built && !mustRun)
    console.warn("kill -9 test skipped: it runs the built code; run `npm run build`");

  it.skipIf(!built && !mustRun)(
    "loses no acknowledged document when the process is killed with SIGKILL mid-stream, and stays sound (needs npm run build)",
    async () => {
      const dataDir = newDir();
      const processes = 150;
      const child = spawn(
        process.execPath,
        [
          join(import.meta.dirname, "fixtures", "ingest-until-killed.mjs"),
          distDir,
          dataDir,
          "5000",
          String(processes),
        ],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      let stderr = "";
      child.stderr.on("data", (chunk) => {
        stderr += chunk;
      });
      const acknowledged: number[] = [];
      const exited = new Promise<NodeJS.Signals | null>((resolve) => {
        child.on("exit", (_code, signal) => resolve(signal));
      });
      const lines = createInterface({ input: child.stdout });
      const killAfter = 25;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no ${killAfter} ACKs in 60 s: ${stderr}`)),
          60_000,
        );
        lines.on("line", (line) => {
          const match = /^ACK (\d+)$/.exec(line);
          if (match) acknowledged.push(Number(match[1]));
          if (acknowledged.length === killAfter) {
            child.kill("SIGKILL");
            clearTimeout(timer);
            resolve();
          }
        });
        child.on("exit", () => {
          clearTimeout(timer);
          if (acknowledged.length < killAfter) reject(new Error(`child exited early: ${stderr}`));
        });
      });
      expect(await exited).toBe("SIGKILL");
      expect(existsSync(join(dataDir, `${GRAPH_FILE}-wal`))).toBe(true);

      const store = await openEmbeddedStore({ dataDir });
      try {
        expect(store.integrityCheck()).toBe("ok");
        const snapshot = await store.snapshot();
        const systems = new Set(
          snapshot.nodes.filter((n) => n.label === "System").map((n) => n.key),
        );
        for (const n of acknowledged)
          expect(systems.has(hostSystemKey(syntheticMachineId(n)))).toBe(true);
        // Whatever else is there is whole: every stored document has all its processes.
        const runs = new Map<string, number>();
        for (const r of snapshot.relationships.filter((r) => r.type === "RUNS")) {
          runs.set(r.from.key, (runs.get(r.from.key) ?? 0) + 1);
        }
        for (const system of systems) expect(runs.get(system)).toBe(processes);
        expect(systems.size).toBeGreaterThanOrEqual(acknowledged.length);
        expect(systems.size).toBeLessThanOrEqual(acknowledged.length + 1);
      } finally {
        await store.close();
      }
    },
  );
});
