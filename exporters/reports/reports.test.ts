/**
 * The reports format over the embedded store and the contract fixtures
 * (web1: nginx, gunicorn and redis with OCF and Nagios agents; db1:
 * PostgreSQL; ldap1: slapd): the unmonitored audit with the rule that would
 * monitor each service, the drift report after a second export, and hostile
 * values that stay inert in Markdown and HTML.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  AT,
  copy,
  fixtureDocument,
  ingestFixtureWorld,
  LATER,
  processKeyOf,
  SYSTEM,
} from "../../cma/graph/contract/support.js";
import { openEmbeddedStore } from "../../cma/graph/embedded/store.js";
import type { GraphStore } from "../../cma/graph/store.js";
import { ingestDocument } from "../../cma/ingest/ingest.js";
import { runExport } from "../run.js";
import type { DriftReport } from "./drift.js";
import { markdownCode, markdownText, markdownTime } from "./render.js";
import { reportsExporter } from "./reports.js";
import type { UnmonitoredReport } from "./unmonitored.js";

const scratch = mkdtempSync(join(tmpdir(), "assim-reports-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let store: GraphStore;
let out: string;
let run = 0;
beforeEach(async () => {
  run++;
  store = await openEmbeddedStore({ dataDir: join(scratch, `data${run}`) });
  out = join(scratch, `out${run}`);
  await ingestFixtureWorld(store);
});
afterEach(async () => {
  await store.close();
});

const exportAt = (at: string) =>
  runExport({ store, outDir: out, formats: [reportsExporter()], now: () => new Date(at) });
const read = (file: string) => readFileSync(join(out, "reports", file), "utf8");
const unmonitored = () => JSON.parse(read("unmonitored.json")) as UnmonitoredReport;
const drift = () => JSON.parse(read("drift.json")) as DriftReport;

describe("the unmonitored services report", () => {
  it("lists every listening service nothing monitors, with the rule that would monitor it", async () => {
    await exportAt(LATER);
    const report = unmonitored();
    expect(report.totals).toMatchObject({ hosts: 3, monitored: 0, nomon: 0 });
    expect(report.totals.unmonitored).toBe(report.totals.listening_services);
    const web1 = report.hosts.find((h) => h.name === "web1");
    const nginx = web1?.services.find((s) => s.exe === "/usr/sbin/nginx");
    expect(nginx).toMatchObject({ verdict: "applied", rule: "nginx" });
    expect(nginx?.reason).toMatch(
      /rule nginx applies .*but the CMA has not set up its monitor yet/,
    );
    for (const service of report.hosts.flatMap((h) => h.services)) {
      expect(service.reason, service.id).not.toBe("");
    }
    expect(read("unmonitored.md")).toContain("## web1");
    expect(read("unmonitored.html")).toContain("<h2>web1");
  });

  it("drops a service once the CMA monitors it, and one a nomon rule excuses", async () => {
    const snapshot = await store.snapshot();
    const nginx = processKeyOf(snapshot, SYSTEM.web1, "nginx");
    const redis = processKeyOf(snapshot, SYSTEM.web1, "redis-server");
    await store.write((tx) =>
      tx.replaceMonitors(
        SYSTEM.web1,
        [
          { key: "monitor:n:nginx", process: nginx, props: { rule: "nginx", class: "ocf" } },
          { key: "monitor:r:quiet", process: redis, props: { rule: "quiet", class: "nomon" } },
        ],
        AT,
      ),
    );
    await exportAt(LATER);
    const report = unmonitored();
    expect(report.totals).toMatchObject({ monitored: 1, nomon: 1 });
    // A service's id ends with the hash of its graph Process key.
    const listed = report.hosts.flatMap((h) => h.services.map((s) => s.id.split(":").at(-1)));
    for (const watched of [nginx, redis]) expect(listed).not.toContain(watched.split(":").at(-1));
    expect(report.totals.unmonitored).toBe(report.totals.listening_services - 2);
  });
});

describe("the drift report", () => {
  it("sorts the changes since the previous export into hosts, services, network and packages", async () => {
    await exportAt(LATER);
    expect(drift().categories.map((c) => c.name)).toContain("hosts");
    const netconfig = copy(fixtureDocument("web1", "netconfig"), "2026-03-01T12:00:00.000Z");
    const eth0 = (netconfig.data as Record<string, { mtu: number }>).eth0 as { mtu: number };
    eth0.mtu = 9000;
    await ingestDocument(store, netconfig);
    const tcp = copy(fixtureDocument("web1", "tcpdiscovery"), "2026-03-01T12:00:00.000Z");
    delete (tcp.data as Record<string, unknown>)["redis-server:2a3b4c5d6e7f"];
    await ingestDocument(store, tcp);
    await store.write((tx) =>
      tx.setSystemStatus(SYSTEM.db1, "down", "heartbeat lost", "2026-03-01T12:30:00.000Z"),
    );
    await exportAt("2026-03-01T13:00:00.000Z");

    const report = drift();
    expect(report.since).toBe(LATER);
    const category = (name: string) => report.categories.find((c) => c.name === name)?.entries;
    expect(category("hosts")).toContainEqual(
      expect.objectContaining({
        subject: "db1",
        what: "status",
        old: "up",
        new: "down",
        when: "2026-03-01T12:30:00.000Z",
      }),
    );
    expect(category("network")).toContainEqual(
      expect.objectContaining({ subject: "web1", old: 1500, new: 9000 }),
    );
    expect(category("services")).toContainEqual(
      expect.objectContaining({
        subject: "web1",
        change: "removed",
        what: expect.stringMatching(/^service redis/),
      }),
    );
    const md = read("drift.md");
    expect(md).toContain("## Hosts down, up, appeared or gone");
    expect(md).toMatch(/\| db1 \| changed \| status \| up \| down \|/);
    expect(read("drift.html")).toContain("<td>db1</td>");
  });
});

describe("hostile values", () => {
  const hostile = "evil\n| injected | row |\n<script>alert(1)</script> [link](http://x) {{x}} =cmd";

  it("stay one line of literal text in Markdown", () => {
    const text = markdownText(hostile);
    expect(text).not.toMatch(/[\n\r]/);
    expect(text).not.toMatch(/(^|[^\\])[|<[]/);
    expect(markdownCode("a`b|c\nd")).toBe("a'b\\|c d");
    expect(markdownTime("2026-03-01T12:30:00.000Z")).toBe("2026-03-01T12:30:00.000Z");
    expect(markdownTime("2026-03-01T12:30:00Z\n| x |")).toBe("2026-03-01T12\\:30\\:00Z \\| x \\|");
  });

  it("cannot add a row, a tag or a link to the reports", async () => {
    const tcp = copy(fixtureDocument("web1", "tcpdiscovery"), "2026-03-01T12:00:00.000Z");
    const groups = tcp.data as Record<string, { cmdline: string[]; exe: string | null }>;
    const [key] = Object.keys(groups).filter((k) => k.startsWith("redis"));
    const group = groups[key as string] as { cmdline: string[]; exe: string | null };
    group.exe = `/usr/bin/${hostile.replace(/\n/g, " ")}`;
    group.cmdline = [hostile];
    await ingestDocument(store, tcp);
    await exportAt(LATER);
    const md = read("unmonitored.md");
    const rowsOf = (text: string) => text.split("\n").filter((l) => l.startsWith("|")).length;
    const services = unmonitored().hosts.reduce((n, h) => n + h.services.length, 0);
    // A header and a separator row per host, then exactly one row per service.
    expect(rowsOf(md)).toBe(2 * unmonitored().hosts.length + services);
    expect(md).not.toContain("<script>");
    expect(md).not.toMatch(/(^|[^\\])\[link\]/);
    const html = read("unmonitored.html");
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;script&gt;");
    expect(html).toContain("Content-Security-Policy");
  });
});
