/**
 * Reading /sys/class/net/<name>/. Attributes such as speed, duplex and
 * carrier fail with EINVAL while an interface is down, and some devices do
 * not offer them at all: that is "no value", not an error.
 */
import { constants } from "node:fs";
import { lstat, open, readdir, readlink } from "node:fs/promises";
import { basename, join } from "node:path";
import type { ErrorList } from "../error-list.js";
import { canonicalMac } from "./addresses.js";
import { interfaceNameProblem, shownName } from "./interface-name.js";
import { alias as cleanAlias, operstate } from "./link-values.js";
import {
  linkTypeName,
  parseAdminUp,
  parseCarrier,
  parseCount,
  parseDuplex,
  parseSpeed,
  ueventField,
} from "./sys-values.js";
import type { LinkFacts } from "./types.js";

/** sysfs attributes are at most a page. */
const MAX_ATTRIBUTE_BYTES = 4096;

/** Errors with which sysfs says an attribute has no value now, or for this device. */
const NO_VALUE = new Set(["EINVAL", "ENOENT", "ENODEV", "ENODATA", "EOPNOTSUPP", "ENOTSUP"]);

export function isNoValueError(error: unknown): boolean {
  return NO_VALUE.has((error as NodeJS.ErrnoException).code ?? "");
}

/** Hardware facts /sys gives that iproute2 does not. */
export interface SysFacts {
  carrier: boolean | null;
  duplex: "full" | "half" | null;
  speed: number | null;
  virtual: boolean | null;
  driver: string | null;
}

export const UNKNOWN_SYS_FACTS: SysFacts = {
  carrier: null,
  duplex: null,
  speed: null,
  virtual: null,
  driver: null,
};

/** One attribute file's text (at most a page), or null when it has no value; other failures are errors. */
export async function readAttribute(path: string, errors: ErrorList): Promise<string | null> {
  try {
    const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const buffer = Buffer.alloc(MAX_ATTRIBUTE_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      return buffer.subarray(0, bytesRead).toString("utf8");
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (!isNoValueError(error)) errors.add(path, error);
    return null;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** The directory of one interface; undefined (with an error) when it is not there. */
async function interfaceDirectory(sysRoot: string, name: string, errors: ErrorList) {
  const dir = join(sysRoot, "class/net", name);
  try {
    await lstat(dir);
    return dir;
  } catch (error) {
    const gone = (error as NodeJS.ErrnoException).code === "ENOENT";
    errors.add(dir, gone ? "interface not in /sys (removed while reading?)" : error);
    return undefined;
  }
}

export async function readSysFacts(
  sysRoot: string,
  name: string,
  errors: ErrorList,
): Promise<SysFacts> {
  const dir = await interfaceDirectory(sysRoot, name, errors);
  if (dir === undefined) return UNKNOWN_SYS_FACTS;
  const attribute = (file: string) => readAttribute(join(dir, file), errors);
  const [carrier, duplex, speed, hasDevice] = await Promise.all([
    attribute("carrier"),
    attribute("duplex"),
    attribute("speed"),
    exists(join(dir, "device")),
  ]);
  const uevent = hasDevice ? await attribute("device/uevent") : null;
  return {
    carrier: carrier === null ? null : parseCarrier(carrier),
    duplex: duplex === null ? null : parseDuplex(duplex),
    speed: speed === null ? null : parseSpeed(speed),
    virtual: !hasDevice,
    driver: uevent === null ? null : ueventField(uevent, "DRIVER"),
  };
}

/** Interface names in /sys/class/net, sorted; unusable names are errors. */
export async function listSysInterfaces(sysRoot: string, errors: ErrorList): Promise<string[]> {
  const dir = join(sysRoot, "class/net");
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    errors.add(dir, error);
    return [];
  }
  return names.sort().filter((name) => {
    const problem = interfaceNameProblem(name);
    if (problem) errors.add(join(dir, "(entry)"), `interface name ${shownName(name)} ${problem}`);
    return !problem;
  });
}

/**
 * What iproute2 would have said of an interface, read from /sys instead
 * (without IP addresses, which /sys does not hold).
 */
export async function readSysLink(
  sysRoot: string,
  name: string,
  errors: ErrorList,
): Promise<LinkFacts | undefined> {
  const dir = await interfaceDirectory(sysRoot, name, errors);
  if (dir === undefined) return undefined;
  const attribute = (file: string) => readAttribute(join(dir, file), errors);
  const [ifindex, address, mtu, state, type, flags, ifalias, uevent, permanent, master] =
    await Promise.all([
      attribute("ifindex"),
      attribute("address"),
      attribute("mtu"),
      attribute("operstate"),
      attribute("type"),
      attribute("flags"),
      attribute("ifalias"),
      attribute("uevent"),
      attribute("bonding_slave/perm_hwaddr"),
      readlink(join(dir, "master")).then(
        (target) => basename(target),
        () => null,
      ),
    ]);
  const arphrd = type === null ? null : parseCount(type, 65535);
  const kind = uevent === null ? null : ueventField(uevent, "DEVTYPE");
  const masterName = master !== null && !interfaceNameProblem(master) ? master : null;
  return {
    name,
    ifindex: ifindex === null ? null : parseCount(ifindex, 2147483647),
    address: address === null ? null : (canonicalMac(address.trim()) ?? null),
    permanentAddress: permanent === null ? null : (canonicalMac(permanent.trim()) ?? null),
    mtu: mtu === null ? null : parseCount(mtu),
    operstate: operstate(state?.trim(), join(dir, "operstate"), errors),
    adminUp: flags === null ? null : parseAdminUp(flags),
    type: arphrd === null ? null : linkTypeName(arphrd),
    kind,
    bus: null,
    busId: null,
    altnames: [],
    alias: ifalias === null ? null : cleanAlias(ifalias),
    link: null,
    vlanId: null,
    master: masterName === null ? null : { name: masterName, kind: null, state: null },
    bond: null,
    ipaddrs: null,
  };
}
