/** Host, switch and package records from the live graph. */
import type { NodeRecord } from "../cma/graph/store.js";
import { after, compareIds, flag, integer, list, pick, text } from "./fields.js";
import type { LiveGraph } from "./graph-view.js";
import type { ExportRecord, FieldObject, FieldValue } from "./records.js";

/** System properties a host record carries, null when the graph does not know them. */
export const HOST_PROPERTIES = [
  "name",
  "hostname",
  "fqdn",
  "status",
  "status_reason",
  "status_since",
  "os_name",
  "os_id",
  "os_version",
  "os_codename",
  "kernel_name",
  "kernel_release",
  "kernel_version",
  "architecture",
  "boot_time",
  "memory_total_bytes",
  "timezone",
  "virtualization",
  "container",
  "dmi_sys_vendor",
  "dmi_product_name",
  "dmi_product_serial",
  "dmi_product_uuid",
  "cpu_model",
  "cpu_vendor",
  "cpu_mhz",
  "cpu_sockets",
  "cpu_cores",
  "cpu_threads",
] as const;

export const SWITCH_PROPERTIES = [
  "name",
  "chassis_id",
  "chassis_id_subtype",
  "description",
  "platform",
  "capabilities_enabled",
  "management_addresses",
  "status",
  "status_reason",
  "status_since",
] as const;

const PORT_PROPERTIES = ["description", "vlan_id", "mtu", "speed_mbps", "duplex"] as const;

/*
 * Record fields are built with their keys in canonical (code point) order, so
 * that writing them needs no reordering (canonical-json.ts, inCanonicalOrder).
 */
const inOrder = (...names: readonly string[]) => [...names].sort(compareIds);
const HOST_FIELDS = inOrder(...HOST_PROPERTIES, "machine_id", "monitoring_agents", "nics");
const SWITCH_FIELDS = inOrder(...SWITCH_PROPERTIES, "ports");
const PORT_FIELDS = inOrder(...PORT_PROPERTIES, "wired");

/** Sets a key whatever its name ("__proto__" included: names are discovered text). */
function setKey(object: FieldObject, key: string, value: FieldValue): void {
  Object.defineProperty(object, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

const isKind = (kind: string) => (n: NodeRecord) => n.props.kind === kind;

export function machineIdOf(host: NodeRecord): string {
  return text(host.props, "machine_id") ?? after(host.key, "host:");
}

/** The record id of a host System: "host:<machine id>" (its graph key). */
export const hostId = (host: NodeRecord) => `host:${machineIdOf(host)}`;

export function hostRecords(graph: LiveGraph): ExportRecord[] {
  return graph
    .all("System")
    .filter(isKind("host"))
    .map((host) => {
      // Assigning a picked key keeps its place in the order.
      const fields = pick(host.props, HOST_FIELDS);
      fields.machine_id = machineIdOf(host);
      fields.monitoring_agents = agentsOf(host);
      fields.nics = nicsOf(graph, host);
      return { fields, id: hostId(host), kind: "host" };
    });
}

/**
 * The monitoring agents the host has (its last monitoringagents document), which
 * decide whether a rule can apply there; null before any such document. Systemd
 * units are left out: hundreds per host, and no report needs them.
 */
function agentsOf(host: NodeRecord): FieldObject | null {
  if (host.props.agents_ocf === undefined) return null;
  const sorted = (name: string) =>
    list(host.props, name)
      .filter((v): v is string => typeof v === "string")
      .sort(compareIds);
  return {
    lsb: sorted("agents_lsb"),
    nagios: sorted("agents_nagios"),
    ocf: sorted("agents_ocf"),
    systemd_running: flag(host.props, "systemd_running"),
  };
}

/** The host's NICs by interface name, with addresses and the switch port each is wired to. */
function nicsOf(graph: LiveGraph, host: NodeRecord): FieldObject {
  const named = new Map<string, FieldObject>();
  const edges = [...graph.out("HAS_NIC", host)].sort((a, b) => compareIds(a.node.key, b.node.key));
  for (const { node: nic } of edges) {
    const ifname = text(nic.props, "ifname") ?? nic.key;
    const name = named.has(ifname) ? `${ifname}#${nic.key}` : ifname;
    const ips = graph
      .out("HAS_IP", nic)
      .map((e) => {
        const ip = text(e.node.props, "ip") ?? e.node.key;
        const prefix = integer(e.props, "prefix_len");
        return prefix === null ? ip : `${ip}/${prefix}`;
      })
      .sort(compareIds);
    const port = graph
      .out("WIRED_TO", nic)
      .sort((a, b) => compareIds(a.node.key, b.node.key))[0]?.node;
    const sw = port ? graph.in("HAS_PORT", port)[0]?.node : undefined;
    named.set(name, {
      carrier: flag(nic.props, "carrier"),
      default_gw: flag(nic.props, "default_gw"),
      duplex: text(nic.props, "duplex"),
      ips,
      kind: text(nic.props, "kind") ?? text(nic.props, "type"),
      mac: text(nic.props, "mac"),
      master: text(nic.props, "master"),
      mtu: integer(nic.props, "mtu"),
      operstate: text(nic.props, "operstate"),
      speed: integer(nic.props, "speed"),
      switch: sw?.key ?? null,
      switch_port: port ? (text(port.props, "port_id") ?? port.key) : null,
      virtual: flag(nic.props, "virtual"),
      vlan_id: integer(nic.props, "vlan_id"),
    });
  }
  return sortedObject(named);
}

export function switchRecords(graph: LiveGraph): ExportRecord[] {
  return graph
    .all("System")
    .filter(isKind("switch"))
    .map((sw) => {
      const ports = new Map<string, FieldObject>();
      const edges = [...graph.out("HAS_PORT", sw)].sort((a, b) =>
        compareIds(a.node.key, b.node.key),
      );
      for (const { node: port } of edges) {
        const wired = graph
          .in("WIRED_TO", port)
          .flatMap(({ node: nic }) =>
            graph
              .in("HAS_NIC", nic)
              .filter((e) => isKind("host")(e.node))
              .map((e) => `${hostId(e.node)}/${text(nic.props, "ifname") ?? nic.key}`),
          )
          .sort(compareIds);
        const fields = pick(port.props, PORT_FIELDS);
        fields.wired = wired;
        const id = text(port.props, "port_id") ?? port.key;
        ports.set(id, fields);
      }
      const fields = pick(sw.props, SWITCH_FIELDS);
      fields.ports = sortedObject(ports);
      return { fields, id: sw.key, kind: "switch" };
    });
}

/**
 * One record per host and package (manager, name, architecture), with the
 * versions installed: an upgrade is a change of `versions`, not a removal and
 * an addition. Several versions at once happen (rpm kernels).
 */
export function packageRecords(graph: LiveGraph): ExportRecord[] {
  const records = new Map<string, ExportRecord>();
  for (const host of graph.all("System").filter(isKind("host"))) {
    for (const { node: pkg } of graph.out("INSTALLED", host)) {
      const manager = text(pkg.props, "manager") ?? "";
      const name = text(pkg.props, "name") ?? pkg.key;
      const arch = text(pkg.props, "arch");
      const id = `package:${machineIdOf(host)}:${manager}:${name}:${arch ?? ""}`;
      const version = text(pkg.props, "version") ?? "";
      const existing = records.get(id);
      if (existing) {
        (existing.fields.versions as string[]).push(version);
        (existing.fields.versions as string[]).sort(compareIds);
        continue;
      }
      records.set(id, {
        fields: { arch, host: hostId(host), manager, name, versions: [version] },
        id,
        kind: "package",
      });
    }
  }
  return [...records.values()];
}

/** An object of the entries, keys in canonical order. */
function sortedObject(entries: ReadonlyMap<string, FieldObject>): FieldObject {
  const object: FieldObject = {};
  for (const key of [...entries.keys()].sort(compareIds)) {
    setKey(object, key, entries.get(key) as FieldObject);
  }
  return object;
}
