/**
 * A hostile host end to end through the itil and glpi formats: the fixture
 * world plus the host of test/support/ansible.ts (newlines, `;`, `}`, `$`,
 * `{{`, a leading `=` or `-` in its hostname, OS, CPU, NIC, process, argv and
 * LLDP neighbour), packages whose names and versions start with `+` or `-`,
 * and a host whose name, OS version and CPU start with `@`, CR and tab. Both schemas still pass, the JSON values come back
 * exactly, every CSV cell reads back to its value (with the `'` guard where
 * one is due) and no CSV row is added or lost.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AT, copy, fixtureDocument, ingestAll } from "../../cma/graph/contract/support.js";
import { ingestDocument } from "../../cma/ingest/ingest.js";
import { HOSTILE, HOSTILE_MACHINE } from "../../test/support/ansible.js";
import { checkGlpi, checkIre, exportWorld, useStores } from "../../test/support/itil.js";
import { guardFormula } from "./csv.js";
import { parseCsv, unguard } from "./csv-read.js";
import type { IrePayload } from "./servicenow.js";

const fresh = useStores("assim-itil-hostile-");
const read = (path: string) => readFileSync(path, "utf8");

/**
 * Package names and versions with a leading + or -: the most of a formula the
 * packages schema lets through (it refuses `=`, `@`, spaces and controls).
 */
const PACKAGES = [
  { name: "+cmd", version: "-1+2" },
  { name: "+-cmd", version: "+1:2~3" },
];

/** A second host whose name, OS version and CPU start with the other formula characters. */
const FORMULA_MACHINE = "f6".repeat(16);
const FORMULA = {
  hostname: "@SUM(1+1)*cmd|' /C calc'!A0",
  osVersion: "\r=1+1",
  cpuModel: "\t=2+2",
};

type Data = Record<string, unknown>;

async function hostileWorld() {
  const scratch = await fresh();
  const packages = copy(fixtureDocument("web1", "packages"), AT);
  packages.machine_id = HOSTILE_MACHINE;
  packages.host = HOSTILE.envelopeHost;
  packages.data = {
    managers: ["dpkg"],
    packages: Object.fromEntries(
      PACKAGES.map((p) => [
        p.name,
        { ...p, arch: "amd64", source: null, source_version: null, manager: "dpkg" },
      ]),
    ),
  };
  await ingestDocument(scratch.store, packages);
  const formula = (type: string) => {
    const doc = copy(fixtureDocument("ldap1", type), AT);
    doc.machine_id = FORMULA_MACHINE;
    doc.host = FORMULA.hostname;
    return doc;
  };
  const os = formula("os");
  Object.assign(os.data as Data, { hostname: FORMULA.hostname, machine_id: FORMULA_MACHINE });
  Object.assign((os.data as Data).os_release as Data, { VERSION_ID: FORMULA.osVersion });
  const cpu = copy(fixtureDocument("web1", "cpu"), AT);
  cpu.machine_id = FORMULA_MACHINE;
  cpu.host = FORMULA.hostname;
  (cpu.data as Data).model_name = FORMULA.cpuModel;
  await ingestAll(scratch.store, [os, cpu]);
  return exportWorld(scratch, true);
}

describe("hostile values in the itil and glpi formats", () => {
  it("cannot bring a formula in through a package: ingest refuses the document", async () => {
    const { store } = await fresh();
    const packages = copy(fixtureDocument("web1", "packages"), AT);
    const nginx = (packages.data as { packages: Record<string, Data> }).packages.nginx as Data;
    nginx.name = '=HYPERLINK("http://x","click")';
    await expect(ingestDocument(store, packages)).rejects.toThrow(/must match pattern/);
  });

  it("stay data: both schemas pass and every value comes back exactly", async () => {
    const { out, summary } = await hostileWorld();
    expect(summary.warnings).toEqual([]);
    const payload = JSON.parse(read(join(out, "itil", "servicenow.json"))) as IrePayload;
    checkIre(payload);
    const host = payload.items.find((i) => i.internal_id === `host:${HOSTILE_MACHINE}`);
    expect(host?.values).toMatchObject({
      name: HOSTILE.hostname,
      host_name: HOSTILE.hostname,
      os_version: HOSTILE.osVersion,
      cpu_type: HOSTILE.cpuModel,
    });
    expect(host?.related?.map((r) => [r.values.name, r.values.version]).sort()).toEqual(
      PACKAGES.map((p) => [p.name, p.version]).sort(),
    );
    const nic = payload.items.find(
      (i) => i.internal_id === `nic:host:${HOSTILE_MACHINE}/${HOSTILE.nic}`,
    );
    expect(nic?.values.name).toBe(HOSTILE.nic);
    const sw = payload.items.find((i) => i.internal_id === `switch:${HOSTILE.chassisId}`);
    expect(sw?.values.name).toBe(HOSTILE.switchName);
    const app = payload.items.find(
      (i) => i.className === "cmdb_ci_appl" && i.values.running_process_command === HOSTILE.exe,
    );
    expect(app?.values.running_process_key_parameters).toBe(HOSTILE.argv.join(" "));
    // Relation types are ours, never built from a value.
    expect(new Set(payload.relations.map((r) => r.type))).toEqual(
      new Set([
        "Owns::Owned by",
        "Runs on::Runs",
        "Depends on::Used by",
        "IP Connection::IP Connection",
      ]),
    );
    // The hostile host is wired to the hostile switch.
    expect(payload.relations).toContainEqual({
      parent: payload.items.indexOf(host as IrePayload["items"][number]),
      child: payload.items.indexOf(sw as IrePayload["items"][number]),
      type: "IP Connection::IP Connection",
    });

    const glpi = join(out, "glpi");
    const files = [
      ...readdirSync(glpi).filter((f) => f.endsWith(".json")),
      ...readdirSync(join(glpi, "switches")).map((f) => `switches/${f}`),
    ];
    expect(files).toHaveLength(7);
    for (const file of files) {
      expect(file).toMatch(/^(switches\/)?[A-Za-z0-9_-][A-Za-z0-9._-]*\.json$/);
      checkGlpi(JSON.parse(read(join(glpi, file))));
    }
    const documents = files.map((f) => JSON.parse(read(join(glpi, f))));
    const computer = documents.find((d) => d.deviceid === `assim-${HOSTILE_MACHINE}`);
    expect(computer.content.hardware.name).toBe(HOSTILE.hostname);
    expect(computer.content.operatingsystem.version).toBe(HOSTILE.osVersion);
    expect(computer.content.networks[0].description).toBe(HOSTILE.nic);
    expect(computer.content.softwares.map((s: { name: string }) => s.name).sort()).toEqual(
      PACKAGES.map((p) => p.name).sort(),
    );
    const equipment = documents.find(
      (d) =>
        d.itemtype === "NetworkEquipment" && d.content.network_device.name === HOSTILE.switchName,
    );
    expect(equipment.content.network_ports[0]).toMatchObject({
      ifname: HOSTILE.portId,
      ifdescr: HOSTILE.portDescription,
      connections: [{ sysname: HOSTILE.hostname, ifdescr: HOSTILE.nic }],
    });
  });

  it("writes CSV whose cells read back to the values, guarded against formulas, row for row", async () => {
    const { out } = await hostileWorld();
    const payload = JSON.parse(read(join(out, "itil", "servicenow.json"))) as IrePayload;
    const csv = (name: string) => parseCsv(read(join(out, "itil", "csv", name)));
    const expectRows = (
      name: string,
      columns: string[],
      rows: Record<string, string | null | undefined>[],
    ) => {
      const [header, ...cells] = csv(name);
      expect(header).toEqual(columns);
      expect(cells).toHaveLength(rows.length);
      for (const [n, row] of rows.entries()) {
        const want = columns.map((c) => row[c] ?? "");
        expect(cells[n]).toEqual(want.map(guardFormula));
        expect(cells[n]?.map(unguard)).toEqual(want);
      }
    };
    for (const className of new Set(payload.items.map((i) => i.className))) {
      const items = payload.items.filter((i) => i.className === className);
      const fields = [...new Set(items.flatMap((i) => Object.keys(i.values)))].sort();
      expectRows(
        `${className}.csv`,
        ["internal_id", ...fields],
        items.map((i) => ({ internal_id: i.internal_id, ...i.values })),
      );
    }
    const software = payload.items.flatMap((i) =>
      (i.related ?? []).map((r) => ({ parent_id: i.internal_id, ...r.values })),
    );
    expectRows("cmdb_ci_spkg.csv", ["parent_id", "arch", "manager", "name", "version"], software);
    const changes = JSON.parse(read(join(out, "itil", "changes.json"))).changes;
    const [header, ...rows] = csv("changes.csv");
    expect(rows).toHaveLength(changes.length);
    expect(rows.map((r) => r.map(unguard))).toEqual(
      changes.map((c: Record<string, string | null>) => (header ?? []).map((h) => c[h] ?? "")),
    );

    // The cells a spreadsheet would have run: each with its guard, nothing else starts with one.
    const all = readdirSync(join(out, "itil", "csv")).flatMap((f) => csv(f).flat());
    for (const cell of all) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    expect(all).toContain(`'${HOSTILE.switchName}`);
    expect(all).toContain(`'${HOSTILE.argv.join(" ")}`);
    for (const p of PACKAGES) {
      expect(all).toContain(guardFormula(p.name));
      expect(all).toContain(guardFormula(p.version));
    }
    const formulaHost = payload.items.find((i) => i.internal_id === `host:${FORMULA_MACHINE}`);
    expect(formulaHost?.values).toMatchObject({
      name: FORMULA.hostname,
      os_version: FORMULA.osVersion,
      cpu_type: FORMULA.cpuModel,
    });
    for (const value of Object.values(FORMULA)) expect(all).toContain(`'${value}`);
  });
});
