/**
 * `assim api`: the built command serving a data directory filled by
 * `assim ingest`, over real HTTP on loopback, logging each request on stderr,
 * stopping cleanly on SIGTERM and SIGINT.
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageRoot } from "../lib/package-root.js";
import { assimBin, runAssim } from "./support/cli.js";

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;
const env = { ...process.env, NEO4J_URI: "" };

const scratch = mkdtempSync(join(tmpdir(), "assim-api-cli-"));
const dataDir = join(scratch, "data");
const running = new Set<ChildProcessWithoutNullStreams>();

beforeAll(() => {
  const fixtures = join(packageRoot(), "cma", "graph", "contract", "fixtures");
  const documents = ["web1", "db1", "ldap1"]
    .map((host) => readFileSync(join(fixtures, `${host}.jsonl`), "utf8"))
    .join("");
  const ingested = spawnSync(process.execPath, [assimBin, "ingest", "-", "--data-dir", dataDir], {
    encoding: "utf8",
    input: documents,
    env,
    timeout: 120_000,
  });
  expect(ingested.stderr).toBe("");
  expect(ingested.status).toBe(0);
});

afterAll(() => {
  for (const child of running) child.kill("SIGKILL");
  rmSync(scratch, { recursive: true, force: true });
});

interface Served {
  child: ChildProcessWithoutNullStreams;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `assim api ARGS` and resolves once it prints the URL it serves on. */
function serve(args: string[]): Promise<Served> {
  const child = spawn(process.execPath, [assimBin, "api", "--data-dir", dataDir, ...args], { env });
  running.add(child);
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`not serving after ${START_TIMEOUT_MS} ms: ${stderr}`)),
      START_TIMEOUT_MS,
    );
    const check = () => {
      const url = /on (http:\/\/\S+)\n/.exec(stdout)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ child, url, stdout: () => stdout, stderr: () => stderr, exit });
      }
    };
    child.stdout.on("data", check);
    void exit.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`assim api exited with ${code} before serving: ${stderr}`));
    });
  });
}

const jsonLines = (text: string) =>
  text
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

async function stopped(served: Served, signal: NodeJS.Signals) {
  served.child.kill(signal);
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(
      () => reject(new Error(`still running ${STOP_TIMEOUT_MS} ms after ${signal}`)),
      STOP_TIMEOUT_MS,
    ),
  );
  return Promise.race([served.exit, timeout]);
}

describe("assim api", () => {
  it("--help prints usage and exits 0", () => {
    const result = runAssim(["api", "--help"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: assim api/);
    expect(result.stdout).toMatch(/--port <port>/);
    expect(result.stdout).toMatch(/--host <address>/);
    expect(result.stdout).toMatch(/--data-dir <dir>/);
    expect(result.stdout).toMatch(/--events-log <file>/);
    expect(result.stdout).toMatch(/--export-dir <dir>/);
  });

  it("serves the web view, events from DATA_DIR/events.jsonl and drift from --export-dir", async () => {
    const event = { id: "e1", time: "2026-03-01T10:00:00.000Z", type: "host_up", reason: "r" };
    writeFileSync(join(dataDir, "events.jsonl"), `${JSON.stringify(event)}\n`);
    const out = join(scratch, "out");
    mkdirSync(out, { recursive: true });
    const drift = { at: "2026-03-01T10:00:00.000Z", since: null, change: "added", id: "x" };
    writeFileSync(join(out, "drift.jsonl"), `${JSON.stringify(drift)}\n`);
    const served = await serve(["--port", "0", "--export-dir", out]);
    const page = await fetch(`${served.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script src="/web/app.js"');
    const events = (await (await fetch(`${served.url}/api/events`)).json()) as {
      entries: unknown[];
    };
    expect(events.entries).toEqual([event]);
    const feed = (await (await fetch(`${served.url}/api/drift`)).json()) as { entries: unknown[] };
    expect(feed.entries).toEqual([drift]);
    expect(await stopped(served, "SIGTERM")).toEqual({ code: 0, signal: null });
    const listening = jsonLines(served.stderr()).find((l) => l.event === "listening");
    expect(listening).toMatchObject({ events_log: join(dataDir, "events.jsonl"), export_dir: out });
  });

  it("serves the ingested graph on 127.0.0.1, logs a JSON line per request, stops on SIGTERM", async () => {
    const served = await serve(["--port", "0"]);
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(served.stdout()).toContain(`embedded store ${join(dataDir, "graph.sqlite")}`);

    const health = await fetch(`${served.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok", store: "embedded" });
    const systems = (await (await fetch(`${served.url}/api/systems`)).json()) as {
      rows: { name: string }[];
    };
    expect(systems.rows.map((r) => r.name)).toEqual(["db1", "ldap1", "web1"]);
    const bad = await fetch(`${served.url}/api/ips/300.1.1.1`);
    expect(bad.status).toBe(400);

    const exit = await stopped(served, "SIGTERM");
    expect(exit).toEqual({ code: 0, signal: null });
    const lines = jsonLines(served.stderr());
    const requests = lines.filter((l) => typeof l.request_id === "string");
    expect(requests.map((l) => [l.method, l.path, l.status])).toEqual([
      ["GET", "/health", 200],
      ["GET", "/api/systems", 200],
      ["GET", "/api/ips/300.1.1.1", 400],
    ]);
    expect(lines.map((l) => l.event).filter(Boolean)).toEqual(["listening", "stopping", "stopped"]);
    expect(lines.find((l) => l.event === "stopping")?.signal).toBe("SIGTERM");
    await expect(fetch(`${served.url}/health`)).rejects.toThrow();
  });

  it("--host picks the address: on 127.0.0.2 it does not answer on 127.0.0.1; SIGINT stops it", async () => {
    const served = await serve(["--port", "0", "--host", "127.0.0.2"]);
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/);
    const port = new URL(served.url).port;
    expect((await fetch(`${served.url}/health`)).status).toBe(200);
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
    expect(await stopped(served, "SIGINT")).toEqual({ code: 0, signal: null });
  });

  it("a bad port or a port in use is a usage error (exit 2) naming it", async () => {
    const bad = runAssim(["api", "--port", "70000", "--data-dir", dataDir]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--port must be a TCP port from 0 to 65535, got "70000"/);

    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const busy = spawnSync(
        process.execPath,
        [assimBin, "api", "--port", String(port), "--data-dir", dataDir],
        { encoding: "utf8", env, timeout: 60_000 },
      );
      expect(busy.status).toBe(2);
      expect(busy.stderr).toContain(
        `assim: --port: cannot listen on 127.0.0.1 port ${port}: it is already in use`,
      );
      expect(busy.stderr).not.toMatch(/\n\s+at /);
      // An address that is not this machine's (binding sends nothing): --host is what to change.
      const foreign = spawnSync(
        process.execPath,
        [assimBin, "api", "--host", "192.0.2.1", "--port", "0", "--data-dir", dataDir],
        { encoding: "utf8", env, timeout: 60_000 },
      );
      expect(foreign.status).toBe(2);
      expect(foreign.stderr).toContain(
        "assim: --host: cannot listen on 192.0.2.1 port 0: it is not an address of this machine",
      );
      expect(foreign.stderr).not.toMatch(/\n\s+at /);
    } finally {
      holder.close();
    }
  });
});
