/** The nagios format on the fixture world, and the real `nagios4 -v` on its output. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ingestFixtureWorld } from "../../cma/graph/contract/support.js";
import type { GraphStore } from "../../cma/graph/store.js";
import { scratchStores } from "../../test/support/scratch-stores.js";
import type { RenderedFiles } from "../exporter.js";
import { readRecords } from "../records.js";
import { nagiosExporter, nagiosModel } from "./nagios.js";
import { ingestMonitoredWorld } from "./support.js";
import { hasNagios4, parseObjects, verifyWithNagios } from "./verify.js";

const { scratch, freshStore: fresh } = scratchStores("assim-nagios-");

const CONTEXT = { at: "2026-03-01T12:00:00.000Z", since: null };

async function render(store: GraphStore): Promise<{ files: RenderedFiles; warnings: string[] }> {
  const warnings: string[] = [];
  const records = await readRecords(store);
  const files = await nagiosExporter.render(
    records,
    { added: [], changed: [], removed: [] },
    {
      ...CONTEXT,
      warn: (m) => warnings.push(m),
    },
  );
  return { files, warnings };
}

let written = 0;
function writeOut(files: RenderedFiles): string {
  const dir = join(scratch, `written-${++written}`);
  mkdirSync(join(dir, "nagios"), { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    writeFileSync(join(dir, "nagios", path), String(content));
  }
  return dir;
}

const objectsOf = (files: RenderedFiles, type: string) =>
  Object.values(files)
    .flatMap((text) => parseObjects(String(text)))
    .filter((o) => o.type === type)
    .map((o) => Object.fromEntries(o.directives));

describe("nagios format on the fixture world", () => {
  it("hosts with parents and addresses, services from monitors, commands, groups, dependencies", async () => {
    const store = await fresh();
    await ingestMonitoredWorld(store);
    const { files, warnings } = await render(store);
    expect(warnings).toEqual([]);
    expect(Object.keys(files).sort()).toEqual([
      "commands.cfg",
      "contacts.cfg",
      "dependencies.cfg",
      "hostgroups.cfg",
      "hosts.cfg",
      "services.cfg",
      "templates.cfg",
    ]);
    const hosts = objectsOf(files, "host").filter((h) => h.register !== "0");
    expect(hosts.map((h) => [h.host_name, h.address, h.parents ?? null])).toEqual([
      ["web1", "10.0.0.10", "sw1.example.net"],
      ["db1", "10.0.0.20", null],
      ["ldap1", expect.any(String), null],
      ["sw1.example.net", "10.0.0.2", null],
    ]);
    expect(hosts[0]).toMatchObject({ use: "assim-host", alias: "web1.example.net" });

    const services = objectsOf(files, "service").filter((s) => s.register !== "0");
    const summary = services.map(
      (s) => `${s.host_name} ${s.service_description} ${s.use} ${s.check_command}`,
    );
    expect(summary).toEqual(
      expect.arrayContaining([
        "web1 nginx assim-service assim_check_tcp!-H!$HOSTADDRESS$!-p!80",
        "web1 gunicorn assim-passive-service assim_passive",
        "web1 redis assim-passive-service assim_passive",
        "db1 postgresql-tcp assim-service assim_check_pgsql!-H!$HOSTADDRESS$!-P!5432",
        "ldap1 slapd assim-passive-service assim_passive",
      ]),
    );
    // Every host and switch has the status service; ldap1's unmonitored redis has none.
    for (const host of ["web1", "db1", "ldap1", "sw1.example.net"]) {
      expect(summary).toContain(`${host} assim-status assim-passive-service assim_passive`);
    }
    expect(services).toHaveLength(9);

    expect(
      objectsOf(files, "command")
        .filter((c) => /^assim_check_/.test(c.command_name ?? ""))
        .map((c) => `${c.command_name} ${c.command_line}`),
    ).toEqual([
      "assim_check_host_alive $USER1$/check_ping -H $HOSTADDRESS$ -w 3000.0,80% -c 5000.0,100% -p 5",
      "assim_check_pgsql $USER1$/check_pgsql $ARG1$ $ARG2$ $ARG3$ $ARG4$",
      "assim_check_tcp $USER1$/check_tcp $ARG1$ $ARG2$ $ARG3$ $ARG4$",
    ]);

    expect(
      objectsOf(files, "servicedependency").map(
        (d) =>
          `${d.dependent_host_name}/${d.dependent_service_description} -> ${d.host_name}/${d.service_description}`,
      ),
    ).toEqual(
      expect.arrayContaining([
        "web1/nginx -> web1/gunicorn",
        "web1/gunicorn -> db1/postgresql-tcp",
        "web1/gunicorn -> web1/redis",
        "db1/postgresql-tcp -> ldap1/slapd",
      ]),
    );
    expect(objectsOf(files, "servicedependency")).toHaveLength(4);

    const defined = objectsOf(files, "hostgroup").map((g) => g.hostgroup_name);
    const groupsOf = Object.fromEntries(hosts.map((h) => [h.host_name, h.hostgroups ?? null]));
    expect(groupsOf).toEqual({
      web1: "assim-os-debian,assim-role-gunicorn,assim-role-nginx,assim-role-redis,assim-switch-sw1_example_net",
      db1: "assim-os-debian,assim-role-postgresql-tcp",
      ldap1: expect.stringMatching(/^assim-os-[a-z0-9_-]+,assim-role-slapd$/),
      "sw1.example.net": "assim-switches",
    });
    const used = new Set(
      Object.values(groupsOf).flatMap((g) => (typeof g === "string" ? g.split(",") : [])),
    );
    expect(new Set(defined)).toEqual(used);
  });

  it("the same graph gives the same bytes", async () => {
    const store = await fresh();
    await ingestMonitoredWorld(store);
    expect((await render(store)).files).toEqual((await render(store)).files);
  });

  it("works without monitors or switches: hosts and their status services only", async () => {
    const store = await fresh();
    await ingestFixtureWorld(store);
    const model = nagiosModel(await readRecords(store), () => {});
    expect(model.hosts.map((h) => h.name)).toEqual(["web1", "db1", "ldap1"]);
    expect(model.services.map((s) => s.description)).toEqual([
      "assim-status",
      "assim-status",
      "assim-status",
    ]);
    expect(model.dependencies).toEqual([]);
    expect(model.commands).toEqual([]);
  });

  it.skipIf(!hasNagios4())("passes nagios4 -v with no warning and no error", async () => {
    for (const ingest of [ingestMonitoredWorld, ingestFixtureWorld]) {
      const store = await fresh();
      await ingest(store);
      const out = writeOut((await render(store)).files);
      const result = verifyWithNagios(join(out, "nagios"));
      expect(result.output).toContain("Total Warnings: 0");
      expect(result.output).toContain("Total Errors:   0");
      expect([result.warnings, result.errors, result.status]).toEqual([0, 0, 0]);
    }
  });
});

if (!hasNagios4()) {
  console.warn(
    "nagios format: the nagios4 -v checks are skipped: /usr/sbin/nagios4 is not installed (Debian package nagios4)",
  );
}

it.runIf(process.env.CI === "true" && !hasNagios4())(
  "nagios4 is installed (CI must validate with it, not skip)",
  () => {
    expect.fail("/usr/sbin/nagios4 is missing under CI=true: install the Debian package nagios4");
  },
);
