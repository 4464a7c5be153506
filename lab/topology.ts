/**
 * The lab's shape, computed before anything is created: names, addresses and
 * wiring for one CMA, S switches and N hosts on one flat IPv4 subnet. Pure,
 * so the plan can be written to the state file ahead of every step.
 */
import { createHash } from "node:crypto";
import ipaddr from "ipaddr.js";

export const DEFAULT_NAME = "assim";
export const DEFAULT_HOSTS = 6;
export const DEFAULT_SWITCHES = 2;
export const DEFAULT_SUBNET = "10.250.0.0/24";
export const MAX_HOSTS = 64;
export const MAX_SWITCHES = 8;
/** Host i is .HOST_OFFSET+i, switch s is .SWITCH_OFFSET+s, the CMA is .1. */
const HOST_OFFSET = 10;
const SWITCH_OFFSET = 200;
/** The longest name that keeps "<name>-sw8" and "<name>-h64" readable in `ip netns list`. */
export const MAX_NAME = 24;

/** A mistake in the lab's options; the CLI reports it as a usage error. */
export class LabOptionError extends Error {
  override name = "LabOptionError";
}

export interface TopologyOptions {
  name: string;
  hosts: number;
  switches: number;
  subnet: string;
}

export interface CmaPlan {
  ns: string;
  address: string;
  bridge: string;
}

export interface SwitchPlan {
  /** sw1, sw2, ...: also its LLDP system name. */
  name: string;
  ns: string;
  bridge: string;
  /** Its management address, on the bridge. */
  address: string;
  /** The uplink's end inside the switch (a port of its bridge). */
  uplink: string;
  /** The uplink's end inside the CMA namespace (a port of the core bridge). */
  corePort: string;
  /** Names of the hosts attached to it. */
  hosts: string[];
}

export interface HostPlan {
  /** h1, h2, ...: also its hostname. */
  name: string;
  ns: string;
  address: string;
  iface: string;
  /** The switch (sw<s>) and its port (swp<i>) this host is cabled to. */
  switch: string;
  port: string;
  /** 32 lowercase hex digits, stable for this lab name and host. */
  machineId: string;
}

export interface Topology {
  name: string;
  subnet: string;
  prefixLength: number;
  cma: CmaPlan;
  switches: SwitchPlan[];
  hosts: HostPlan[];
}

/** The namespaces a lab named `name` creates, and nothing else. */
export function labNamespacePattern(name: string): RegExp {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`^${escaped}-(cma|sw\\d+|h\\d+)$`);
}

export function checkName(name: string): string {
  if (!/^[a-z0-9][a-z0-9_.-]*$/i.test(name) || name.length > MAX_NAME) {
    throw new LabOptionError(
      `--name must be 1 to ${MAX_NAME} letters, digits, "_", "." or "-", starting with a letter or digit, got ${JSON.stringify(name)}`,
    );
  }
  return name;
}

function checkCount(option: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new LabOptionError(`${option} must be a whole number from 1 to ${max}, got ${value}`);
  }
  return value;
}

/** Parses "a.b.c.d/len": the network address itself, with room for .1 to .208. */
export function checkSubnet(subnet: string): { network: number; prefixLength: number } {
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    parsed = ipaddr.parseCIDR(subnet);
  } catch {
    throw new LabOptionError(
      `--subnet must be an IPv4 network like 10.250.0.0/24, got "${subnet}"`,
    );
  }
  const [address, prefixLength] = parsed;
  if (address.kind() !== "ipv4") {
    throw new LabOptionError(`--subnet must be IPv4 (IPv6 is off in the lab), got "${subnet}"`);
  }
  if (prefixLength > 24 || prefixLength < 8) {
    throw new LabOptionError(
      `--subnet needs a prefix length from /8 to /24 (room for .1 to .${SWITCH_OFFSET + MAX_SWITCHES}), got /${prefixLength}`,
    );
  }
  const network = toNumber(address.toString());
  const mask = (0xffffffff << (32 - prefixLength)) >>> 0;
  if ((network & ~mask) >>> 0 !== 0) {
    const base = fromNumber((network & mask) >>> 0);
    throw new LabOptionError(
      `--subnet must name the network address, got "${subnet}" (did you mean ${base}/${prefixLength}?)`,
    );
  }
  return { network, prefixLength };
}

function toNumber(address: string): number {
  return address.split(".").reduce((sum, octet) => sum * 256 + Number(octet), 0);
}

function fromNumber(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 0xff).join(".");
}

export function machineIdFor(labName: string, host: string): string {
  return createHash("sha256").update(`assim-lab/${labName}/${host}`).digest("hex").slice(0, 32);
}

export function planTopology(options: TopologyOptions): Topology {
  const name = checkName(options.name);
  const hostCount = checkCount("--hosts", options.hosts, MAX_HOSTS);
  const switchCount = checkCount("--switches", options.switches, MAX_SWITCHES);
  const { network, prefixLength } = checkSubnet(options.subnet);
  const at = (offset: number) => fromNumber(network + offset);

  const switches: SwitchPlan[] = [];
  for (let s = 1; s <= switchCount; s++) {
    switches.push({
      name: `sw${s}`,
      ns: `${name}-sw${s}`,
      bridge: "br0",
      address: at(SWITCH_OFFSET + s),
      uplink: "uplink",
      corePort: `sw${s}`,
      hosts: [],
    });
  }
  const hosts: HostPlan[] = [];
  for (let i = 1; i <= hostCount; i++) {
    const sw = switches[(i - 1) % switchCount] as SwitchPlan;
    const host = `h${i}`;
    sw.hosts.push(host);
    hosts.push({
      name: host,
      ns: `${name}-${host}`,
      address: at(HOST_OFFSET + i),
      iface: "eth0",
      switch: sw.name,
      port: `swp${i}`,
      machineId: machineIdFor(name, host),
    });
  }
  return {
    name,
    subnet: `${fromNumber(network)}/${prefixLength}`,
    prefixLength,
    cma: { ns: `${name}-cma`, address: at(1), bridge: "core" },
    switches,
    hosts,
  };
}
