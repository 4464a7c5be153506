/** The variables of one inventory host: ansible_host and the discovered facts as assim_*. */
import { compareIds } from "../fields.js";
import type { ExportRecord, FieldObject, FieldValue } from "../records.js";
import { parseListen, serviceRole } from "./roles.js";

/** What the host vars need besides the host record. */
export interface HostContext {
  services: readonly ExportRecord[];
  /** Dependencies where this host is the client. */
  uses: readonly ExportRecord[];
  /** Dependencies where this host is the server. */
  usedBy: readonly ExportRecord[];
  /** Switch record id → its name (or chassis id). */
  switchNames: ReadonlyMap<string, string>;
  /** Host record id → its inventory name. */
  hostName: (hostId: FieldValue) => string | null;
}

const str = (value: FieldValue | undefined): string | null =>
  typeof value === "string" ? value : null;
const num = (value: FieldValue | undefined): number | null =>
  typeof value === "number" ? value : null;
const strings = (value: FieldValue | undefined): string[] =>
  Array.isArray(value) ? value.filter((v) => typeof v === "string") : [];

function osOf(f: FieldObject): FieldObject {
  return {
    name: str(f.os_name),
    id: str(f.os_id),
    version: str(f.os_version),
    codename: str(f.os_codename),
    kernel: str(f.kernel_name),
    kernel_release: str(f.kernel_release),
    architecture: str(f.architecture),
  };
}

function cpuOf(f: FieldObject): FieldObject {
  return {
    model: str(f.cpu_model),
    vendor: str(f.cpu_vendor),
    mhz: num(f.cpu_mhz),
    sockets: num(f.cpu_sockets),
    cores: num(f.cpu_cores),
    threads: num(f.cpu_threads),
  };
}

/** NICs as a list (a NIC name is discovered text: it never becomes a key). */
function nicsOf(f: FieldObject, switchNames: ReadonlyMap<string, string>): FieldValue[] {
  const nics = (f.nics ?? {}) as FieldObject;
  return Object.keys(nics)
    .sort(compareIds)
    .map((name) => {
      const nic = (nics[name] ?? {}) as FieldObject;
      const sw = str(nic.switch);
      return {
        name,
        mac: str(nic.mac),
        mtu: num(nic.mtu),
        speed: num(nic.speed),
        addresses: strings(nic.ips),
        switch: sw === null ? null : (switchNames.get(sw) ?? sw),
        switch_port: str(nic.switch_port),
      };
    });
}

function serviceOf(service: ExportRecord): FieldObject {
  const f = service.fields;
  const listen = strings(f.listen);
  const ports = [
    ...new Set(
      listen
        .map(parseListen)
        .filter((l) => l !== null)
        .map((l) => `${l.proto}/${l.port}`),
    ),
  ];
  const monitor = (f.monitor ?? null) as FieldObject | null;
  return {
    name: str(f.name),
    exe: str(f.exe),
    user: str(f.user),
    ports,
    listen,
    role: serviceRole(f),
    monitored: f.monitored === true,
    nomon: f.nomon === true,
    monitor:
      monitor === null
        ? null
        : {
            rule: str(monitor.rule),
            class: str(monitor.class),
            type: str(monitor.type),
            state: str(monitor.state),
          },
  };
}

function dependenciesOf(ctx: HostContext): FieldObject {
  const uses = ctx.uses.map((d) => ({
    host: ctx.hostName(d.fields.server_host ?? null),
    service: str(d.fields.server_name),
    proto: str(d.fields.proto),
    port: num(d.fields.port),
  }));
  const usedBy = ctx.usedBy.map((d) => ({
    host: ctx.hostName(d.fields.client_host ?? null),
    process: str(d.fields.client_name),
    proto: str(d.fields.proto),
    port: num(d.fields.port),
  }));
  return { uses, used_by: usedBy };
}

export function hostVars(
  host: ExportRecord,
  ansibleHost: string | null,
  roles: readonly string[],
  ctx: HostContext,
): FieldObject {
  const f = host.fields;
  return {
    ...(ansibleHost === null ? {} : { ansible_host: ansibleHost }),
    assim_machine_id: str(f.machine_id),
    assim_hostname: str(f.hostname) ?? str(f.name),
    assim_fqdn: str(f.fqdn),
    assim_status: str(f.status),
    assim_os: osOf(f),
    assim_cpu: cpuOf(f),
    assim_nics: nicsOf(f, ctx.switchNames),
    assim_roles: [...roles],
    assim_services: ctx.services.map(serviceOf),
    assim_dependencies: dependenciesOf(ctx),
  };
}
