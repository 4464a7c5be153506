/**
 * What `npm pack` ships is enough to run: the tarball, unpacked beside the
 * project's installed dependencies, runs the `assim` command with its shipped
 * rules, templates, schemas and web page; the systemd units pass systemd's
 * own verifier.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageRoot } from "../lib/package-root.js";

const root = packageRoot();
const hasSystemdAnalyze =
  spawnSync("systemd-analyze", ["--version"], { stdio: "ignore" }).status === 0;

describe("the npm package", () => {
  let scratch: string;
  let unpacked: string;
  let files: string[];

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), "assim-pack-"));
    // dist/ is built by `npm test` (pretest); --ignore-scripts skips building it again.
    const packed = spawnSync(
      "npm",
      ["pack", "--ignore-scripts", "--json", "--pack-destination", scratch],
      { cwd: root, encoding: "utf8" },
    );
    expect(packed.status, packed.stderr).toBe(0);
    const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    if (!info) throw new Error("npm pack printed no package");
    files = info.files.map((f) => f.path);
    const untar = spawnSync("tar", ["-xzf", join(scratch, info.filename), "-C", scratch]);
    expect(untar.status).toBe(0);
    unpacked = join(scratch, "package");
    symlinkSync(join(root, "node_modules"), join(unpacked, "node_modules"));
  }, 120_000);
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  const assim = (...args: string[]) =>
    spawnSync(process.execPath, [join(unpacked, "bin", "assim.js"), ...args], {
      encoding: "utf8",
      cwd: scratch,
      env: { ...process.env, NEO4J_URI: "" },
    });

  it("ships the command, its data files and the systemd units, and no tests or sources", () => {
    for (const needed of [
      "bin/assim.js",
      "bin/assim-ansible-inventory",
      "dist/cli/main.js",
      "web/static/index.html",
      "packaging/systemd/assim-cma.service",
      "packaging/systemd/assim-probe.service",
    ]) {
      expect(files, needed).toContain(needed);
    }
    for (const dir of [
      "templates/nagios/",
      "templates/reports/",
      "schemas/",
      "cma/monitoring/rules/",
    ]) {
      expect(
        files.some((f) => f.startsWith(dir)),
        dir,
      ).toBe(true);
    }
    expect(files.filter((f) => /\.test\.(ts|js)$/.test(f))).toEqual([]);
    expect(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);
  });

  it("runs assim from the unpacked package: help, the shipped rules, an export with templates", () => {
    const help = assim("--help");
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("up");
    const rules = assim("rules", "list");
    expect(rules.status, rules.stderr).toBe(0);
    expect(rules.stdout).toContain("sshd");
    // An empty graph still exports every format, so every template and schema is found.
    const dataDir = join(scratch, "data");
    const ingest = spawnSync(
      process.execPath,
      [join(unpacked, "bin", "assim.js"), "ingest", "-", "--data-dir", dataDir],
      {
        encoding: "utf8",
        input: "",
        env: { ...process.env, NEO4J_URI: "" },
      },
    );
    expect(ingest.status, ingest.stderr).toBe(0);
    const out = join(scratch, "out");
    const exported = assim("export", "--once", "--out", out, "--data-dir", dataDir);
    expect(exported.status, exported.stderr).toBe(0);
    const summary = JSON.parse(exported.stdout) as { formats: string[]; files: string[] };
    expect(summary.formats).toEqual(["ansible", "glpi", "itil", "json", "nagios", "reports"]);
    // An empty graph has no GLPI document (one per host); every other format writes files.
    expect(readdirSync(out)).toEqual(
      expect.arrayContaining(["ansible", "itil", "json", "nagios", "reports"]),
    );
    expect(summary.files.filter((f) => f.startsWith("reports/"))).not.toEqual([]);
  });

  it.skipIf(!hasSystemdAnalyze)(
    `ships systemd units that systemd-analyze verify accepts${hasSystemdAnalyze ? "" : " (skipped: systemd-analyze is missing)"}`,
    () => {
      const units = ["assim-cma.service", "assim-probe.service"].map((unit) =>
        join(unpacked, "packaging", "systemd", unit),
      );
      for (const unit of units) expect(existsSync(unit)).toBe(true);
      const verified = spawnSync("systemd-analyze", ["verify", ...units], { encoding: "utf8" });
      expect(verified.stderr).toBe("");
      expect(verified.status).toBe(0);
    },
  );
});
