/**
 * `assim up --lab 6`, what a newcomer runs to see the whole system: a lab of six
 * hosts behind two lldpd switches, their probes and services (a web app on h1
 * using a database on h2), the exports on a schedule, and the web page, read
 * by headless Chromium: populated, then showing a killed probe as down. The
 * outputs pass ansible-inventory and nagios4 -v; Ctrl-C removes the lab.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasNagios4, verifyWithNagios } from "../exporters/nagios/verify.js";
import { Lab } from "../lab/lab.js";
import { lldpdAvailable } from "../lab/lldpd.js";
import { canCreateNamespaces, listNamespaces } from "../lab/netns.js";
import { packageRoot } from "../lib/package-root.js";
import { ansibleInventory, ansibleSkip } from "./support/ansible.js";
import { assimBin, runAssim } from "./support/cli.js";
import { freeTcpPort, waitFor } from "./support/daemons.js";
import { checkGlpi, checkIre } from "./support/itil.js";

const CHROMIUM = "/usr/bin/chromium";
const namespaces = canCreateNamespaces();
const lldpd = lldpdAvailable();
const skipReason = !namespaces.ok
  ? namespaces.reason
  : !lldpd.ok
    ? lldpd.reason
    : spawnSync(CHROMIUM, ["--version"], { stdio: "ignore" }).status !== 0
      ? `${CHROMIUM} is missing (Debian chromium)`
      : !hasNagios4()
        ? "nagios4 is missing (Debian nagios4-core)"
        : ansibleSkip;
if (skipReason) console.warn(`assim up --lab test skipped: ${skipReason}`);

const HOSTS = ["h1", "h2", "h3", "h4", "h5", "h6"];
const LAB = `up${process.pid.toString(36)}`;
const SCREENSHOT = join(packageRoot(), "test-output", "up-lab.png");
const WAIT_MS = 30_000;

describe.skipIf(skipReason !== "")("assim up --lab 6", () => {
  let scratch: string;
  let outDir: string;
  let up: ChildProcess;
  let stdout = "";
  let exited: Promise<number | null>;
  let url: string;
  let browser: Browser | undefined;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), "assim-up-lab-"));
    outDir = join(scratch, "out");
    const apiPort = await freeTcpPort();
    up = spawn(
      process.execPath,
      [
        assimBin,
        "up",
        "--lab",
        String(HOSTS.length),
        "--name",
        LAB,
        "--data-dir",
        join(scratch, "data"),
        "--out",
        outDir,
        "--export-every",
        "3s",
        "--api",
        `127.0.0.1:${apiPort}`,
      ],
      {
        env: { ...process.env, NEO4J_URI: "", ASSIM_LOG_FORMAT: "json" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    up.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    up.stderr?.on("data", () => undefined);
    exited = new Promise((resolve) => up.once("exit", resolve));
    await waitFor(
      "assim up --lab to run",
      () => stdout.includes("Ctrl-C stops everything"),
      240_000,
      250,
    );
    url = `http://127.0.0.1:${apiPort}/`;
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    if (up && up.exitCode === null) up.kill("SIGKILL");
    await Lab.destroy({ name: LAB });
    rmSync(scratch, { recursive: true, force: true });
  }, 120_000);

  it("says where everything is", () => {
    expect(stdout).toContain(`assim up: web view and API: ${url}`);
    expect(stdout).toMatch(
      /assim up: exports every 3 s into .*: ansible, glpi, itil, json, nagios, reports/,
    );
    expect(stdout).toContain(`"assim lab kill h2 --name ${LAB}" shows a failure`);
  });

  it("exports every lab host, with outputs that pass ansible-inventory, nagios4 -v, our IRE schema and GLPI's schema", async () => {
    await waitFor(
      "an export holding every lab host and h1's use of h2's database",
      () => {
        try {
          const records = JSON.parse(
            readFileSync(join(outDir, "json", "records.json"), "utf8"),
          ) as {
            records: { kind: string; fields: Record<string, unknown> }[];
          };
          const hosts = records.records.filter((r) => r.kind === "host").map((r) => r.fields.name);
          const dependencies = records.records.filter((r) => r.kind === "dependency");
          return HOSTS.every((h) => hosts.includes(h)) && dependencies.length > 0;
        } catch {
          return false;
        }
      },
      180_000,
      1000,
    );
    const inventory = ansibleInventory(join(outDir, "ansible", "inventory.yml"), "yaml");
    expect(inventory.stderr).toBe("");
    expect(inventory.status).toBe(0);
    const hostvars = JSON.parse(inventory.stdout)._meta.hostvars as Record<string, unknown>;
    expect(Object.keys(hostvars).sort()).toEqual(HOSTS);
    const nagios = verifyWithNagios(join(outDir, "nagios"));
    expect(nagios.output).toMatch(/Total Errors:\s+0/);
    expect(nagios.status).toBe(0);
    // The CMDB records: our IRE schema, and GLPI's own schema for each host's and switch's document.
    checkIre(JSON.parse(readFileSync(join(outDir, "itil", "servicenow.json"), "utf8")));
    const glpi = readdirSync(join(outDir, "glpi")).filter((f) => f.endsWith(".json"));
    expect(glpi.length).toBeGreaterThanOrEqual(HOSTS.length);
    for (const file of glpi)
      checkGlpi(JSON.parse(readFileSync(join(outDir, "glpi", file), "utf8")));
  }, 240_000);

  it("shows a populated web page, and a killed probe as down without a reload", async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-dev-shm-usage"],
      timeout: WAIT_MS,
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
    page.setDefaultTimeout(WAIT_MS);
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console: ${message.text()}`);
    });
    await page.goto(url);
    await waitFor(
      "every lab host up on the page",
      async () => (await page.$$("#hosts tbody tr[data-status='up']")).length >= HOSTS.length,
      60_000,
      250,
    );
    const names = await page.$$eval("#hosts tbody td.name", (cells) =>
      cells.map((c) => (c.textContent ?? "").trim()),
    );
    expect(names.filter((n) => HOSTS.includes(n)).sort()).toEqual(HOSTS);
    // h1's web app uses h2's database: an edge of the dependency graph.
    await waitFor(
      "an edge in the dependency graph",
      async () => Number(await page.getAttribute("#graph", "data-edges")) >= 1,
      60_000,
      250,
    );
    expect(await page.textContent("#graph-edges")).toMatch(/h1.*h2/);
    // Neither the web app nor the database is monitored.
    await page.waitForSelector("#unmonitored tbody tr");
    const unmonitored = (await page.textContent("#unmonitored")) ?? "";
    expect(unmonitored).toContain("8080");
    expect(unmonitored).toContain("5433");
    await page.waitForSelector("#switches li.switch");
    await page.waitForSelector("#drift li");
    await page.waitForSelector("#events li");

    const killed = runAssim(["lab", "kill", "h3", "--name", LAB, "--signal", "KILL"]);
    expect(killed.status).toBe(0);
    const h3 = page.locator("#hosts tbody tr", { hasText: "h3" });
    await h3.and(page.locator("[data-status='down']")).waitFor({ timeout: 60_000 });
    await page.waitForSelector('#events li:has-text("h3")');
    // The next export records the change in the drift feed, by the host's name.
    await page.waitForSelector('#drift li:has-text("changed host h3 status: up → down")', {
      timeout: 60_000,
    });

    mkdirSync(join(packageRoot(), "test-output"), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    console.log(`assim up --lab screenshot: ${SCREENSHOT}`);
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(20_000);
    expect(problems).toEqual([]);
  }, 180_000);

  it("stops everything on Ctrl-C and removes the lab", async () => {
    up.kill("SIGINT");
    const code = await Promise.race([
      exited,
      new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), 90_000)),
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/assim up: stopped\n$/);
    expect(listNamespaces().filter((ns) => ns.startsWith(`${LAB}-`))).toEqual([]);
  }, 120_000);
});
