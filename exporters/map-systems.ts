/** Host, switch and package records from the live graph. */
import type { NodeRecord } from "../cma/graph/store.js";
import { after, compareIds, flag, integer, list, pick, text } from "./fields.js";
import type { LiveGraph } from "./graph-view.js";
import type { ExportRecord, FieldObject } from "./records.js";

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
    .map((host) => ({
      id: hostId(host),
      kind: "host",
      fields: {
        machine_id: machineIdOf(host),
        ...pick(host.props, HOST_PROPERTIES),
        monitoring_agents: agentsOf(host),
        nics: nicsOf(graph, host),
      },
    }));
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
    ocf: sorted("agents_ocf"),
    lsb: sorted("agents_lsb"),
    nagios: sorted("agents_nagios"),
    systemd_running: flag(host.props, "systemd_running"),
  };
}

/** The host's NICs by interface name, with addresses and the switch port each is wired to. */
function nicsOf(graph: LiveGraph, host: NodeRecord): FieldObject {
  const nics: FieldObject = {};
  const edges = [...graph.out("HAS_NIC", host)].sort((a, b) => compareIds(a.node.key, b.node.key));
  for (const { node: nic } of edges) {
    const ifname = text(nic.props, "ifname") ?? nic.key;
    const name = ifname in nics ? `${ifname}#${nic.key}` : ifname;
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
    nics[name] = {
      mac: text(nic.props, "mac"),
      kind: text(nic.props, "kind") ?? text(nic.props, "type"),
      virtual: flag(nic.props, "virtual"),
      mtu: integer(nic.props, "mtu"),
      speed: integer(nic.props, "speed"),
      duplex: text(nic.props, "duplex"),
      carrier: flag(nic.props, "carrier"),
      operstate: text(nic.props, "operstate"),
      vlan_id: integer(nic.props, "vlan_id"),
      master: text(nic.props, "master"),
      default_gw: flag(nic.props, "default_gw"),
      ips,
      switch: sw?.key ?? null,
      switch_port: port ? (text(port.props, "port_id") ?? port.key) : null,
    };
  }
  return nics;
}

export function switchRecords(graph: LiveGraph): ExportRecord[] {
  return graph
    .all("System")
    .filter(isKind("switch"))
    .map((sw) => {
      const ports: FieldObject = {};
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
        ports[text(port.props, "port_id") ?? port.key] = {
          ...pick(port.props, PORT_PROPERTIES),
          wired,
        };
      }
      return {
        id: sw.key,
        kind: "switch",
        fields: { ...pick(sw.props, SWITCH_PROPERTIES), ports },
      };
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
        id,
        kind: "package",
        fields: { host: hostId(host), manager, name, arch, versions: [version] },
      });
    }
  }
  return [...records.values()];
}
