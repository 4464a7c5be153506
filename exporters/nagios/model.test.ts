/** The model on hand-made records: names that collide, a dependency cycle, hosts with no address. */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ExportRecord, FieldObject } from "../records.js";
import { primaryAddress } from "./hosts.js";
import { nagiosExporter, nagiosModel } from "./nagios.js";
import { DEBIAN_NAGIOS_CFG, hasNagios4, verifyInStockConfig, verifyWithNagios } from "./verify.js";

const scratch = mkdtempSync(join(tmpdir(), "assim-nagios-model-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const host = (id: string, name: string, nics: FieldObject = {}): ExportRecord => ({
  id: `host:${id}`,
  kind: "host",
  fields: { name, hostname: name, fqdn: null, os_id: null, nics },
});
const service = (id: string, hostId: string, rule: string, port: number): ExportRecord => ({
  id: `service:${id}`,
  kind: "service",
  fields: {
    host: `host:${hostId}`,
    name: rule,
    monitor: {
      class: "nagios",
      rule,
      type: "check_tcp",
      params: ["H=0.0.0.0", `p=${port}`],
    },
  },
});
const dependency = (client: string, server: string): ExportRecord => ({
  id: `dependency:${client}->${server}`,
  kind: "dependency",
  fields: { client_service: `service:${client}`, server_service: `service:${server}` },
});

const RECORDS: ExportRecord[] = [
  host("1", "app"),
  host("2", "app"),
  host("3", "APP", { eth0: { ips: ["192.0.2.3/24"], default_gw: true } }),
  service("a", "1", "api", 8080),
  service("b", "2", "api", 8080),
  service("c", "3", "api", 8080),
  service("c2", "3", "api", 8081),
  dependency("a", "b"),
  dependency("b", "c"),
  dependency("c", "a"),
  dependency("a", "b"),
  dependency("a", "missing"),
];

describe("nagios model", () => {
  it("makes colliding names unique, breaks a dependency cycle with a warning, falls back to the name as address", () => {
    const warnings: string[] = [];
    const model = nagiosModel(RECORDS, (m) => warnings.push(m));
    const names = model.hosts.map((h) => h.name);
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(3);
    for (const name of names) expect(name).toMatch(/^(app|APP)-[0-9a-f]{8}$/);
    expect(model.hosts.map((h) => h.address)).toEqual([names[0], names[1], "192.0.2.3"]);
    // Two services of the same rule on one host: both suffixed.
    const onThree = model.services.filter((s) => s.host === names[2]).map((s) => s.description);
    expect(onThree).toHaveLength(3);
    expect(new Set(onThree).size).toBe(3);
    expect(model.dependencies).toHaveLength(2);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/would close a cycle/);
  });

  it("a host called localhost does not clash with the stock Nagios localhost", () => {
    const [only] = nagiosModel([host("9", "localhost")], () => {}).hosts;
    expect(only?.name).toMatch(/^localhost-[0-9a-f]{8}$/);
  });

  it("the primary address skips loopback, link-local and unspecified addresses", () => {
    expect(
      primaryAddress({
        lo: { ips: ["127.0.0.1/8", "::1/128"] },
        docker0: { ips: ["172.17.0.1/16"], virtual: true },
        eth1: { ips: ["fe80::1/64", "2001:db8::5/64"] },
        eth0: { ips: ["169.254.1.1/16", "10.1.2.3/24"] },
      }),
    ).toBe("10.1.2.3");
    expect(primaryAddress({ eth0: { ips: ["2001:db8::5/64"] } })).toBe("2001:db8::5");
    expect(primaryAddress({ eth0: { ips: ["0.0.0.0/0", "fe80::1/64"] } })).toBeNull();
    expect(primaryAddress(null)).toBeNull();
  });

  it.skipIf(!hasNagios4())("what it renders passes nagios4 -v", async () => {
    const dir = join(scratch, "nagios");
    mkdirSync(dir, { recursive: true });
    const files = await nagiosExporter.render(
      RECORDS,
      { added: [], changed: [], removed: [] },
      { at: "2026-03-01T12:00:00.000Z", since: null },
    );
    for (const [path, content] of Object.entries(files))
      writeFileSync(join(dir, path), String(content));
    const result = verifyWithNagios(dir);
    expect([result.warnings, result.errors, result.status], result.output).toEqual([0, 0, 0]);
  });

  it.skipIf(!hasNagios4() || !existsSync(DEBIAN_NAGIOS_CFG))(
    "included in Debian's stock configuration (its localhost, commands, templates) it still passes nagios4 -v",
    async () => {
      const dir = join(scratch, "stock");
      mkdirSync(dir, { recursive: true });
      const files = await nagiosExporter.render(
        [...RECORDS, host("9", "localhost")],
        { added: [], changed: [], removed: [] },
        { at: "2026-03-01T12:00:00.000Z", since: null },
      );
      for (const [path, content] of Object.entries(files))
        writeFileSync(join(dir, path), String(content));
      const result = verifyInStockConfig(dir);
      expect([result.warnings, result.errors, result.status], result.output).toEqual([0, 0, 0]);
      expect(result.output).toMatch(/Checked \d+ hosts/);
    },
  );
});
