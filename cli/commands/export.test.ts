/** assim export end to end through bin/assim.js (needs `npm run build`; npm test builds first). */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { copy, fixtureDocument, LATER } from "../../cma/graph/contract/support.js";
import { packageRoot } from "../../lib/package-root.js";
import { assimBin } from "../../test/support/cli.js";
import { waitUntil } from "../../test/support/wait-until.js";

const scratch = mkdtempSync(join(tmpdir(), "assim-export-cli-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let made = 0;
/** An output directory no usage error may create. */
const X = join(scratch, "X");
const fixtures = join(packageRoot(), "cma", "graph", "contract", "fixtures");
const world = ["web1", "db1", "ldap1"]
  .map((host) => readFileSync(join(fixtures, `${host}.jsonl`), "utf8"))
  .join("");

function assim(args: string[], input?: string) {
  return spawnSync(process.execPath, [assimBin, ...args], {
    encoding: "utf8",
    input,
    env: { ...process.env, NEO4J_URI: "" },
    timeout: 120_000,
  });
}

/** A data dir filled by `assim ingest` with the fixture world, and an output dir beside it. */
function ingested(): { data: string; out: string } {
  const n = ++made;
  const data = join(scratch, `data-${n}`);
  const result = assim(["ingest", "-", "--data-dir", data], world);
  expect(result.stdout).toMatch(/^stored 18, stale 0, rejected 0/);
  return { data, out: join(scratch, `out-${n}`) };
}

const json = (path: string) => JSON.parse(readFileSync(path, "utf8"));
const logLines = (stderr: string) =>
  stderr
    .trim()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l));

describe("assim export", () => {
  it("--help prints usage and exits 0", () => {
    const result = assim(["export", "--help"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: assim export/);
    expect(result.stdout).toMatch(/--every <duration>/);
  });

  it.each([
    [
      ["--once", "--format", "json,nagioz", "--out", X],
      /unknown export format "nagioz"; valid formats: (\w+, )*json/,
    ],
    [["--once"], /--out DIR is required/],
    [["--out", X], /give --once, or --every/],
    [["--once", "--every", "5m", "--out", X], /not both/],
    [["--every", "5", "--out", X], /--every must be a duration/],
    [["--every", "0s", "--out", X], /--every must be a duration/],
  ])("%j is a usage error: exit 2", (args, message) => {
    const result = assim(["export", ...args, "--data-dir", join(scratch, "none")]);
    expect(result.stderr).toMatch(message);
    expect(result.status).toBe(2);
    expect(existsSync(X)).toBe(false);
  });

  it("a data dir with no graph is a usage error", () => {
    const result = assim([
      "export",
      "--once",
      "--out",
      join(scratch, "o"),
      "--data-dir",
      join(scratch, "empty"),
    ]);
    expect(result.stderr).toMatch(/no graph in/);
    expect(result.status).toBe(2);
  });

  it("--once writes the json records and changes, the drift feed and the state; the next run reports what changed", () => {
    const { data, out } = ingested();
    const first = assim(["export", "--once", "--format", "json", "--out", out, "--data-dir", data]);
    expect(first.stderr).not.toMatch(/"level":"error"/);
    expect(first.status).toBe(0);
    const summary = JSON.parse(first.stdout);
    expect(summary).toMatchObject({
      since: null,
      formats: ["json"],
      records: 23,
      added: 23,
      changed: 0,
      removed: 0,
    });
    expect(logLines(first.stderr).map((l) => l.event)).toEqual(["export_started", "export_done"]);
    expect(logLines(first.stderr)[1]).toMatchObject({
      service: "export",
      added: 23,
      changed: 0,
      removed: 0,
    });
    expect(json(join(out, "json", "records.json")).records).toHaveLength(23);
    expect(json(join(out, "json", "changes.json")).added).toHaveLength(23);
    expect(existsSync(join(out, ".state", "records.json"))).toBe(true);
    expect(readFileSync(join(out, "drift.jsonl"), "utf8").trim().split("\n")).toHaveLength(23);

    // db1 stops listening on PostgreSQL: its service and the dependency on it are removed.
    const tcp = copy(fixtureDocument("db1", "tcpdiscovery"), LATER);
    tcp.data = Object.fromEntries(
      Object.entries(tcp.data as Record<string, { exe?: string }>).filter(
        ([, group]) => !group.exe?.includes("postgres"),
      ),
    );
    expect(assim(["ingest", "-", "--data-dir", data], `${JSON.stringify(tcp)}\n`).status).toBe(0);
    const second = assim(["export", "--once", "--out", out, "--data-dir", data]);
    expect(second.status).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ since: summary.at, added: 0, removed: 3 });
    const changes = json(join(out, "json", "changes.json"));
    expect(changes.since).toBe(summary.at);
    expect(changes.removed.map((r: { kind: string }) => r.kind)).toEqual([
      "dependency",
      "dependency",
      "service",
    ]);
    const feed = readFileSync(join(out, "drift.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(feed.slice(23).map((l) => l.change)).toEqual(["removed", "removed", "removed"]);
  });

  it("--rules-dir: the unmonitored report names the operator's rule that would monitor a service", () => {
    const { data, out } = ingested();
    const rules = join(scratch, "rules");
    mkdirSync(rules, { recursive: true });
    writeFileSync(
      join(rules, "ldap.yaml"),
      'rules:\n  - name: ldap-op\n    match:\n      basename: "^slapd$"\n    agent:\n      class: nagios\n      type: check_ldap\n',
    );
    const args = ["export", "--once", "--format", "reports", "--out", out, "--data-dir", data];
    const result = assim([...args, "--rules-dir", rules]);
    expect(result.status, result.stderr).toBe(0);
    const report = json(join(out, "reports", "unmonitored.json"));
    const slapd = report.hosts
      .flatMap((h: { services: { exe: string }[] }) => h.services)
      .find((s: { exe: string }) => s.exe === "/usr/sbin/slapd");
    expect(slapd).toMatchObject({ rule: "ldap-op" });
    const missing = assim([...args, "--rules-dir", join(scratch, "no-such-rules")]);
    expect(missing.stderr).toMatch(/--rules-dir .*no-such-rules does not exist/);
    expect(missing.status).toBe(2);
  });

  it("--every exports on a schedule with a JSON log line per run and stops cleanly on SIGTERM", async () => {
    const { data, out } = ingested();
    const child: ChildProcess = spawn(
      process.execPath,
      [assimBin, "export", "--every", "1s", "--out", out, "--data-dir", data],
      { env: { ...process.env, NEO4J_URI: "" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    child.stderr?.on("data", (chunk) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    try {
      await waitUntil(
        () => logLines(stderr).filter((l) => l.event === "export_done").length >= 2,
        30_000,
      );
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    const done = logLines(stderr).filter((l) => l.event === "export_done");
    // Without --format, every format: the records and the audit reports among them.
    expect(done[0]).toMatchObject({ added: 23, changed: 0, removed: 0 });
    expect(done[0].formats).toEqual(expect.arrayContaining(["json", "nagios", "reports"]));
    expect(existsSync(join(out, "reports", "unmonitored.html"))).toBe(true);
    expect(done[1]).toMatchObject({ since: done[0].at, added: 0, changed: 0, removed: 0 });
    expect(typeof done[1].duration_ms).toBe("number");
    expect(
      logLines(stderr).some((l) => l.event === "export_stopping" && l.signal === "SIGTERM"),
    ).toBe(true);
    expect(existsSync(join(out, ".state", "lock"))).toBe(false);
  });
});
