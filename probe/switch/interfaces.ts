/**
 * Which interfaces to listen on for LLDP and CDP, read from /sys/class/net.
 *
 * Chosen: Ethernet devices (type 1) that are administratively up and backed
 * by hardware (they have a `device` link: a PCI, USB or virtio NIC). Skipped,
 * each with its reason: loopback, devices that are down, virtual devices
 * (bridges, bonds, veth, tun/tap, macvlan, VLAN devices: no `device` link),
 * wireless NICs (access points do not relay 802.1AB frames), and non-Ethernet
 * links.
 *
 * Physical ports enslaved to a bridge or a bond are chosen on purpose: they
 * are the cables to the switch. The kernel hands every frame to packet
 * sockets on the port before the bridge or bond handler runs, and a Linux
 * bridge never forwards LLDP's group address (01:80:c2:00:00:0e) to the
 * bridge device, so the port is the only place the switch's frames are seen.
 * Listening on the bridge or bond device as well would see CDP twice.
 *
 * An explicit list replaces the automatic choice entirely (a veth in a test
 * namespace, or a virtual NIC the operator knows is wired to a switch).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const ARPHRD_ETHER = 1;
const IFF_UP = 0x1;
const IFF_LOOPBACK = 0x8;

export interface InterfaceChoice {
  /** Interfaces to listen on, sorted. */
  chosen: string[];
  /** Interfaces left out, with why. */
  skipped: Record<string, string>;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return undefined;
  }
}

/** Why interface `name` is not listened on, or undefined when it is. */
export function skipReason(netDirectory: string, name: string): string | undefined {
  const dir = join(netDirectory, name);
  const flags = Number.parseInt(readText(join(dir, "flags")) ?? "", 16);
  const type = Number.parseInt(readText(join(dir, "type")) ?? "", 10);
  if (Number.isNaN(flags) || Number.isNaN(type)) return "unreadable flags or type";
  if (flags & IFF_LOOPBACK) return "loopback";
  if (type !== ARPHRD_ETHER) return `not Ethernet (link type ${type})`;
  if (!(flags & IFF_UP)) return "down";
  if (!existsSync(join(dir, "device"))) return "virtual device";
  if (existsSync(join(dir, "wireless")) || existsSync(join(dir, "phy80211"))) return "wireless";
  return undefined;
}

/** The interfaces of `sysRoot`/class/net worth listening on. */
export function chooseInterfaces(sysRoot: string): InterfaceChoice {
  const netDirectory = join(sysRoot, "class", "net");
  const chosen: string[] = [];
  const skipped: Record<string, string> = {};
  let names: string[];
  try {
    names = readdirSync(netDirectory).sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return { chosen, skipped: { [netDirectory]: `cannot list interfaces: ${code}` } };
  }
  for (const name of names) {
    const reason = skipReason(netDirectory, name);
    if (reason === undefined) chosen.push(name);
    else skipped[name] = reason;
  }
  return { chosen, skipped };
}

/**
 * A usable kernel interface name (what `--interface` accepts): 1-15 bytes, no
 * '/', ':', white space or control characters. Undefined when valid, else why not.
 */
export function invalidInterfaceName(name: string): string | undefined {
  if (name.length === 0) return "is empty";
  if (Buffer.byteLength(name) > 15) return "is longer than 15 bytes";
  if (name === "." || name === "..") return "is not an interface name";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[/:\s\u0000-\u0020\u007f-\u009f]/.test(name))
    return "contains '/', ':', white space or a control character";
  return undefined;
}
