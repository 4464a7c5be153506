/** `assim report drift` through bin/assim.js, over the drift feed of two real exports. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  copy,
  fixtureDocument,
  fixtureWorldText,
  LATER,
} from "../../cma/graph/contract/support.js";
import { runAssimEmbedded } from "../../test/support/cli.js";
import { parseBaseline } from "./report.js";

const scratch = mkdtempSync(join(tmpdir(), "assim-report-cli-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const assim = runAssimEmbedded;
const world = fixtureWorldText();

describe("assim report drift", () => {
  const data = join(scratch, "data");
  const out = join(scratch, "out");

  it("reports what the exports saw after the baseline, from the drift feed", async () => {
    expect(assim(["report", "drift", "--out", out]).stderr).toMatch(/no export yet/);
    expect(assim(["ingest", "-", "--data-dir", data], world).status).toBe(0);
    const first = assim(["export", "--once", "--format", "json", "--out", out, "--data-dir", data]);
    expect(first.status, first.stderr).toBe(0);
    const baseline = JSON.parse(first.stdout).at as string;
    await new Promise((r) => setTimeout(r, 10));
    // db1 stops listening on PostgreSQL.
    const tcp = copy(fixtureDocument("db1", "tcpdiscovery"), LATER);
    tcp.data = Object.fromEntries(
      Object.entries(tcp.data as Record<string, { exe?: string }>).filter(
        ([, group]) => !group.exe?.includes("postgres"),
      ),
    );
    expect(assim(["ingest", "-", "--data-dir", data], `${JSON.stringify(tcp)}\n`).status).toBe(0);
    const second = assim([
      "export",
      "--once",
      "--format",
      "json",
      "--out",
      out,
      "--data-dir",
      data,
    ]);
    expect(second.status, second.stderr).toBe(0);

    const all = assim(["report", "drift", "--out", out, "--format", "json"]);
    expect(all.status, all.stderr).toBe(0);
    expect(JSON.parse(all.stdout).total).toBe(23 + 3);

    const since = assim(["report", "drift", "--out", out, "--since", baseline, "--format", "json"]);
    const report = JSON.parse(since.stdout);
    expect(report.since).toBe(baseline);
    expect(report.total).toBe(3);
    const services = report.categories.find((c: { name: string }) => c.name === "services");
    expect(services.entries).toEqual([
      expect.objectContaining({
        subject: "db1",
        change: "removed",
        what: expect.stringMatching(/^service postgres/),
      }),
    ]);
    const md = assim(["report", "drift", "--out", out, "--since", baseline]);
    expect(md.stdout).toContain("## Services and ports appearing and disappearing");
    expect(md.stdout).toMatch(/\| db1 \| removed \| service postgres/);
    const html = assim(["report", "drift", "--out", out, "--since", "1h", "--format", "html"]);
    expect(html.stdout).toMatch(/^<!DOCTYPE html>/);
  }, 120_000);

  it("refuses a baseline that is neither a time nor a duration, and an unknown format", () => {
    const bad = assim(["report", "drift", "--out", out, "--since", "last tuesday"]);
    expect(bad.stderr).toMatch(/--since must be a time .* not "last tuesday"/);
    expect(bad.status).toBe(2);
    const format = assim(["report", "drift", "--out", out, "--format", "pdf"]);
    expect(format.stderr).toMatch(/--format must be one of md, html, json/);
    expect(format.status).toBe(2);
  });
});

describe("parseBaseline", () => {
  const now = new Date("2026-03-08T12:00:00.000Z");
  it("takes a date, a time or a duration back from now", () => {
    expect(parseBaseline("2026-03-01", now)).toBe("2026-03-01T00:00:00.000Z");
    expect(parseBaseline("2026-03-01T12:30:00+01:00", now)).toBe("2026-03-01T11:30:00.000Z");
    expect(parseBaseline("7d", now)).toBe("2026-03-01T12:00:00.000Z");
  });
});
