/**
 * The main job end to end: `assim up` in a network namespace of its own (only
 * its loopback, so the probe's monitors and listeners reach nothing else):
 * the CMA, a probe for this host, exports that pass their validators, the API
 * with /metrics, a clean stop on SIGINT, and a second run on the same graph;
 * and a usage error naming --port or --api when that address is in use.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ansibleInventory, ansibleSkip } from "./support/ansible.js";
import { assimBin, runAssim } from "./support/cli.js";
import { waitFor } from "./support/daemons.js";
import { canCreateNamespaces, Namespace, namespacePids } from "./support/netns.js";
import { parseExposition } from "./support/prometheus-text.js";

const capability = canCreateNamespaces();
const skipReason = !capability.ok ? capability.reason : ansibleSkip;
if (skipReason) console.warn(`assim up test skipped: ${skipReason}`);

const API_PORT = 18984;
const CMA_PORT = 11984;

describe.skipIf(skipReason !== "")("assim up, the main job", () => {
  let ns: Namespace;
  let scratch: string;
  let dataDir: string;
  let outDir: string;
  const children: ChildProcess[] = [];

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), "assim-up-"));
    dataDir = join(scratch, "data");
    outDir = join(scratch, "out");
    ns = Namespace.create("aup");
    ns.ip("link", "set", "lo", "up");
  });
  afterAll(() => {
    for (const child of children) child.kill("SIGKILL");
    ns?.remove();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** `assim up ARGS` inside the namespace, on the embedded store. */
  function upArgs(extra: string[]): string[] {
    return [
      "netns",
      "exec",
      ns.name,
      process.execPath,
      assimBin,
      "up",
      "--data-dir",
      dataDir,
      "--out",
      outDir,
      "--port",
      String(CMA_PORT),
      "--api",
      `127.0.0.1:${API_PORT}`,
      ...extra,
    ];
  }
  const env = { ...process.env, NEO4J_URI: "", ASSIM_LOG_FORMAT: "json" };

  /** GET inside the namespace (the API listens on its loopback). */
  function get(path: string): string {
    return execFileSync(
      "ip",
      [
        "netns",
        "exec",
        ns.name,
        "curl",
        "-sf",
        "--max-time",
        "10",
        `http://127.0.0.1:${API_PORT}${path}`,
      ],
      { encoding: "utf8" },
    );
  }

  it("--once discovers this host, exports every format, and stops", () => {
    const result = spawnSync("ip", upArgs(["--once"]), {
      encoding: "utf8",
      env,
      timeout: 240_000,
    });
    expect(result.stderr).not.toMatch(/"level":"(error|fatal)"/);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`assim up: web view and API: http://127.0.0.1:${API_PORT}/`);
    expect(result.stdout).toMatch(/assim up: probe for this host: pid \d+/);
    expect(result.stdout).toMatch(/assim up: exported \d+ records \(\d+ added/);
    expect(result.stdout).toMatch(/assim up: stopped\n$/);
    for (const format of ["ansible", "glpi", "itil", "json", "nagios", "reports"]) {
      expect(existsSync(join(outDir, format)), `${format} output`).toBe(true);
    }
    const records = JSON.parse(readFileSync(join(outDir, "json", "records.json"), "utf8")) as {
      records: { kind: string; fields: { name?: string } }[];
    };
    const hosts = records.records.filter((r) => r.kind === "host").map((r) => r.fields.name);
    expect(hosts).toEqual([hostname()]);
    // Ansible's own reader takes the inventory without a warning, with this host in it.
    const inventory = ansibleInventory(join(outDir, "ansible", "inventory.yml"), "yaml");
    expect(inventory.stderr).toBe("");
    expect(inventory.status).toBe(0);
    expect(Object.keys(JSON.parse(inventory.stdout)._meta.hostvars)).toEqual([hostname()]);
  }, 300_000);

  it("runs until SIGINT: API, /metrics and scheduled exports on the same graph, then stops everything", async () => {
    const child = spawn("ip", upArgs(["--export-every", "2s"]), {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    let stdout = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on("data", () => undefined);
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    await waitFor(
      "assim up to say it runs",
      () => stdout.includes("Ctrl-C stops everything"),
      60_000,
    );
    // The second run resumed the graph the first one stored.
    expect(stdout).toMatch(/resumed: 1 probe\(s\) registered before/);
    const systems = await waitFor(
      "this host in /api/systems",
      () => {
        try {
          const answer = JSON.parse(get("/api/systems")) as { rows: { name?: string }[] };
          return answer.rows.some((row) => row.name === hostname()) ? answer.rows : undefined;
        } catch {
          return undefined;
        }
      },
      60_000,
      500,
    );
    expect(systems.length).toBeGreaterThanOrEqual(1);
    // The web view is served beside the API, with the drift feed of the exports in OUT.
    expect(get("/")).toContain("<title>assim");
    const drift = JSON.parse(get("/api/drift?limit=5")) as { entries: unknown[] };
    expect(drift.entries.length).toBeGreaterThan(0);
    const metrics = await waitFor(
      "the probe up and a scheduled export counted in /metrics",
      () => {
        const exposition = parseExposition(get("/metrics"));
        const exported = exposition.value("assim_exports_total", { outcome: "ok" }) ?? 0;
        return exported >= 1 && exposition.value("assim_probes", { state: "up" }) === 1
          ? exposition
          : undefined;
      },
      60_000,
      500,
    );
    const registered = metrics
      .series("assim_registrations_total")
      .filter((sample) => sample.labels.outcome !== "refused")
      .reduce((sum, sample) => sum + sample.value, 0);
    expect(registered).toBeGreaterThanOrEqual(1);
    expect(metrics.value("assim_export_records")).toBeGreaterThan(0);
    child.kill("SIGINT");
    const code = await Promise.race([
      exited,
      new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), 30_000)),
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/assim up: stopped\n$/);
    // Nothing of it is left listening.
    const listening = execFileSync("ip", ["netns", "exec", ns.name, "ss", "-Htuln"], {
      encoding: "utf8",
    });
    expect(listening).not.toContain(`:${API_PORT}`);
    expect(listening).not.toContain(`:${CMA_PORT}`);
    // The probe said SHUTDOWN before the CMA stopped: a shutdown, not a failure.
    const events = readFileSync(join(dataDir, "events.jsonl"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { type: string });
    expect(events.at(-1)?.type).toBe("host_shutdown");
    expect(events.map((e) => e.type)).not.toContain("host_down");
  }, 180_000);
});

describe.skipIf(!capability.ok)("assim up with its --api address in use", () => {
  it("exits 2 naming --api, leaving nothing of its own running", async () => {
    const ns = Namespace.create("aupb");
    const scratch = mkdtempSync(join(tmpdir(), "assim-up-api-"));
    // A TCP server on the namespace's loopback holds the API's address.
    const listen = `require("node:net").createServer().listen(${API_PORT}, "127.0.0.1", () => console.log("listening"))`;
    const holder = spawn("ip", ["netns", "exec", ns.name, process.execPath, "-e", listen], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    let said = "";
    holder.stdout?.on("data", (chunk: Buffer) => {
      said += chunk.toString();
    });
    try {
      await waitFor("the address to be held", () => said.includes("listening"), 20_000);
      const args = ["--data-dir", join(scratch, "data"), "--out", join(scratch, "out")];
      const ports = ["--port", String(CMA_PORT), "--api", `127.0.0.1:${API_PORT}`];
      const result = spawnSync(
        "ip",
        ["netns", "exec", ns.name, process.execPath, assimBin, "up", ...args, ...ports, "--once"],
        { encoding: "utf8", env: { ...process.env, NEO4J_URI: "" }, timeout: 60_000 },
      );
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(
        `assim: --api: cannot listen on 127.0.0.1 port ${API_PORT}: it is already in use\n`,
      );
      expect(result.stderr).not.toMatch(/\n\s+at /);
      // The CMA and the probe it had started are stopped: only the holder is left.
      expect(result.stdout).toContain("assim up: probe for this host: pid");
      expect(result.stdout).toMatch(/assim up: stopped\n$/);
      expect(namespacePids(ns.name)).toEqual([holder.pid]);
    } finally {
      holder.kill("SIGKILL");
      ns.remove();
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

describe("assim up options", () => {
  it.each([
    [["--export-every", "soon"], /--export-every must be a duration/],
    [["--port", "70000"], /--port must be a whole number from 1 to 65535/],
    [["--api", "localhost:80"], /--api: "localhost:80" is not an IP address/],
    [["--lab", "0"], /--lab must be a whole number from 1 to 64/],
  ])("assim up %j exits 2 naming the option", (args, message) => {
    const result = runAssim(["up", ...args, "--data-dir", "/nonexistent/assim-test"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it("assim up with its --port in use exits 2 naming it", async () => {
    const holder = createSocket("udp4");
    await new Promise<void>((resolve) => holder.bind(0, "127.0.0.1", resolve));
    const { port } = holder.address();
    const scratch = mkdtempSync(join(tmpdir(), "assim-up-port-"));
    try {
      const result = runAssim(
        ["up", "--port", String(port), "--data-dir", scratch, "--out", join(scratch, "out")],
        { env: { ...process.env, NEO4J_URI: "" }, timeoutMs: 60_000 },
      );
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(
        `assim: --port: cannot bind UDP 127.0.0.1 port ${port}: it is already in use\n`,
      );
      expect(result.stderr).not.toMatch(/\n\s+at /);
      // It stopped at the CMA's port: no probe was started.
      expect(result.stdout).not.toContain("probe for this host");
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it("--help says how to stop it and where things go", () => {
    const result = runAssim(["up", "--help"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: assim up/);
    expect(result.stdout).toContain("Ctrl-C");
    expect(result.stdout).toContain("--lab <hosts>");
  });
});
