import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { packageRoot } from "../lib/package-root.js";
import { readMachineIdSync } from "../probe/discovery/os/machine-id.js";
import { assimBin, runAssim } from "./support/cli.js";

const fixtures = join(packageRoot(), "cma", "graph", "contract", "fixtures");
const fixtureLines = ["web1", "db1", "ldap1"]
  .map((host) => readFileSync(join(fixtures, `${host}.jsonl`), "utf8"))
  .join("");

function assim(args: string[], input?: string, env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [assimBin, ...args], {
    encoding: "utf8",
    input,
    env: { ...process.env, NEO4J_URI: "", ...env },
    timeout: 120_000,
    maxBuffer: 256 * 1024 * 1024,
  });
}

describe("assim ingest and assim query", () => {
  const scratch = mkdtempSync(join(tmpdir(), "assim-graph-cli-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  let made = 0;
  const dataDir = () => join(scratch, `data-${++made}`);

  it.each([["ingest"], ["query"]])("%s --help prints usage and exits 0", (command) => {
    const result = runAssim([command, "--help"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Usage: assim ${command}`));
  });

  const machineId = readMachineIdSync("/").id;
  it.skipIf(machineId === null)(
    "stores what assim discover prints, and assim query shows this host and its services (skips on a host without a machine id)",
    () => {
      const dir = dataDir();
      const discovered = runAssim(["discover"]);
      expect(discovered.status).toBe(0);
      const documents = discovered.stdout.trim().split("\n");
      const ingested = assim(["ingest", "-", "--data-dir", dir], discovered.stdout);
      expect(ingested.stderr).not.toMatch(/rejected/);
      expect(ingested.stdout).toBe(
        `stored ${documents.length}, stale 0, rejected 0 (embedded store ${join(dir, "graph.sqlite")})\n`,
      );
      expect(ingested.status).toBe(0);

      const systems = JSON.parse(
        assim(["query", "systems", "--format", "json", "--data-dir", dir]).stdout,
      );
      expect(systems.rows).toEqual([
        expect.objectContaining({ key: `host:${machineId}`, name: hostname(), status: "up" }),
      ]);

      // Every listening process group of the document is an unmonitored service (nothing monitors yet).
      const tcp = JSON.parse(documents.find((d) => d.includes('"tcpdiscovery"')) ?? "{}");
      const listeningExes = new Set(
        Object.values(tcp.data as Record<string, { exe?: string | null; listen: unknown[] }>)
          .filter((group) => group.listen.length > 0)
          .map((group) => group.exe ?? null),
      );
      const services = JSON.parse(
        assim(["query", "unmonitored-services", "--format", "json", "--data-dir", dir]).stdout,
      );
      expect(new Set(services.rows.map((r: { exe: string | null }) => r.exe))).toEqual(
        listeningExes,
      );
      expect(services.rows.length).toBeGreaterThan(0);
    },
  );

  it("reads a file, links dependencies, and prints tables and JSON", () => {
    const dir = dataDir();
    const file = join(scratch, "fixtures.jsonl");
    writeFileSync(file, fixtureLines);
    const ingested = assim(["ingest", file], undefined, { ASSIM_DATA_DIR: dir });
    expect(ingested.stdout).toMatch(/^stored 18, stale 0, rejected 0/);
    const table = assim([
      "query",
      "dependency-tree",
      "-p",
      "host=web1",
      "-p",
      "port=80",
      "--data-dir",
      dir,
    ]);
    expect(table.status).toBe(0);
    const lines = table.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^depth\s+from_process\s+from_name\s+from_host\s+to_process/);
    expect(
      lines.slice(2, -1).map((l) => l.split(/\s+/).filter((_, i) => [0, 2, 3, 5, 6].includes(i))),
    ).toEqual([
      ["1", "nginx", "web1", "python3.11", "web1"],
      ["2", "python3.11", "web1", "postgres", "db1"],
      ["2", "python3.11", "web1", "redis-server", "web1"],
      ["3", "postgres", "db1", "slapd", "ldap1"],
    ]);
    expect(lines.at(-1)).toBe("(4 rows)");
    const json = JSON.parse(
      assim(["query", "ownerless-ips", "--format", "json", "--data-dir", dir]).stdout,
    );
    expect(json.rows.map((r: { ip: string }) => r.ip)).toEqual(["10.0.0.1", "198.51.100.7"]);
    // Ingesting the same file again stores the same, and changes nothing.
    expect(assim(["ingest", file, "--data-dir", dir]).stdout).toMatch(/^stored 18, stale 0/);
    expect(
      JSON.parse(assim(["query", "node-counts", "--format", "json", "--data-dir", dir]).stdout)
        .rows,
    ).toContainEqual({ label: "Process", active: 7, retired: 0 });
  });

  it("rejects bad lines one by one, keeps the good ones, and exits 1", () => {
    const dir = dataDir();
    const [first] = fixtureLines.split("\n");
    const invalid = JSON.parse(first as string);
    invalid.data.hostname = 42;
    const input = ["{not json", JSON.stringify(invalid), "", first].join("\n");
    const result = assim(["ingest", "--data-dir", dir], input);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^stored 1, stale 0, rejected 2 /);
    expect(result.stderr).toMatch(/line 1: not JSON/);
    expect(result.stderr).toMatch(
      /line 2: rejected os document from web1: \/data\/hostname must be string/,
    );
  });

  it("shows control characters from discovered hosts escaped, never raw", () => {
    const dir = dataDir();
    const tcp = JSON.parse(fixtureLines.split("\n")[4] as string);
    expect(tcp.discovertype).toBe("tcpdiscovery");
    tcp.data["nginx:0a1b2c3d4e5f"].exe = "/opt/\u001b[2Jevil\nline";
    assim(["ingest", "--data-dir", dir], `${JSON.stringify(tcp)}\n`);
    const table = assim(["query", "unmonitored-services", "--data-dir", dir]);
    expect(table.stdout).toContain("/opt/\\u001b[2Jevil\\u000aline");
    expect(table.stdout).not.toContain("\u001b");
  });

  it("turns usage mistakes into exit code 2 with a message", () => {
    const dir = dataDir();
    assim(["ingest", "--data-dir", dir], fixtureLines);
    const cases: [string[], RegExp][] = [
      [["query", "nosuch"], /unknown query "nosuch"; known queries: systems, down-systems/],
      [
        ["query", "find-ip", "-p", "ip=999.1.1.1"],
        /parameter "ip": expected an IPv4 or IPv6 address/,
      ],
      [["query", "find-ip", "-p", "ip"], /--param wants name=value/],
      [["query", "systems", "--format", "xml"], /--format must be table or json/],
      [["query"], /name a query, or use --list/],
      [["ingest", join(scratch, "missing.jsonl")], /cannot read .*missing.jsonl: ENOENT/],
    ];
    for (const [args, message] of cases) {
      const result = assim([...args, "--data-dir", dir]);
      expect(result.status, args.join(" ")).toBe(2);
      expect(result.stderr).toMatch(message);
    }
    const empty = assim(["query", "systems", "--data-dir", join(scratch, "never-created")]);
    expect(empty.status).toBe(2);
    expect(empty.stderr).toMatch(/no graph in .*never-created \(run `assim ingest` first/);
    expect(existsSync(join(scratch, "never-created"))).toBe(false);
    const neo4j = assim(["query", "systems", "--data-dir", dir], undefined, {
      NEO4J_URI: "bolt://127.0.0.1:1",
    });
    expect(neo4j.status).toBe(2);
    expect(neo4j.stderr).toMatch(/cannot reach Neo4j at bolt:\/\/127\.0\.0\.1:1/);
    const notBolt = assim(["query", "systems", "--data-dir", dir], undefined, {
      NEO4J_URI: "http://127.0.0.1:1",
    });
    expect(notBolt.status).toBe(2);
    expect(notBolt.stderr).toMatch(/NEO4J_URI must be a bolt:\/\/ or neo4j:\/\/ URI/);
  });

  it("lists the queries with their parameters", () => {
    const result = assim(["query", "--list"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("dependency-tree: The transitive dependency tree");
    expect(result.stdout).toContain("--param depth=<integer>, default 5");
    const json = JSON.parse(assim(["query", "--list", "--format", "json"]).stdout);
    expect(json.map((q: { name: string }) => q.name)).toContain("ownerless-ips");
  });
});
