/**
 * Records → a ServiceNow Identification and Reconciliation (IRE) payload:
 * `{items, referenceItems, relations}` as `POST /api/now/identifyreconcile`
 * takes it. Hosts become cmdb_ci_linux_server (cmdb_ci_server when the kernel
 * is not Linux), their NICs cmdb_ci_network_adapter, their addresses
 * cmdb_ci_ip_address, listening services cmdb_ci_appl, switches
 * cmdb_ci_ip_switch; a host's packages are related cmdb_ci_spkg entries. Relations index into `items`. Every value is a string,
 * as in ServiceNow's own examples; the whole payload is written with
 * JSON.stringify, so no value can leave its string.
 */
import type { ExportRecord } from "../records.js";
import {
  byHost,
  hostName,
  hostNics,
  intOf,
  parseAddress,
  plainAddress,
  stringsOf,
  tcpPorts,
  textOf,
} from "./values.js";

/** The discovery source the payload names (a choice of cmdb_ci.discovery_source to add on the instance). */
export const SOURCE_NAME = "assim";

export const RELATION = {
  runsOn: "Runs on::Runs",
  dependsOn: "Depends on::Used by",
  owns: "Owns::Owned by",
  ipConnection: "IP Connection::IP Connection",
} as const;

export interface IreEntry {
  className: string;
  values: Record<string, string>;
}

export interface IreItem {
  className: string;
  internal_id: string;
  values: Record<string, string>;
  lookup?: IreEntry[];
  related?: IreEntry[];
  sys_object_source_info: {
    source_name: string;
    source_feed: string;
    source_native_key: string;
    source_recency_timestamp: string;
  };
}

export interface IreRelation {
  parent: number;
  child: number;
  type: string;
}

export interface IreReference {
  referenced: string;
  referencedBy: string;
  referenceField: string;
}

export interface IrePayload {
  items: IreItem[];
  referenceItems: IreReference[];
  relations: IreRelation[];
}

/** "2026-03-01T10:00:00.000Z" → "2026-03-01 10:00:00" (UTC), the IRE's timestamp form. */
export const ireTime = (iso: string) => iso.replace("T", " ").replace(/(\.\d+)?Z$/, "");

type Values = Record<string, string | number | boolean | undefined>;

/** Only the known values, each as a string. */
function values(from: Values): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(from))
    if (value !== undefined) out[key] = String(value);
  return out;
}

class PayloadBuilder {
  readonly payload: IrePayload = { items: [], referenceItems: [], relations: [] };
  private readonly index = new Map<string, number>();
  private readonly related = new Set<string>();

  constructor(private readonly at: string) {}

  add(
    className: string,
    id: string,
    feed: string,
    from: Values,
    lookup: IreEntry[] = [],
    related: IreEntry[] = [],
  ) {
    if (this.index.has(id)) return;
    this.index.set(id, this.payload.items.length);
    this.payload.items.push({
      className,
      internal_id: id,
      values: values(from),
      ...(lookup.length > 0 ? { lookup } : {}),
      ...(related.length > 0 ? { related } : {}),
      sys_object_source_info: {
        source_name: SOURCE_NAME,
        source_feed: feed,
        source_native_key: id,
        source_recency_timestamp: ireTime(this.at),
      },
    });
  }

  has(id: string) {
    return this.index.has(id);
  }

  relate(parentId: string, childId: string, type: string) {
    const parent = this.index.get(parentId);
    const child = this.index.get(childId);
    const key = `${parent} ${child} ${type}`;
    if (parent === undefined || child === undefined || this.related.has(key)) return;
    this.related.add(key);
    this.payload.relations.push({ parent, child, type });
  }

  reference(referencedBy: string, referenced: string, referenceField: string) {
    this.payload.referenceItems.push({ referenced, referencedBy, referenceField });
  }
}

/** cmdb_ci_linux_server, or cmdb_ci_server when the kernel is known and not Linux. */
export function serverClass(host: ExportRecord) {
  const kernel = textOf(host.fields.kernel_name);
  return kernel === undefined || kernel.toLowerCase() === "linux"
    ? "cmdb_ci_linux_server"
    : "cmdb_ci_server";
}

/** The host's packages as related software entries (one per installed version). */
function software(packages: readonly ExportRecord[]): IreEntry[] {
  return packages.flatMap((p) => {
    const name = textOf(p.fields.name);
    if (name === undefined) return [];
    return stringsOf(p.fields.versions).map((version) => ({
      className: "cmdb_ci_spkg",
      values: values({
        name,
        version,
        arch: textOf(p.fields.arch),
        manager: textOf(p.fields.manager),
      }),
    }));
  });
}

function addHost(b: PayloadBuilder, host: ExportRecord, packages: readonly ExportRecord[]) {
  const f = host.fields;
  const name = hostName(host);
  const nics = hostNics(host);
  const primary = nics.find(([, nic]) => nic.default_gw === true) ?? nics[0];
  const primaryV4 = primary
    ? stringsOf(primary[1].ips)
        .map(parseAddress)
        .find((a) => a?.version === 4 && !a.loopback)
    : undefined;
  const memory = intOf(f.memory_total_bytes);
  const virtualization = textOf(f.virtualization);
  const serial = textOf(f.dmi_product_serial);
  const uuid = textOf(f.dmi_product_uuid);
  b.add(
    serverClass(host),
    host.id,
    "host",
    {
      name,
      host_name: textOf(f.hostname),
      fqdn: textOf(f.fqdn),
      correlation_id: textOf(f.machine_id),
      serial_number: serial,
      os: textOf(f.os_name),
      os_version: textOf(f.os_version),
      cpu_type: textOf(f.cpu_model),
      cpu_speed: intOf(f.cpu_mhz),
      cpu_count: intOf(f.cpu_sockets),
      cpu_core_count: intOf(f.cpu_cores),
      ram: memory === undefined ? undefined : Math.round(memory / 1024 / 1024),
      is_virtual:
        virtualization === undefined ? undefined : virtualization !== "none" ? "true" : "false",
      ip_address: primaryV4?.address,
      mac_address: primary ? textOf(primary[1].mac) : undefined,
      short_description: textOf(f.dmi_product_name),
    },
    [
      ...(serial ? [serialLookup(serial, "system")] : []),
      ...(uuid ? [serialLookup(uuid, "uuid")] : []),
    ],
    software(packages),
  );
  for (const [ifname, nic] of nics) {
    const nicId = `nic:${host.id}/${ifname}`;
    const addresses = stringsOf(nic.ips).flatMap((ip) => {
      const parsed = parseAddress(ip);
      return parsed && !parsed.loopback ? [parsed] : [];
    });
    const first = addresses.find((a) => a.version === 4) ?? addresses[0];
    b.add("cmdb_ci_network_adapter", nicId, "nic", {
      name: ifname,
      mac_address: textOf(nic.mac)?.toLowerCase(),
      ip_address: first?.address,
      netmask: first?.netmask,
    });
    b.reference(nicId, host.id, "cmdb_ci");
    b.relate(host.id, nicId, RELATION.owns);
    for (const address of addresses) {
      const ipId = `ip:${host.id}/${ifname}/${address.address}`;
      b.add("cmdb_ci_ip_address", ipId, "ip", {
        name: address.address,
        ip_address: address.address,
        netmask: address.netmask,
        ip_version: address.version,
      });
      b.reference(ipId, nicId, "nic");
      b.relate(nicId, ipId, RELATION.owns);
    }
  }
}

const serialLookup = (serial: string, type: string) => ({
  className: "cmdb_serial_number",
  values: { serial_number: serial, serial_number_type: type, valid: "true" },
});

function addSwitch(b: PayloadBuilder, sw: ExportRecord) {
  const f = sw.fields;
  const management = stringsOf(f.management_addresses)
    .map(plainAddress)
    .find((a) => a !== undefined);
  const chassis = textOf(f.chassis_id);
  b.add("cmdb_ci_ip_switch", sw.id, "switch", {
    name: textOf(f.name) ?? chassis ?? sw.id,
    correlation_id: sw.id,
    discovery_proto_id: chassis,
    discovery_proto_type: "LLDP",
    mac_address:
      textOf(f.chassis_id_subtype) === "mac_address" ? chassis?.toLowerCase() : undefined,
    ip_address: management?.address,
    short_description: textOf(f.description),
    can_switch: "true",
  });
}

function addService(b: PayloadBuilder, service: ExportRecord, hosts: Map<string, ExportRecord>) {
  const f = service.fields;
  const hostId = textOf(f.host);
  const host = hostId ? hosts.get(hostId) : undefined;
  if (!host || !hostId) return;
  const ports = tcpPorts(service);
  const name = textOf(f.name) ?? textOf(f.exe) ?? "unknown";
  b.add("cmdb_ci_appl", service.id, "service", {
    name: `${name}@${hostName(host)}${ports.length > 0 ? `:${ports.join(",")}` : ""}`,
    correlation_id: service.id,
    tcp_port: ports.length > 0 ? ports.join(",") : undefined,
    running_process_command: textOf(f.exe),
    running_process_key_parameters:
      stringsOf(f.argv).length > 0 ? stringsOf(f.argv).join(" ") : undefined,
  });
  b.relate(service.id, hostId, RELATION.runsOn);
}

function addDependency(b: PayloadBuilder, dependency: ExportRecord) {
  const f = dependency.fields;
  const server = textOf(f.server_service);
  // A client that does not listen is no CI of its own: its host depends on the server.
  const client = textOf(f.client_service) ?? textOf(f.client_host);
  if (server && client && b.has(client)) b.relate(client, server, RELATION.dependsOn);
}

/** The IRE payload of a record set (records sorted by id, so the payload is too). */
export function irePayload(records: readonly ExportRecord[], at: string): IrePayload {
  const b = new PayloadBuilder(at);
  const hosts = new Map(records.filter((r) => r.kind === "host").map((r) => [r.id, r]));
  const packages = byHost(records, "package");
  for (const host of hosts.values()) addHost(b, host, packages.get(host.id) ?? []);
  for (const sw of records) if (sw.kind === "switch") addSwitch(b, sw);
  for (const service of records) if (service.kind === "service") addService(b, service, hosts);
  for (const dependency of records)
    if (dependency.kind === "dependency") addDependency(b, dependency);
  // Switch connections: a host wired to a switch port.
  for (const host of hosts.values()) {
    for (const [, nic] of hostNics(host)) {
      const sw = textOf(nic.switch);
      if (sw) b.relate(host.id, sw, RELATION.ipConnection);
    }
  }
  return b.payload;
}
