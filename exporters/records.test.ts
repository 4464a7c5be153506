import { describe, expect, it } from "vitest";
import {
  AT,
  copy,
  fixtureDocument,
  ingestFixtureWorld,
  LATER,
  MACHINE,
  processKeyOf,
  SYSTEM,
  switchDocument,
} from "../cma/graph/contract/support.js";
import { ingestDocument } from "../cma/ingest/ingest.js";
import { scratchStores } from "../test/support/scratch-stores.js";
import { inCanonicalOrder } from "./canonical-json.js";
import { LiveGraph } from "./graph-view.js";
import { dependencyRecords, serviceRecords } from "./map-services.js";
import { hostRecords, packageRecords, switchRecords } from "./map-systems.js";
import { canonicalJson, type ExportRecord, readRecords } from "./records.js";

const { freshStore: fresh } = scratchStores("assim-records-");

const byId = (records: ExportRecord[], id: string) => {
  const found = records.find((r) => r.id === id);
  if (!found) throw new Error(`no record ${id}`);
  return found;
};
const hash = (processKey: string) => processKey.slice("proc:".length);
const ofKind = (records: ExportRecord[], kind: string) => records.filter((r) => r.kind === kind);

describe("export records from the graph", () => {
  it("maps the fixture world without switches or monitors: hosts, services, dependencies, packages", async () => {
    const store = await fresh();
    await ingestFixtureWorld(store);
    const records = await readRecords(store);
    const snapshot = await store.snapshot();

    expect(records.map((r) => r.id)).toEqual([...records.map((r) => r.id)].sort());
    expect(ofKind(records, "host").map((r) => r.fields.name)).toEqual(["web1", "db1", "ldap1"]);
    expect(ofKind(records, "switch")).toEqual([]);
    expect(
      ofKind(records, "service")
        .map((r) => `${r.fields.host} ${r.fields.name}`)
        .sort(),
    ).toEqual([
      `${SYSTEM.web1} nginx`,
      `${SYSTEM.web1} python3.11`,
      `${SYSTEM.web1} redis-server`,
      `${SYSTEM.db1} postgres`,
      `${SYSTEM.ldap1} redis-server`,
      `${SYSTEM.ldap1} slapd`,
    ]);
    expect(
      ofKind(records, "dependency")
        .map(
          (r) =>
            `${r.fields.client_name} -> ${r.fields.server_name} ${r.fields.proto}/${r.fields.port}`,
        )
        .sort(),
    ).toEqual([
      "nginx -> python3.11 tcp/8000",
      "postgres -> slapd tcp/389",
      "python3.11 -> postgres tcp/5432",
      "python3.11 -> redis-server tcp/6379",
    ]);
    expect(ofKind(records, "package")).toHaveLength(10);

    const web1 = byId(records, `host:${MACHINE.web1}`);
    expect(web1.kind).toBe("host");
    expect(web1.fields).toMatchObject({
      machine_id: MACHINE.web1,
      hostname: "web1",
      status: "up",
      os_id: "debian",
      os_version: "12",
      cpu_model: "AMD EPYC 7543 32-Core Processor",
      cpu_threads: 4,
    });
    expect(web1.fields.nics).toMatchObject({
      eth0: {
        mac: "0c:c4:7a:00:00:10",
        mtu: 1500,
        speed: 10000,
        ips: ["10.0.0.10/24", "2001:db8::10/64"],
        switch: null,
        switch_port: null,
      },
      lo: { ips: ["127.0.0.1/8", "::1/128"] },
      docker0: { kind: "bridge", virtual: true },
    });
    // A host the graph knows less about still has every field, null where unknown.
    expect(byId(records, `host:${MACHINE.ldap1}`).fields).toMatchObject({
      fqdn: null,
      cpu_model: null,
    });

    const nginx = hash(processKeyOf(snapshot, SYSTEM.web1, "nginx"));
    expect(byId(records, `service:${MACHINE.web1}:${nginx}`).fields).toEqual({
      host: SYSTEM.web1,
      name: "nginx",
      exe: "/usr/sbin/nginx",
      argv: ["nginx: worker process"],
      uid: 33,
      user: "www-data",
      unowned: false,
      listen: ["tcp/0.0.0.0:80", "tcp/[::]:443"],
      monitor: null,
      monitored: false,
      nomon: false,
    });

    const gunicorn = hash(processKeyOf(snapshot, SYSTEM.web1, "python3.11"));
    const postgres = hash(processKeyOf(snapshot, SYSTEM.db1, "postgres"));
    const dependency = byId(
      records,
      `dependency:${MACHINE.web1}:${gunicorn}->${MACHINE.db1}:${postgres}:tcp/5432`,
    );
    expect(dependency.fields).toEqual({
      client_host: SYSTEM.web1,
      client_process: gunicorn,
      client_service: `service:${MACHINE.web1}:${gunicorn}`,
      client_name: "python3.11",
      client_exe: "/usr/bin/python3.11",
      server_host: SYSTEM.db1,
      server_service: `service:${MACHINE.db1}:${postgres}`,
      server_name: "postgres",
      server_exe: "/usr/lib/postgresql/15/bin/postgres",
      proto: "tcp",
      port: 5432,
    });

    expect(byId(records, `package:${MACHINE.web1}:dpkg:nginx:amd64`).fields).toEqual({
      host: SYSTEM.web1,
      manager: "dpkg",
      name: "nginx",
      arch: "amd64",
      versions: ["1.22.1-9"],
    });

    // The same graph gives the same bytes.
    expect(canonicalJson(await readRecords(store))).toBe(canonicalJson(records));
  });

  it("puts switches with their ports, and each NIC's switch port, when a switch was heard", async () => {
    const store = await fresh();
    await ingestFixtureWorld(store);
    await ingestDocument(store, copy(switchDocument(), AT));
    const records = await readRecords(store);
    const [sw] = ofKind(records, "switch");
    expect(sw?.id).toBe("switch:00:1b:2c:3d:4e:5f");
    expect(sw?.fields).toMatchObject({
      name: "sw1.example.net",
      chassis_id: "00:1b:2c:3d:4e:5f",
      management_addresses: ["10.0.0.2"],
      status: "up",
      ports: {
        "Gi1/0/1": {
          description: "web1 eth0",
          vlan_id: 10,
          mtu: 1522,
          speed_mbps: 10000,
          duplex: "full",
          wired: [`${SYSTEM.web1}/eth0`],
        },
      },
    });
    expect(byId(records, SYSTEM.web1).fields.nics).toMatchObject({
      eth0: { switch: "switch:00:1b:2c:3d:4e:5f", switch_port: "Gi1/0/1" },
    });
  });

  it("keeps a switch port whose id is __proto__ as a port (LLDP text is untrusted)", async () => {
    const store = await fresh();
    await ingestFixtureWorld(store);
    const document = copy(switchDocument(), AT);
    const text = JSON.stringify(document).replaceAll('"Gi1/0/1"', '"__proto__"');
    await ingestDocument(store, JSON.parse(text));
    const [sw] = ofKind(await readRecords(store), "switch");
    const ports = sw?.fields.ports as Record<string, unknown>;
    expect(Object.getPrototypeOf(ports)).toBe(Object.prototype);
    expect(Object.keys(ports)).toEqual(["__proto__"]);
    expect(canonicalJson(sw)).toContain('"__proto__": {');
  });

  it("builds every record with its keys already in canonical order (written without reordering)", async () => {
    const store = await fresh();
    await ingestFixtureWorld(store);
    await ingestDocument(store, copy(switchDocument(), AT));
    const snapshot = await store.snapshot();
    const nginx = processKeyOf(snapshot, SYSTEM.web1, "nginx");
    await store.write((tx) =>
      tx.replaceMonitors(
        SYSTEM.web1,
        [{ key: "monitor:n:http", process: nginx, props: { rule: "http", class: "nagios" } }],
        AT,
      ),
    );
    const graph = new LiveGraph(await store.liveSnapshot());
    const built = [
      ...hostRecords(graph),
      ...switchRecords(graph),
      ...serviceRecords(graph),
      ...dependencyRecords(graph),
      ...packageRecords(graph),
    ];
    expect(new Set(built.map((r) => r.kind))).toEqual(
      new Set(["host", "switch", "service", "dependency", "package"]),
    );
    for (const record of built) expect(inCanonicalOrder(record), record.id).toBe(record);
  });

  it("gives each service its monitor and state, and nomon for a decision not to monitor", async () => {
    const store = await fresh();
    await ingestFixtureWorld(store);
    const snapshot = await store.snapshot();
    const nginx = processKeyOf(snapshot, SYSTEM.web1, "nginx");
    const redis = processKeyOf(snapshot, SYSTEM.web1, "redis-server");
    await store.write((tx) =>
      tx.replaceMonitors(
        SYSTEM.web1,
        [
          {
            key: "monitor:n:http",
            process: nginx,
            props: { rule: "http", class: "nagios", type: "check_http" },
          },
          { key: "monitor:r:skip", process: redis, props: { rule: "skip", class: "nomon" } },
        ],
        AT,
      ),
    );
    await store.write((tx) =>
      tx.recordMonitorState(
        "monitor:n:http",
        { state: "critical", reason: "refused", detail: "{}" },
        LATER,
      ),
    );
    const records = await readRecords(store);
    expect(byId(records, `service:${MACHINE.web1}:${hash(nginx)}`).fields).toMatchObject({
      monitor: {
        id: "monitor:n:http",
        rule: "http",
        class: "nagios",
        type: "check_http",
        state: "critical",
        state_since: LATER,
      },
      monitored: true,
      nomon: false,
    });
    expect(byId(records, `service:${MACHINE.web1}:${hash(redis)}`).fields).toMatchObject({
      monitor: { rule: "skip", class: "nomon", state: "pending" },
      monitored: false,
      nomon: true,
    });
  });

  it("leaves out what the graph retired", async () => {
    const store = await fresh();
    await ingestFixtureWorld(store);
    const before = await readRecords(store);
    const tcp = copy(fixtureDocument("web1", "tcpdiscovery"), LATER);
    delete (tcp.data as Record<string, unknown>)["redis-server:2a3b4c5d6e7f"];
    await ingestDocument(store, tcp);
    const after = await readRecords(store);
    const gone = before.filter((r) => !after.some((a) => a.id === r.id)).map((r) => r.id);
    const redis = before.find(
      (r) =>
        r.kind === "service" && r.fields.host === SYSTEM.web1 && r.fields.name === "redis-server",
    );
    expect(gone.sort()).toEqual(
      [
        redis?.id,
        ...before
          .filter((r) => r.kind === "dependency" && r.fields.server_service === redis?.id)
          .map((r) => r.id),
      ].sort(),
    );
    expect(gone).toHaveLength(2);
  });
});
