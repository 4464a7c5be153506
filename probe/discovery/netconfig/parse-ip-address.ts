/**
 * Parser of `ip -j -d address show`: every interface with its link details
 * (kind, master, bond and VLAN settings, bus) and its IPv4 and IPv6 addresses.
 */
import type { DiscoveryError } from "../../../protocol/discovery-document.js";
import { ErrorList } from "../error-list.js";
import { canonicalIp, canonicalMac } from "./addresses.js";
import { interfaceNameProblem, MAX_ALTNAME_BYTES, shownName } from "./interface-name.js";
import { Fields, ipJsonRecords, isRecord } from "./ip-json.js";
import { alias, MAX_ALIAS, operstate, WORD } from "./link-values.js";
import type { BondSettings, IpAddress, LinkFacts, MasterLink } from "./types.js";

const MAX_U32 = 4294967295;
const MAX_IFINDEX = 2147483647;

export interface ParsedLinks {
  links: LinkFacts[];
  errors: DiscoveryError[];
}

export function parseIpAddress(text: string, where: string): ParsedLinks {
  const errors = new ErrorList();
  const links: LinkFacts[] = [];
  const seen = new Set<string>();
  for (const { fields, where: entryWhere } of ipJsonRecords(text, where, errors)) {
    const link = parseLink(fields, entryWhere, errors);
    if (!link) continue;
    if (seen.has(link.name)) {
      errors.add(entryWhere, `interface ${shownName(link.name)} listed twice; second skipped`);
      continue;
    }
    seen.add(link.name);
    links.push(link);
  }
  return { links, errors: errors.items };
}

/** Reads an interface name field; an unusable name is an error and reads as undefined. */
function nameField(fields: Fields, key: string, where: string, errors: ErrorList) {
  const name = fields.string(key, 64);
  if (name === undefined) return undefined;
  const problem = interfaceNameProblem(name);
  if (problem) {
    errors.add(where, `${key} ${shownName(name)} ${problem}; ignored`);
    return undefined;
  }
  return name;
}

function word(fields: Fields | undefined, key: string): string | null {
  const value = fields?.string(key, 64);
  return value !== undefined && WORD.test(value) ? value : null;
}

function parseLink(fields: Fields, entryWhere: string, errors: ErrorList): LinkFacts | undefined {
  const rawName = fields.string("ifname", 64);
  if (rawName === undefined) {
    errors.add(entryWhere, "no ifname; skipped");
    return undefined;
  }
  const problem = interfaceNameProblem(rawName);
  if (problem) {
    errors.add(entryWhere, `interface name ${shownName(rawName)} ${problem}; skipped`);
    return undefined;
  }
  const name = rawName;
  const where = `${entryWhere} (${shownName(name)})`;
  const flags = fields.has("flags") ? fields.strings("flags", 64) : null;
  const linkinfo = fields.object("linkinfo");
  const kind = word(linkinfo, "info_kind");
  const infoData = linkinfo?.object("info_data");
  const slaveData = linkinfo?.object("info_slave_data");
  const permanent = slaveData?.string("perm_hwaddr", 128);
  const rawAddress = fields.string("address", 128);
  return {
    name,
    ifindex: fields.integer("ifindex", 1, MAX_IFINDEX) ?? null,
    address: rawAddress === undefined ? null : (canonicalMac(rawAddress) ?? null),
    permanentAddress: permanent === undefined ? null : (canonicalMac(permanent) ?? null),
    mtu: fields.integer("mtu", 0, MAX_U32) ?? null,
    operstate: operstate(fields.string("operstate", 64), where, errors),
    adminUp: flags === null ? null : flags.includes("UP"),
    type: word(fields, "link_type"),
    kind,
    bus: word(fields, "parentbus"),
    busId: word(fields, "parentdev"),
    altnames: fields
      .strings("altnames", 256)
      .filter((altname) => !interfaceNameProblem(altname, MAX_ALTNAME_BYTES)),
    alias: alias(fields.string("ifalias", MAX_ALIAS * 4)),
    link: nameField(fields, "link", where, errors) ?? null,
    vlanId: kind === "vlan" ? (infoData?.integer("id", 0, 4095) ?? null) : null,
    master: master(fields, linkinfo, slaveData, where, errors),
    bond: kind === "bond" ? bondSettings(infoData) : null,
    ipaddrs: addresses(fields, name, where, errors),
  };
}

function master(
  fields: Fields,
  linkinfo: Fields | undefined,
  slaveData: Fields | undefined,
  where: string,
  errors: ErrorList,
): MasterLink | null {
  const name = nameField(fields, "master", where, errors);
  if (name === undefined) return null;
  const state = word(slaveData, "state");
  return {
    name,
    kind: word(linkinfo, "info_slave_kind"),
    state: state === null ? null : state.toLowerCase(),
  };
}

function bondSettings(data: Fields | undefined): BondSettings {
  return {
    mode: word(data, "mode"),
    active_slave: (() => {
      const name = data?.string("active_slave", 64);
      return name !== undefined && !interfaceNameProblem(name) ? name : null;
    })(),
    miimon: data?.integer("miimon", 0, MAX_U32) ?? null,
    xmit_hash_policy: word(data, "xmit_hash_policy"),
  };
}

function addresses(
  fields: Fields,
  name: string,
  where: string,
  errors: ErrorList,
): Record<string, IpAddress> {
  const result = new Map<string, IpAddress>();
  for (const [index, entry] of fields.list("addr_info").entries()) {
    const addressWhere = `${where} addr_info ${index}`;
    if (!isRecord(entry)) {
      errors.add(addressWhere, "not an object; skipped");
      continue;
    }
    const parsed = address(new Fields(entry, addressWhere, errors), name, addressWhere, errors);
    if (!parsed) continue;
    if (result.has(parsed.cidr)) {
      errors.add(addressWhere, `${parsed.cidr} listed twice; second skipped`);
      continue;
    }
    result.set(parsed.cidr, parsed.record);
  }
  return Object.fromEntries(result);
}

function address(fields: Fields, name: string, where: string, errors: ErrorList) {
  const family = fields.string("family", 16);
  // Other families (none today) are not IP addresses.
  if (family !== "inet" && family !== "inet6") return undefined;
  const wanted = family === "inet" ? "ipv4" : "ipv6";
  const local = fields.string("local", 64);
  const ip = local === undefined ? undefined : canonicalIp(local);
  if (!ip || ip.family !== wanted) {
    errors.add(where, `local ${shownName(local ?? "(missing)")} is not an ${wanted} address`);
    return undefined;
  }
  const prefix = fields.record.prefixlen;
  if (
    typeof prefix !== "number" ||
    !Number.isInteger(prefix) ||
    prefix < 0 ||
    prefix > (wanted === "ipv4" ? 32 : 128)
  ) {
    errors.add(where, `${ip.ip} has no valid prefixlen; skipped`);
    return undefined;
  }
  const optionalIp = (key: string) => {
    const text = fields.string(key, 64);
    if (text === undefined) return null;
    const parsed = canonicalIp(text);
    if (parsed?.family === wanted) return parsed.ip;
    errors.add(where, `${key} ${shownName(text)} is not an ${wanted} address; ignored`);
    return null;
  };
  const peer = optionalIp("address");
  const label = fields.string("label", 64);
  const scope = fields.record.scope;
  return {
    cidr: `${ip.ip}/${prefix}`,
    record: {
      brd: optionalIp("broadcast"),
      scope:
        typeof scope === "number" && Number.isInteger(scope)
          ? String(scope)
          : (word(fields, "scope") ?? "global"),
      name: label !== undefined && !interfaceLabelProblem(label) ? label : name,
      peer: peer === ip.ip ? null : peer,
      dynamic: fields.record.dynamic === true,
    } satisfies IpAddress,
  };
}

/** IPv4 labels are "<interface>" or "<interface>:<alias>", up to 15 bytes. */
function interfaceLabelProblem(label: string): string | undefined {
  const [base = "", ...rest] = label.split(":");
  if (rest.length > 1) return "more than one ':'";
  return (
    interfaceNameProblem(base) ??
    (rest[0] !== undefined && !WORD.test(rest[0]) ? "bad alias" : undefined)
  );
}
