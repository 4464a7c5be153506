/**
 * Records → GLPI native inventory documents (the format of GLPI's agents,
 * POST /front/inventory.php): one Computer per host (hardware, bios,
 * operatingsystem, networks, cpus, softwares from its packages) and one
 * NetworkEquipment per switch (network_device, network_ports with the hosts
 * wired to each port as LLDP connections). Fields the schema types strictly
 * (addresses, CPU architecture, times) are only filled with values that fit;
 * everything else is a JSON string, whatever a host sent.
 */
import type { ExportRecord, FieldObject } from "../records.js";
import {
  type Address,
  hostName,
  hostNics,
  intOf,
  objectOf,
  parseAddress,
  plainAddress,
  stringsOf,
  textOf,
} from "./values.js";

export const VERSION_CLIENT = "assim-export";

type Json = Record<string, unknown>;

/** Only the keys whose value is known. */
const known = (from: Json): Json =>
  Object.fromEntries(Object.entries(from).filter(([, v]) => v !== undefined));

/** GLPI's datetime ("YYYY-MM-DD hh:mm:ss") of an ISO 8601 time; undefined if it is not one. */
export function glpiTime(iso: string | undefined): string | undefined {
  if (iso === undefined) return undefined;
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return undefined;
  return new Date(time).toISOString().slice(0, 19).replace("T", " ");
}

const CPU_ARCH =
  /^(mips|mips64|alpha|sparc|sparc64|m68k|i\d86|x86_64|powerpc|powerpc64|arm.*|aarch64)$/;
const NIC_TYPES: Record<string, string> = {
  ether: "ethernet",
  loopback: "loopback",
  bridge: "bridge",
  bond: "aggregate",
  team: "aggregate",
  wlan: "wifi",
  infiniband: "infiniband",
};
const NIC_STATUS = /^(up|down|dormant|notpresent|lowerlayerdown|unknown|testing)$/;

function network(name: string, nic: FieldObject, address: Address | undefined): Json {
  const kind = textOf(nic.kind);
  const status = textOf(nic.operstate)?.toLowerCase();
  const v4 = address?.version === 4 ? address : undefined;
  const v6 = address?.version === 6 ? address : undefined;
  return known({
    description: name,
    mac: textOf(nic.mac)?.toLowerCase(),
    type: kind === undefined ? undefined : NIC_TYPES[kind],
    status: status !== undefined && NIC_STATUS.test(status) ? status : undefined,
    virtualdev: typeof nic.virtual === "boolean" ? nic.virtual : undefined,
    mtu: intOf(nic.mtu),
    speed: intOf(nic.speed) === undefined ? undefined : String(nic.speed),
    ipaddress: v4?.address,
    ipmask: v4?.netmask,
    ipsubnet: v4?.subnet,
    ipaddress6: v6?.address,
    ipmask6: v6?.netmask,
    ipsubnet6: v6?.subnet,
  });
}

/** One entry per address (as GLPI's agents do), or one without address for a NIC that has none. */
function networks(host: ExportRecord): Json[] {
  return hostNics(host).flatMap(([name, nic]) => {
    const addresses = stringsOf(nic.ips).flatMap((ip) => parseAddress(ip) ?? []);
    return addresses.length === 0
      ? [network(name, nic, undefined)]
      : addresses.map((a) => network(name, nic, a));
  });
}

function cpus(f: FieldObject): Json[] {
  const model = textOf(f.cpu_model);
  const cores = intOf(f.cpu_cores);
  const threads = intOf(f.cpu_threads);
  if (model === undefined && cores === undefined) return [];
  const sockets = Math.max(1, intOf(f.cpu_sockets) ?? 1);
  const perSocket = cores !== undefined && cores % sockets === 0 ? cores / sockets : undefined;
  const arch = textOf(f.architecture);
  const cpu = known({
    name: model,
    manufacturer: textOf(f.cpu_vendor),
    speed: intOf(f.cpu_mhz),
    arch: arch !== undefined && CPU_ARCH.test(arch) ? arch : undefined,
    core: perSocket,
    corecount: perSocket,
    thread:
      cores !== undefined && threads !== undefined && threads % cores === 0
        ? threads / cores
        : undefined,
  });
  return Array.from({ length: perSocket === undefined ? 1 : sockets }, () => ({ ...cpu }));
}

/** The host's packages (only its own: see byHost). */
function softwares(packages: readonly ExportRecord[]): Json[] {
  return packages.flatMap((p) => {
    const name = textOf(p.fields.name);
    if (name === undefined) return [];
    const versions = stringsOf(p.fields.versions);
    return (versions.length > 0 ? versions : [undefined]).map((version) =>
      known({ name, version, arch: textOf(p.fields.arch), from: textOf(p.fields.manager) }),
    );
  });
}

/** The host's document; `packages` are the host's own package records. */
export function computerDocument(host: ExportRecord, packages: readonly ExportRecord[]): Json {
  const f = host.fields;
  const memory = intOf(f.memory_total_bytes);
  const bios = known({
    smanufacturer: textOf(f.dmi_sys_vendor),
    smodel: textOf(f.dmi_product_name),
    ssn: textOf(f.dmi_product_serial),
  });
  return {
    deviceid: `assim-${textOf(f.machine_id) ?? host.id}`,
    itemtype: "Computer",
    action: "inventory",
    content: known({
      versionclient: VERSION_CLIENT,
      hardware: known({
        name: hostName(host),
        uuid: textOf(f.dmi_product_uuid),
        memory: memory === undefined ? undefined : Math.round(memory / 1024 / 1024),
        vmsystem: textOf(f.virtualization) ?? textOf(f.container),
      }),
      bios: Object.keys(bios).length > 0 ? bios : undefined,
      operatingsystem: known({
        name: textOf(f.os_id),
        version: textOf(f.os_version),
        full_name: textOf(f.os_name),
        kernel_name: textOf(f.kernel_name)?.toLowerCase(),
        kernel_version: textOf(f.kernel_release),
        arch: textOf(f.architecture),
        fqdn: textOf(f.fqdn),
        hostid: textOf(f.machine_id),
        boot_time: glpiTime(textOf(f.boot_time)),
      }),
      networks: networks(host),
      cpus: cpus(f),
      softwares: softwares(packages),
    }),
  };
}

export function switchDocument(sw: ExportRecord, hosts: ReadonlyMap<string, ExportRecord>): Json {
  const f = sw.fields;
  const ips = stringsOf(f.management_addresses).flatMap((a) => plainAddress(a)?.address ?? []);
  const chassis = textOf(f.chassis_id);
  const ports = objectOf(f.ports) ?? {};
  return {
    deviceid: `assim-${sw.id}`,
    itemtype: "NetworkEquipment",
    action: "netinventory",
    content: {
      versionclient: VERSION_CLIENT,
      network_device: known({
        type: "Networking",
        name: textOf(f.name) ?? chassis,
        description: textOf(f.description),
        model: textOf(f.platform),
        mac: textOf(f.chassis_id_subtype) === "mac_address" ? chassis?.toLowerCase() : undefined,
        ips: ips.length > 0 ? ips : undefined,
      }),
      network_ports: Object.keys(ports)
        .sort()
        .map((id) => {
          const port = objectOf(ports[id]) ?? {};
          const wired = stringsOf(port.wired);
          return known({
            ifname: id,
            ifdescr: textOf(port.description) ?? id,
            ifmtu: intOf(port.mtu),
            // GLPI's ifspeed is in bytes per second… by its title; agents send bits per second.
            ifspeed:
              intOf(port.speed_mbps) === undefined ? undefined : Number(port.speed_mbps) * 1e6,
            lldp: wired.length > 0 ? true : undefined,
            connections: wired.length > 0 ? wired.map((w) => connection(w, hosts)) : undefined,
          });
        }),
    },
  };
}

/** "<host id>/<ifname>" → the remote end as GLPI reads an LLDP neighbour. */
function connection(wired: string, hosts: ReadonlyMap<string, ExportRecord>): Json {
  const slash = wired.indexOf("/");
  const hostId = slash < 0 ? wired : wired.slice(0, slash);
  const ifname = slash < 0 ? undefined : wired.slice(slash + 1);
  const host = hosts.get(hostId);
  const nic = host ? objectOf(objectOf(host.fields.nics)?.[ifname ?? ""]) : undefined;
  const ip = stringsOf(nic?.ips)
    .map(parseAddress)
    .find((a) => a !== undefined && !a.loopback);
  return known({
    sysname: host ? hostName(host) : hostId,
    ifdescr: ifname,
    sysmac: textOf(nic?.mac)?.toLowerCase(),
    ip: ip?.address,
  });
}
