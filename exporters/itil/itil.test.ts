/**
 * The itil and glpi formats on the fixture world (web1 heard on sw1): the IRE
 * payload against our schema (schemas/servicenow-ire.schema.json), every GLPI
 * document against GLPI's own inventory schema, the counts and classes the
 * records call for, the CSV files, and the change records of a second export.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  copy,
  fixtureDocument,
  ingestFixtureWorld,
  LATER,
  MACHINE,
  SYSTEM,
  switchDocument,
} from "../../cma/graph/contract/support.js";
import { ingestDocument } from "../../cma/ingest/ingest.js";
import {
  checkGlpi,
  checkIre,
  exportWorld,
  glpiExample,
  glpiValidator,
  ireExample,
  ireValidator,
  useStores,
} from "../../test/support/itil.js";
import { defaultExporters } from "../formats.js";
import { readRecords } from "../records.js";
import { runExport } from "../run.js";
import { parseCsv } from "./csv-read.js";
import { glpiExporter, itilExporter } from "./itil.js";
import type { IrePayload } from "./servicenow.js";

const fresh = useStores("assim-itil-export-");
const read = (path: string) => readFileSync(path, "utf8");
const count = <T>(list: readonly T[], key: (t: T) => string) => {
  const counts: Record<string, number> = {};
  for (const item of list) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
};

describe("the itil and glpi formats", () => {
  it("are registered", () => {
    expect(defaultExporters().names()).toEqual(expect.arrayContaining(["itil", "glpi"]));
  });

  it("write an IRE payload that follows our schema, with the CIs and relations the records hold", async () => {
    const { out, records, summary } = await exportWorld(await fresh(), false);
    expect(summary.warnings).toEqual([]);
    const payload = JSON.parse(read(join(out, "itil", "servicenow.json"))) as IrePayload;
    checkIre(payload);
    expect(count(payload.items, (i) => i.className)).toEqual({
      cmdb_ci_linux_server: 3,
      cmdb_ci_network_adapter: 4, // web1 eth0 and docker0, db1 eth0, ldap1 eth0 (no loopback)
      cmdb_ci_ip_address: 6,
      cmdb_ci_appl: records.filter((r) => r.kind === "service").length,
      cmdb_ci_ip_switch: 1,
    });
    const relation = (r: IrePayload["relations"][number]) =>
      `${payload.items[r.parent]?.className} ${r.type} ${payload.items[r.child]?.className}`;
    expect(count(payload.relations, relation)).toEqual({
      "cmdb_ci_appl Runs on::Runs cmdb_ci_linux_server": 6,
      "cmdb_ci_appl Depends on::Used by cmdb_ci_appl": 4,
      "cmdb_ci_linux_server Owns::Owned by cmdb_ci_network_adapter": 4,
      "cmdb_ci_network_adapter Owns::Owned by cmdb_ci_ip_address": 6,
      "cmdb_ci_linux_server IP Connection::IP Connection cmdb_ci_ip_switch": 1,
    });
    const byId = new Map(payload.items.map((i) => [i.internal_id, i]));
    expect(byId.get(SYSTEM.web1)?.values).toMatchObject({
      name: "web1",
      fqdn: "web1.example.net",
      correlation_id: MACHINE.web1,
      os: "Debian GNU/Linux 12 (bookworm)",
      os_version: "12",
      cpu_count: "1",
      cpu_core_count: "4",
      ram: "8192",
      ip_address: "10.0.0.10",
      mac_address: "0c:c4:7a:00:00:10",
      is_virtual: "true",
    });
    expect(byId.get(`nic:${SYSTEM.web1}/eth0`)?.values).toEqual({
      name: "eth0",
      mac_address: "0c:c4:7a:00:00:10",
      ip_address: "10.0.0.10",
      netmask: "255.255.255.0",
    });
    expect(byId.get(`ip:${SYSTEM.web1}/eth0/2001:db8::10`)?.values).toEqual({
      name: "2001:db8::10",
      ip_address: "2001:db8::10",
      netmask: "64",
      ip_version: "6",
    });
    const nginx = payload.items.find((i) => i.values.name?.startsWith("nginx@web1"));
    expect(nginx?.values).toMatchObject({ name: "nginx@web1:80,443", tcp_port: "80,443" });
    expect(byId.get("switch:00:1b:2c:3d:4e:5f")?.values).toMatchObject({
      name: "sw1.example.net",
      ip_address: "10.0.0.2",
      mac_address: "00:1b:2c:3d:4e:5f",
    });
    expect(byId.get(SYSTEM.db1)?.related).toContainEqual({
      className: "cmdb_ci_spkg",
      values: expect.objectContaining({ name: "postgresql-15" }),
    });
    // Each NIC and IP names its owner for the IRE's dependent identification.
    expect(payload.referenceItems).toContainEqual({
      referenced: SYSTEM.web1,
      referencedBy: `nic:${SYSTEM.web1}/eth0`,
      referenceField: "cmdb_ci",
    });
  });

  it("keeps our schema honest: ServiceNow's documented example passes, broken payloads fail", () => {
    const validate = ireValidator();
    const example = ireExample();
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    const item = { className: "cmdb_ci_appl", values: { name: "x" } };
    for (const broken of [
      { items: [{ ...item, className: "Bad Class" }], relations: [] },
      { items: [{ ...item, values: { tcp_port: 443 } }], relations: [] },
      { items: [item], relations: [{ parent: 0, child: 0, type: "Runs on" }] },
      { items: [item], relations: [{ parent: "0", child: 0, type: "Runs on::Runs" }] },
      { items: [{ ...item, extra: true }], relations: [] },
      { items: [item] },
    ]) {
      expect(validate(broken), JSON.stringify(broken)).toBe(false);
    }
  });

  it("writes CSV per class: a header, then one row per item of the class", async () => {
    const { out } = await exportWorld(await fresh(), false);
    const payload = JSON.parse(read(join(out, "itil", "servicenow.json"))) as IrePayload;
    const files = readdirSync(join(out, "itil", "csv")).sort();
    expect(files).toEqual([
      "changes.csv",
      "cmdb_ci_appl.csv",
      "cmdb_ci_ip_address.csv",
      "cmdb_ci_ip_switch.csv",
      "cmdb_ci_linux_server.csv",
      "cmdb_ci_network_adapter.csv",
      "cmdb_ci_spkg.csv",
      "relations.csv",
    ]);
    for (const className of new Set(payload.items.map((i) => i.className))) {
      const [header, ...rows] = parseCsv(read(join(out, "itil", "csv", `${className}.csv`)));
      const items = payload.items.filter((i) => i.className === className);
      expect(header?.[0]).toBe("internal_id");
      expect(rows.map((r) => r[0])).toEqual(items.map((i) => i.internal_id));
      for (const [n, row] of rows.entries()) {
        const values = Object.fromEntries(
          (header ?? []).slice(1).flatMap((c, k) => (row[k + 1] === "" ? [] : [[c, row[k + 1]]])),
        );
        expect(values).toEqual(items[n]?.values);
      }
    }
    // A host's packages: related software entries, in CSV by their host's id.
    const [spkgHeader, ...spkg] = parseCsv(read(join(out, "itil", "csv", "cmdb_ci_spkg.csv")));
    expect(spkgHeader).toEqual(["parent_id", "arch", "manager", "name", "version"]);
    expect(spkg).toHaveLength(10);
    expect(spkg).toContainEqual([SYSTEM.web1, "amd64", "dpkg", "nginx", "1.22.1-9"]);
    const relations = parseCsv(read(join(out, "itil", "csv", "relations.csv")));
    expect(relations[0]).toEqual(["parent_id", "parent_class", "type", "child_id", "child_class"]);
    expect(relations).toHaveLength(payload.relations.length + 1);
  });

  it("writes one GLPI document per host and per switch, each valid against GLPI's schema", async () => {
    const { out, records } = await exportWorld(await fresh(), false);
    const dir = join(out, "glpi");
    expect(readdirSync(dir).sort()).toEqual(["db1.json", "ldap1.json", "switches", "web1.json"]);
    expect(readdirSync(join(dir, "switches"))).toEqual(["sw1.example.net.json"]);
    for (const name of ["db1", "ldap1", "web1"])
      checkGlpi(JSON.parse(read(join(dir, `${name}.json`))));
    const web1 = JSON.parse(read(join(dir, "web1.json")));
    expect(web1).toMatchObject({
      deviceid: `assim-${MACHINE.web1}`,
      itemtype: "Computer",
      content: {
        hardware: { name: "web1", memory: 8192, vmsystem: "kvm" },
        operatingsystem: { name: "debian", version: "12", fqdn: "web1.example.net" },
        cpus: [{ name: "AMD EPYC 7543 32-Core Processor", core: 4, thread: 1, arch: "x86_64" }],
      },
    });
    expect(web1.content.operatingsystem.boot_time).toBe("2026-02-27 08:00:00");
    expect(web1.content.networks).toContainEqual(
      expect.objectContaining({
        description: "eth0",
        mac: "0c:c4:7a:00:00:10",
        ipaddress: "10.0.0.10",
        ipmask: "255.255.255.0",
        ipsubnet: "10.0.0.0",
      }),
    );
    expect(web1.content.networks).toContainEqual(
      expect.objectContaining({ description: "eth0", ipaddress6: "2001:db8::10" }),
    );
    const packages = records.filter((r) => r.kind === "package" && r.fields.host === SYSTEM.web1);
    expect(web1.content.softwares.map((s: { name: string }) => s.name).sort()).toEqual(
      packages.map((p) => p.fields.name).sort(),
    );
    expect(web1.content.softwares).toContainEqual({
      name: "nginx",
      version: "1.22.1-9",
      arch: "amd64",
      from: "dpkg",
    });
    const sw = JSON.parse(read(join(dir, "switches", "sw1.example.net.json")));
    checkGlpi(sw);
    expect(sw).toMatchObject({
      itemtype: "NetworkEquipment",
      content: {
        network_device: { type: "Networking", name: "sw1.example.net", ips: ["10.0.0.2"] },
        network_ports: [
          {
            ifname: "Gi1/0/1",
            lldp: true,
            connections: [{ sysname: "web1", ifdescr: "eth0", ip: "10.0.0.10" }],
          },
        ],
      },
    });
  });

  it("keeps the GLPI validator honest: GLPI's example passes, broken documents fail", () => {
    const validate = glpiValidator();
    const example = glpiExample();
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    const base = { deviceid: "d", content: { versionclient: "v" } };
    for (const broken of [
      { content: { versionclient: "v" } },
      { ...base, extra: 1 },
      {
        ...base,
        content: { versionclient: "v", networks: [{ description: "e", ipaddress: "x" }] },
      },
      { ...base, itemtype: "Toaster" },
    ]) {
      expect(validate(broken), JSON.stringify(broken)).toBe(false);
    }
  });

  it("turns the next export's change set into change records (INSERT, UPDATE, DELETE)", async () => {
    const { store, out } = await fresh();
    await ingestFixtureWorld(store);
    await ingestDocument(store, copy(switchDocument(), LATER));
    const formats = [itilExporter, glpiExporter];
    await runExport({ store, outDir: out, formats, now: () => new Date(LATER) });
    const first = JSON.parse(read(join(out, "itil", "changes.json")));
    const records = await readRecords(store);
    expect(first.since).toBeNull();
    expect(first.changes).toHaveLength(records.length);
    expect(new Set(first.changes.map((c: { operation: string }) => c.operation))).toEqual(
      new Set(["INSERT"]),
    );

    const net = copy(fixtureDocument("db1", "netconfig"), "2026-03-01T12:00:00.000Z");
    const nics = net.data as Record<string, { mtu: number }>;
    (nics.eth0 as { mtu: number }).mtu = 9000;
    (nics.lo as { mtu: number }).mtu = 16384;
    await ingestDocument(store, net);
    const tcp = copy(fixtureDocument("web1", "tcpdiscovery"), "2026-03-01T12:00:00.000Z");
    delete (tcp.data as Record<string, unknown>)["redis-server:2a3b4c5d6e7f"];
    await ingestDocument(store, tcp);
    const at = "2026-03-01T13:00:00.000Z";
    await runExport({ store, outDir: out, formats, now: () => new Date(at) });
    const second = JSON.parse(read(join(out, "itil", "changes.json")));
    expect(second).toMatchObject({ since: LATER, at });
    expect(second.changes).toContainEqual({
      operation: "UPDATE",
      className: "cmdb_ci_network_adapter",
      ci: `nic:${SYSTEM.db1}/eth0`,
      name: "eth0@db1",
      record: SYSTEM.db1,
      field: "mtu",
      old: "1500",
      new: "9000",
      detected_after: LATER,
      detected_by: at,
    });
    // A loopback interface is no CI: its change is the host's.
    expect(second.changes).toContainEqual(
      expect.objectContaining({
        operation: "UPDATE",
        className: "cmdb_ci_linux_server",
        ci: SYSTEM.db1,
        field: "nics/lo/mtu",
      }),
    );
    const deleted = second.changes.filter((c: { operation: string }) => c.operation === "DELETE");
    expect(deleted.map((c: { className: string }) => c.className).sort()).toEqual([
      "cmdb_ci_appl",
      "cmdb_rel_ci",
    ]);
    expect(deleted.find((c: { className: string }) => c.className === "cmdb_ci_appl")?.name).toBe(
      "redis-server",
    );
    const csv = parseCsv(read(join(out, "itil", "csv", "changes.csv")));
    expect(csv).toHaveLength(second.changes.length + 1);
  });
});
