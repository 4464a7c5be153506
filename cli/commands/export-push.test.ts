/**
 * assim export --push end to end through bin/assim.js (needs `npm run build`;
 * npm test builds first), against a stand-in for ServiceNow and GLPI on
 * 127.0.0.1. The CLI runs as a child process, awaited without blocking, so
 * the server in this process can answer it.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixtureWorldText } from "../../cma/graph/contract/support.js";
import { assimBin, runAssimEmbedded } from "../../test/support/cli.js";

const scratch = mkdtempSync(join(tmpdir(), "assim-export-push-"));
const received: { path: string; authorization: string | undefined; body: unknown }[] = [];
let server: ReturnType<ReturnType<typeof express>["listen"]>;
let base = "";
const data = join(scratch, "data");

beforeAll(async () => {
  const app = express();
  app.use(express.json({ limit: "10mb" }));
  app.post("/api/now/identifyreconcile", (req, res) => {
    received.push({ path: req.path, authorization: req.headers.authorization, body: req.body });
    res.json({ result: { items: [{ className: "cmdb_ci_linux_server", errorCount: 0 }] } });
  });
  app.post("/front/inventory.php", (req, res) => {
    received.push({ path: req.path, authorization: req.headers.authorization, body: req.body });
    res.json({ status: "ok", expiration: 24 });
  });
  await new Promise<void>((resolve) => {
    server = app.listen(0, "127.0.0.1", () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ingest = runAssimEmbedded(["ingest", "-", "--data-dir", data], fixtureWorldText());
  expect(ingest.status).toBe(0);
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(scratch, { recursive: true, force: true });
});

/** `assim export --once … --data-dir DATA` with `env` added, without blocking this process. */
function exportOnce(args: string[], env: NodeJS.ProcessEnv = {}) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(
      process.execPath,
      [assimBin, "export", "--once", ...args, "--data-dir", data],
      {
        env: { ...process.env, NEO4J_URI: "", ...env },
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

const SN_ENV = { ASSIM_SERVICENOW_USER: "admin", ASSIM_SERVICENOW_PASSWORD: "s3cret" };

describe("assim export --push", () => {
  it("sends the IRE payload to ServiceNow after the export, and says so in the summary", async () => {
    received.splice(0);
    const out = join(scratch, "out-sn");
    const result = await exportOnce(
      ["--format", "itil", "--out", out, "--push", "servicenow", base],
      SN_ENV,
    );
    expect(result.stderr).not.toMatch(/push_failed/);
    expect(result.status).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.push).toMatchObject({ target: "servicenow", ok: true, dry_run: false });
    expect(received).toHaveLength(1);
    expect(received[0]?.authorization).toMatch(/^Basic /);
    const payload = received[0]?.body as { items: unknown[] } | undefined;
    expect(payload?.items.length).toBeGreaterThan(0);
  });

  it("--dry-run says what it would send to GLPI and sends nothing", async () => {
    received.splice(0);
    const out = join(scratch, "out-glpi");
    const result = await exportOnce([
      "--format",
      "glpi",
      "--out",
      out,
      "--push",
      "glpi",
      base,
      "--dry-run",
    ]);
    expect(result.status).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.push.dry_run).toBe(true);
    expect(summary.push.files.map((f: { file: string }) => f.file)).toEqual([
      "glpi/db1.json",
      "glpi/ldap1.json",
      "glpi/web1.json",
    ]);
    expect(received).toEqual([]);
  });

  it("exits 1 when the push fails; the export stands", async () => {
    const out = join(scratch, "out-down");
    const result = await exportOnce([
      "--format",
      "glpi",
      "--out",
      out,
      "--push",
      "glpi",
      `${base}/nowhere`,
    ]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/push_failed/);
    expect(existsSync(join(out, "glpi", "web1.json"))).toBe(true);
  });

  it.each([
    [["--push", "servicenow"], /--push takes servicenow or glpi and a URL/],
    [["--push", "itop", "http://127.0.0.1:1"], /--push takes/],
    [["--push", "glpi", "ftp://127.0.0.1/x"], /must be http\(s\)/],
    [["--format", "itil", "--push", "glpi", "http://127.0.0.1:1"], /needs the glpi format/],
    [["--dry-run"], /--dry-run goes with --push/],
    [["--push", "servicenow", "http://127.0.0.1:1"], /ASSIM_SERVICENOW_USER/],
  ])("%j is a usage error: exit 2, nothing exported", async (args, message) => {
    const out = join(scratch, "out-usage");
    const result = await exportOnce(["--out", out, ...args], { ASSIM_SERVICENOW_USER: "" });
    expect(result.stderr).toMatch(message);
    expect(result.status).toBe(2);
    expect(existsSync(out)).toBe(false);
  });
});
