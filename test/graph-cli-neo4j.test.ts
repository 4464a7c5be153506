import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { packageRoot } from "../lib/package-root.js";
import { readMachineIdSync } from "../probe/discovery/os/machine-id.js";
import { assimBin, runAssim } from "./support/cli.js";
import { withNeo4j } from "./support/neo4j.js";

const fixtures = join(packageRoot(), "cma", "graph", "contract", "fixtures");
const fixtureLines = ["web1", "db1", "ldap1"]
  .map((host) => readFileSync(join(fixtures, `${host}.jsonl`), "utf8"))
  .join("");

const db = withNeo4j();

describe.skipIf(db.skipReason !== "")(
  "assim ingest and assim query against a real Neo4j (NEO4J_URI set)",
  () => {
    const scratch = mkdtempSync(join(tmpdir(), "assim-graph-neo4j-cli-"));
    afterAll(() => rmSync(scratch, { recursive: true, force: true }));
    const embeddedDir = join(scratch, "embedded");

    function assim(args: string[], store: "neo4j" | "embedded", input?: string) {
      return spawnSync(process.execPath, [assimBin, ...args], {
        encoding: "utf8",
        input,
        env: {
          ...process.env,
          NEO4J_URI: store === "neo4j" ? db.uri : "",
          ASSIM_DATA_DIR: embeddedDir,
        },
        timeout: 180_000,
        maxBuffer: 256 * 1024 * 1024,
      });
    }

    function rows(name: string, store: "neo4j" | "embedded", params: string[] = []) {
      const result = assim(["query", name, "--format", "json", ...params], store);
      expect(result.status, result.stderr).toBe(0);
      return (JSON.parse(result.stdout) as { rows: unknown[] }).rows;
    }

    it("stores the same three hosts in both stores, and every query answers the same", () => {
      const intoNeo4j = assim(["ingest", "-"], "neo4j", fixtureLines);
      expect(intoNeo4j.status, intoNeo4j.stderr).toBe(0);
      expect(intoNeo4j.stdout).toMatch(
        new RegExp(`^stored \\d+, stale 0, rejected 0 \\(Neo4j at ${db.uri}\\)\\n$`),
      );
      const intoEmbedded = assim(["ingest", "-"], "embedded", fixtureLines);
      expect(intoEmbedded.status, intoEmbedded.stderr).toBe(0);
      expect(intoEmbedded.stdout.split(" (")[0]).toBe(intoNeo4j.stdout.split(" (")[0]);

      const asked: [string, string[]][] = [
        ["systems", []],
        ["node-counts", []],
        ["unmonitored-services", []],
        ["host-dependencies", ["--param", "host=web1"]],
        ["dependency-tree", ["--param", "host=web1", "--param", "port=443"]],
        ["ownerless-ips", []],
        ["switch-ports", []],
      ];
      for (const [name, params] of asked) {
        const fromNeo4j = rows(name, "neo4j", params);
        expect(fromNeo4j, name).toEqual(rows(name, "embedded", params));
      }
      const systems = rows("systems", "neo4j") as { name: string }[];
      expect(systems.map((s) => s.name).sort()).toEqual(["db1", "ldap1", "web1"]);
      expect(rows("host-dependencies", "neo4j", ["--param", "host=web1"]).length).toBeGreaterThan(
        0,
      );
    }, 600_000);

    const machineId = readMachineIdSync("/").id;
    it.skipIf(machineId === null)(
      "assim discover | assim ingest - puts this host into Neo4j, and assim query shows it (skips without a machine id)",
      () => {
        const discovered = runAssim(["discover"]);
        expect(discovered.status).toBe(0);
        const ingested = assim(["ingest", "-"], "neo4j", discovered.stdout);
        expect(ingested.status, ingested.stderr).toBe(0);
        expect(ingested.stdout).toMatch(/rejected 0 \(Neo4j at /);
        const systems = rows("systems", "neo4j") as { key: string; status: string }[];
        expect(systems).toContainEqual(
          expect.objectContaining({ key: `host:${machineId}`, status: "up" }),
        );
        const services = rows("unmonitored-services", "neo4j", [
          "--param",
          `host=host:${machineId}`,
        ]);
        expect(services.length).toBeGreaterThan(0);
      },
      300_000,
    );

    it("a NEO4J_URI nobody answers is a usage error (exit 2) naming it", () => {
      const result = spawnSync(process.execPath, [assimBin, "query", "systems"], {
        encoding: "utf8",
        env: { ...process.env, NEO4J_URI: "bolt://127.0.0.1:1" },
        timeout: 120_000,
      });
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/cannot reach Neo4j at bolt:\/\/127\.0\.0\.1:1/);
    });
  },
);
