import { describe, expect, it } from "vitest";
import {
  AT,
  copy,
  ingestFixtureWorld,
  MACHINE,
  processKeyOf,
  SYSTEM,
  switchDocument,
} from "../../cma/graph/contract/support.js";
import type { GraphStore } from "../../cma/graph/store.js";
import { ingestDocument } from "../../cma/ingest/ingest.js";
import { scratchStores } from "../../test/support/scratch-stores.js";
import { type ExportRecord, readRecords } from "../records.js";
import { buildInventory } from "./inventory.js";

const { freshStore: fresh } = scratchStores("assim-ansible-inventory-");

/** The fixture world with web1's eth0 heard on sw1; nginx monitored, web1's redis nomon. */
async function world(): Promise<{ store: GraphStore; records: ExportRecord[] }> {
  const store = await fresh();
  await ingestFixtureWorld(store);
  await ingestDocument(store, copy(switchDocument(), AT));
  const snapshot = await store.snapshot();
  await store.write((tx) =>
    tx.replaceMonitors(
      SYSTEM.web1,
      [
        {
          key: "monitor:n:http",
          process: processKeyOf(snapshot, SYSTEM.web1, "nginx"),
          props: { rule: "nginx", class: "ocf", provider: "heartbeat", type: "nginx" },
        },
        {
          key: "monitor:g:tcp",
          process: processKeyOf(snapshot, SYSTEM.web1, "python3.11"),
          props: { rule: "generic-tcp", class: "nagios", type: "check_tcp" },
        },
        {
          key: "monitor:r:skip",
          process: processKeyOf(snapshot, SYSTEM.web1, "redis-server"),
          props: { rule: "skip", class: "nomon" },
        },
      ],
      AT,
    ),
  );
  return { store, records: await readRecords(store) };
}

describe("the Ansible inventory of the fixture world", () => {
  it("groups hosts by role, OS, switch, subnet, status and unmonitored", async () => {
    const { records } = await world();
    const inventory = buildInventory(records);
    expect(inventory.warnings).toEqual([]);
    expect(inventory.groups).toEqual({
      cache: ["ldap1", "web1"],
      database: ["db1"],
      ldap: ["ldap1"],
      os_debian: ["db1", "ldap1", "web1"],
      os_debian_12: ["db1", "ldap1", "web1"],
      status_up: ["db1", "ldap1", "web1"],
      subnet_10_0_0_0_24: ["db1", "ldap1", "web1"],
      subnet_172_17_0_0_16: ["web1"],
      subnet_2001_db8_64: ["db1", "web1"],
      switch_sw1: ["web1"],
      // web1's services are all monitored or nomon; db1's postgres and ldap1's are not.
      unmonitored: ["db1", "ldap1"],
      web: ["web1"],
    });
    for (const group of Object.keys(inventory.groups)) {
      expect(group).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
    }
    expect(Object.keys(inventory.hostvars)).toEqual(["db1", "ldap1", "web1"]);
  });

  it("gives each host ansible_host and its discovered facts under assim_*", async () => {
    const { records } = await world();
    const { hostvars } = buildInventory(records);
    expect(hostvars.web1).toMatchObject({
      ansible_host: "10.0.0.10",
      assim_machine_id: MACHINE.web1,
      assim_hostname: "web1",
      assim_fqdn: "web1.example.net",
      assim_status: "up",
      assim_os: { id: "debian", version: "12", codename: "bookworm", kernel: "Linux" },
      assim_cpu: { model: "AMD EPYC 7543 32-Core Processor", cores: 4, threads: 4 },
      assim_roles: ["cache", "web"],
    });
    expect(hostvars.web1?.assim_nics).toContainEqual({
      name: "eth0",
      mac: "0c:c4:7a:00:00:10",
      mtu: 1500,
      speed: 10000,
      addresses: ["10.0.0.10/24", "2001:db8::10/64"],
      switch: "sw1.example.net",
      switch_port: "Gi1/0/1",
    });
    expect(hostvars.web1?.assim_services).toContainEqual({
      name: "nginx",
      exe: "/usr/sbin/nginx",
      user: "www-data",
      ports: ["tcp/80", "tcp/443"],
      listen: ["tcp/0.0.0.0:80", "tcp/[::]:443"],
      role: "web",
      monitored: true,
      nomon: false,
      monitor: { rule: "nginx", class: "ocf", type: "nginx", state: "pending" },
    });
    expect(hostvars.web1?.assim_services).toContainEqual(
      expect.objectContaining({ name: "redis-server", role: "cache", nomon: true }),
    );
    expect(hostvars.web1?.assim_dependencies).toEqual({
      uses: expect.arrayContaining([
        { host: "db1", service: "postgres", proto: "tcp", port: 5432 },
        { host: "web1", service: "redis-server", proto: "tcp", port: 6379 },
      ]),
      used_by: expect.arrayContaining([
        { host: "web1", process: "nginx", proto: "tcp", port: 8000 },
      ]),
    });
    expect(hostvars.db1?.assim_dependencies).toEqual({
      uses: [{ host: "ldap1", service: "slapd", proto: "tcp", port: 389 }],
      used_by: [{ host: "web1", process: "python3.11", proto: "tcp", port: 5432 }],
    });
    // What the graph does not know is null, not missing.
    expect(hostvars.ldap1).toMatchObject({ assim_fqdn: null, assim_cpu: { model: null } });
  });

  it("derives a role from the monitor rule before the executable, and from the port last", () => {
    const host = {
      id: "host:x",
      kind: "host" as const,
      fields: { machine_id: "x", hostname: "x" },
    };
    const service = (n: number, fields: Record<string, unknown>): ExportRecord => ({
      id: `service:x:${n}`,
      kind: "service",
      fields: { host: "host:x", monitored: true, nomon: false, monitor: null, ...fields } as never,
    });
    const { hostvars } = buildInventory([
      host,
      service(1, {
        exe: "/usr/bin/java",
        listen: ["tcp/0.0.0.0:7687"],
        monitor: { rule: "neo4j" },
      }),
      service(2, { exe: "/usr/sbin/php-fpm8.2", listen: ["tcp/127.0.0.1:9000"] }),
      service(3, { exe: "/opt/x/weird", listen: ["udp/0.0.0.0:53", "tcp/0.0.0.0:80"] }),
      service(4, { exe: null, name: null, listen: ["tcp/[::]:22"] }),
      service(5, { exe: "/usr/sbin/chronyd", listen: ["udp/127.0.0.1:323"] }),
    ]);
    expect(hostvars.x?.assim_roles).toEqual(["dns", "database", "ntp", "ssh"].sort());
  });
});

describe("host names", () => {
  const host = (machine: string, hostname: string | null, name = "n"): ExportRecord => ({
    id: `host:${machine}`,
    kind: "host",
    fields: { machine_id: machine, hostname, name, status: "up", nics: {} },
  });

  it("keeps a safe unique hostname, and suffixes duplicates and unsafe ones with the machine id", () => {
    const { hostvars, groups } = buildInventory([
      host("a1".repeat(16), "web1"),
      host("b2".repeat(16), "dup"),
      host("c3".repeat(16), "DUP"),
      host("d4".repeat(16), "web[1:3]"),
      host("e5".repeat(16), "evil;\nrm -rf /"),
      host("f6".repeat(16), "{{ lookup('pipe', 'id') }}"),
      host("07".repeat(16), "localhost"),
      host("18".repeat(16), "status_up"),
      host("29".repeat(16), null, "$$$"),
    ]);
    expect(Object.keys(hostvars).sort()).toEqual(
      [
        "web1",
        "dup-b2b2b2b2",
        "DUP-c3c3c3c3",
        "web-1-3-d4d4d4d4",
        "evil-rm-rf-e5e5e5e5",
        "lookup-pipe-id-f6f6f6f6",
        "localhost-07070707",
        "status_up-18181818",
        "host-29292929292929292929292929292929",
      ].sort(),
    );
    for (const name of Object.keys(hostvars)) {
      expect(name).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);
      expect(Object.keys(groups)).not.toContain(name);
    }
    // The real hostname stays a host var.
    expect(hostvars["evil-rm-rf-e5e5e5e5"]?.assim_hostname).toBe("evil;\nrm -rf /");
    expect(hostvars["host-29292929292929292929292929292929"]?.assim_hostname).toBe("$$$");
  });
});

describe("ansible_host and subnets", () => {
  const host = (machine: string, nics: Record<string, unknown>): ExportRecord => ({
    id: `host:${machine}`,
    kind: "host",
    fields: { machine_id: machine, hostname: machine, status: "down", nics: nics as never },
  });
  const nic = (ips: string[], defaultGw = false) => ({ ips, default_gw: defaultGw });

  it("takes the default gateway's IPv4 first, else any IPv4, else IPv6; none without a routable address", () => {
    const { hostvars, groups } = buildInventory([
      host("a", { eth0: nic(["192.0.2.5/24"]), eth1: nic(["198.51.100.7/25"], true) }),
      host("b", { eth0: nic(["fe80::1/64", "2001:db8:1::5/64"]), lo: nic(["127.0.0.1/8"]) }),
      host("c", { lo: nic(["127.0.0.1/8", "::1/128"]), eth0: nic(["169.254.1.1/16", "junk"]) }),
    ]);
    expect(hostvars.a?.ansible_host).toBe("198.51.100.7");
    expect(hostvars.b?.ansible_host).toBe("2001:db8:1::5");
    expect(hostvars.c).not.toHaveProperty("ansible_host");
    expect(groups).toEqual({
      status_down: ["a", "b", "c"],
      subnet_192_0_2_0_24: ["a"],
      subnet_198_51_100_0_25: ["a"],
      subnet_2001_db8_1_64: ["b"],
    });
  });
});
