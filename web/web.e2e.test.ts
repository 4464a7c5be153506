/**
 * The web view end to end: the real API server on 127.0.0.1 over a real
 * embedded store (the contract suite's fixture world, a switch, and a host
 * and a process with hostile names), a real events log and a drift feed
 * written by a real export; Debian's chromium, headless, driven by
 * playwright-core, loads the page and must show what the store holds, follow
 * changes without a reload, and say so when the API goes away.
 */
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServer, startApiServer } from "../cma/api/server.js";
import {
  AT,
  copy,
  fixtureDocument,
  ingestAll,
  ingestFixtureWorld,
  SYSTEM,
} from "../cma/graph/contract/support.js";
import { type EmbeddedStore, openEmbeddedStore } from "../cma/graph/embedded/store.js";
import { hostSystemKey } from "../cma/graph/keys.js";
import type { SystemStatus } from "../cma/graph/store.js";
import { runExport } from "../exporters/run.js";
import { driftPath } from "../exporters/state.js";
import { packageRoot } from "../lib/package-root.js";
import type { DiscoveryDocument } from "../protocol/discovery-document.js";

const CHROMIUM = "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  console.warn(`web view e2e skipped: ${CHROMIUM} is absent (apt-get install chromium)`);
}

/** Every wait in this file is bounded by this. */
const WAIT_MS = 20_000;
const HOSTILE_HOST = "<img src=x onerror=alert(1)>";
const HOSTILE_PROCESS = "<svg onload=alert(2)>";
const HOSTILE_MACHINE = "d4".repeat(16);
/** A status and a severity that would add classes of their own if they became one. */
const HOSTILE_STATUS = "up injected-status";
const HOSTILE_SEVERITY = "critical injected-severity";
const SWITCH = "switch:00:1b:2c:3d:4e:5f";
const SCREENSHOT = join(packageRoot(), "test-output", "web-view.png");

/** ldap1's os and tcpdiscovery documents, renamed: a host and a process named to break HTML. */
function hostileDocuments(): DiscoveryDocument[] {
  const os = copy(fixtureDocument("ldap1", "os"), AT) as DiscoveryDocument<Record<string, unknown>>;
  const tcp = copy(fixtureDocument("ldap1", "tcpdiscovery"), AT) as DiscoveryDocument<
    Record<string, Record<string, unknown>>
  >;
  for (const document of [os, tcp] as DiscoveryDocument[]) {
    document.host = HOSTILE_HOST;
    (document as { machine_id?: string }).machine_id = HOSTILE_MACHINE;
  }
  os.data.hostname = HOSTILE_HOST;
  os.data.machine_id = HOSTILE_MACHINE;
  const slapd = Object.values(tcp.data).find((p) => p.exe === "/usr/sbin/slapd");
  tcp.data = {
    "hostile:0123456789ab": {
      ...slapd,
      exe: `/opt/${HOSTILE_PROCESS}`,
      cmdline: [`/opt/${HOSTILE_PROCESS}`],
    },
  };
  return [os, tcp];
}

const event = (n: number, hostname: string, reason: string, severity = "info") => ({
  id: `event-${n}`,
  time: new Date(Date.UTC(2026, 2, 1, 10, n)).toISOString(),
  type: "host_up",
  severity,
  system: SYSTEM.web1,
  hostname,
  reason,
});

describe.skipIf(!haveChromium)("web view in headless chromium", () => {
  const dir = mkdtempSync(join(tmpdir(), "assim-web-"));
  const eventsLog = join(dir, "events.jsonl");
  const exportDir = join(dir, "out");
  let store: EmbeddedStore;
  let server: ApiServer;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    store = await openEmbeddedStore({ dataDir: join(dir, "store") });
    await ingestFixtureWorld(store);
    await store.write(async (tx) => {
      await tx.replaceSwitchNeighbours(
        SYSTEM.web1,
        [
          {
            interface: "eth0",
            switch: {
              key: SWITCH,
              kind: "switch",
              props: { name: "sw1.example.net", chassis_id: "00:1b:2c:3d:4e:5f" },
            },
            port: {
              key: `${SWITCH}|port:Gi1/0/1`,
              props: { port_id: "Gi1/0/1", description: "web1 eth0", vlan_id: 10 },
            },
            props: { interface: "eth0", protocols: ["lldp"], ttl_seconds: 120 },
          },
        ],
        AT,
      );
      await tx.linkWiring(SYSTEM.web1, AT);
    });
    // Two real exports around the hostile host's arrival: the drift feed records it.
    await runExport({ store, outDir: exportDir, formats: [], now: () => new Date(AT) });
    await ingestAll(store, hostileDocuments());
    await store.write((tx) =>
      tx.setSystemStatus(hostSystemKey(HOSTILE_MACHINE), HOSTILE_STATUS as SystemStatus, "x", AT),
    );
    await runExport({
      store,
      outDir: exportDir,
      formats: [],
      now: () => new Date("2026-03-01T10:30:00.000Z"),
    });
    writeFileSync(
      eventsLog,
      [
        event(1, "web1", "discovered"),
        event(2, HOSTILE_HOST, `registered ${HOSTILE_PROCESS}`, HOSTILE_SEVERITY),
      ]
        .map((e) => `${JSON.stringify(e)}\n`)
        .join(""),
    );
    server = await startApiServer({ store, port: 0, eventsLog, exportDir });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // Root in CI needs --no-sandbox; containers often have a small /dev/shm.
      args: ["--no-sandbox", "--disable-dev-shm-usage"],
      timeout: WAIT_MS,
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
    page.setDefaultTimeout(WAIT_MS);
    page.on("dialog", (dialog) => {
      problems.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console: ${message.text()}`);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const texts = (selector: string) =>
    page.$$eval(selector, (nodes) => nodes.map((n) => (n.textContent ?? "").trim()));

  it("shows hosts, graph, switch topology, unmonitored services, drift and events as the store holds them", async () => {
    const response = await page.goto(server.url, { timeout: WAIT_MS });
    expect(response?.headers()["content-security-policy"]).toContain("script-src 'self'");
    await page.waitForSelector("#hosts tbody tr");
    await page.waitForSelector("#graph canvas");
    await page.waitForSelector("#switches li.switch");
    await page.waitForSelector("#unmonitored tbody tr");
    await page.waitForSelector("#drift li");
    await page.waitForSelector("#events li");
    await page.waitForSelector("#graph[data-nodes]");

    const systems = (await store.runQuery("systems")).rows;
    expect(await texts("#hosts tbody td.name")).toEqual(systems.map((s) => s.name));
    expect(
      await page.$$eval("#hosts tbody tr", (rows) =>
        rows.map((r) => r.getAttribute("data-status")),
      ),
    ).toEqual(systems.map((s) => s.status));
    expect(await page.textContent("#updated")).toMatch(/^updated \d\d:\d\d:\d\d$/);
    expect(await page.isHidden("#error-banner")).toBe(true);

    // Four hosts; web1 → db1 and db1 → ldap1.
    expect(await page.getAttribute("#graph", "data-nodes")).toBe("4");
    expect(await page.getAttribute("#graph", "data-edges")).toBe("2");
    expect(await texts("#graph-edges li")).toEqual([
      "db1 → ldap1: slapd tcp/389",
      "web1 → db1: postgres tcp/5432",
    ]);

    expect(await texts("#switches li.switch > .name")).toEqual(["sw1.example.net"]);
    expect(await texts("#switches li.port > .port-id")).toEqual(["Gi1/0/1"]);
    const [wired] = (await store.runQuery("switch-ports")).rows;
    expect(await texts("#switches li.host")).toEqual([`web1 eth0 ${wired?.mac}`]);

    const unmonitored = (await store.runQuery("unmonitored-services")).rows;
    const shown = await page.$$eval("#unmonitored tbody tr", (rows) =>
      rows.map((r) => [...r.children].slice(0, 2).map((c) => c.textContent)),
    );
    expect(shown).toEqual(unmonitored.map((r) => [r.host, r.name]));
    expect(shown).toContainEqual([HOSTILE_HOST, HOSTILE_PROCESS]);

    // The drift feed's newest 50 lines, newest first; the last export added the hostile host.
    const drift = readFileSync(driftPath(exportDir), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const driftShown = await texts("#drift li");
    expect(driftShown).toHaveLength(Math.min(50, drift.length));
    const newest = drift.at(-1) as { at: string; change: string; id: string };
    expect(driftShown[0]).toContain(`${newest.at} ${newest.change}`);
    // Named when the graph knows the record, with its id as the title.
    expect(await page.getAttribute("#drift li:first-child", "title")).toBe(newest.id);
    expect(driftShown.some((t) => t.includes("2026-03-01T10:30:00.000Z added"))).toBe(true);
    // A service is named with its host's name, never by its record id alone.
    const hostileService = drift.find(
      (d) => d.change === "added" && d.kind === "service" && d.id.includes(HOSTILE_MACHINE),
    ) as { fields: { name: string } };
    expect(hostileService.fields.name).not.toBe("");
    expect(driftShown).toContain(
      `2026-03-01T10:30:00.000Z added service ${hostileService.fields.name} on ${HOSTILE_HOST}`,
    );
    expect(driftShown).toContain(`2026-03-01T10:30:00.000Z added host ${HOSTILE_HOST}`);

    expect(await texts("#events li")).toEqual([
      `2026-03-01T10:02:00.000Z host_up ${HOSTILE_HOST}: registered ${HOSTILE_PROCESS}`,
      "2026-03-01T10:01:00.000Z host_up web1: discovered",
    ]);

    // A status or severity the page does not know gets the neutral class, never one of its own.
    expect(
      await page.$eval(
        `#hosts tr[data-key="${hostSystemKey(HOSTILE_MACHINE)}"] td.status`,
        (cell) => cell.className,
      ),
    ).toBe("status status-unknown");
    expect(await page.$$eval("#events li", (items) => items.map((li) => li.className))).toEqual([
      "severity-unknown",
      "severity-info",
    ]);
    expect(await page.$$("[class*='injected']")).toHaveLength(0);

    // The hostile names are text: no element was made from them, no script ran.
    expect(await page.$$("main img, main svg, main script")).toHaveLength(0);
    expect(await page.$$("script")).toHaveLength(2);
    expect(problems).toEqual([]);
  });

  it("follows new events and status changes without a reload", async () => {
    const before = await page.evaluate(() => performance.timeOrigin);
    appendFileSync(eventsLog, `${JSON.stringify(event(3, "db1", "no heartbeat"))}\n`);
    await store.write(async (tx) => {
      await tx.setSystemStatus(SYSTEM.db1, "down", "no heartbeat", "2026-03-01T10:03:00.000Z");
    });
    await page.waitForSelector(`#hosts tr[data-key="${SYSTEM.db1}"][data-status="down"]`);
    await page.waitForSelector('#events li:first-child:has-text("no heartbeat")');
    expect((await texts("#events li"))[0]).toBe(
      "2026-03-01T10:03:00.000Z host_up db1: no heartbeat",
    );
    expect(await texts("#counts")).toEqual(["4 hosts, 1 switches, 1 down"]);
    expect(await page.evaluate(() => performance.timeOrigin)).toBe(before);

    await mkdir(join(packageRoot(), "test-output"), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    console.log(`web view screenshot: ${SCREENSHOT}`);
    const png = readFileSync(SCREENSHOT);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));
    expect(png.length).toBeGreaterThan(20_000);
    expect(problems).toEqual([]);
  });

  it("shows an error banner while the API is unreachable, keeping the last data", async () => {
    await server.close();
    await page.waitForSelector("#error-banner:not([hidden])", { timeout: WAIT_MS });
    expect(await page.textContent("#error-banner")).toContain("The API is unreachable");
    expect(await page.$$("#hosts tbody tr")).toHaveLength(5);
  });
});
