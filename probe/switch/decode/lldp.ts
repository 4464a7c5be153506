/**
 * LLDP (IEEE 802.1AB) LLDPDU decoder: the basic TLVs here, the organisation
 * TLVs in lldp-ieee.ts (802.1, 802.3) and lldp-med.ts (TIA-1057).
 */
import type { DecodeResult, ManagementAddress, PortIdSubtype } from "../neighbour.js";
import { ByteReader, DecodeFault } from "./byte-reader.js";
import { lldpCapabilities } from "./capabilities.js";
import { NeighbourDraft } from "./draft.js";
import { hex, ipv4, ipv6, mac, oid, oui, text, textOrHex } from "./format.js";
import { decodeDot1, decodeDot3, OUI_IEEE_802_1, OUI_IEEE_802_3 } from "./lldp-ieee.js";
import { decodeMed, OUI_TIA } from "./lldp-med.js";

const TLV_NAMES: Record<number, string> = {
  0: "end of lldpdu",
  1: "chassis id",
  2: "port id",
  3: "time to live",
  4: "port description",
  5: "system name",
  6: "system description",
  7: "system capabilities",
  8: "management address",
  127: "organization specific",
};

const CHASSIS_SUBTYPES = [
  undefined,
  "chassis_component",
  "interface_alias",
  "port_component",
  "mac_address",
  "network_address",
  "interface_name",
  "local",
] as const;

const PORT_SUBTYPES = [
  undefined,
  "interface_alias",
  "port_component",
  "mac_address",
  "network_address",
  "interface_name",
  "agent_circuit_id",
  "local",
] as const;

/**
 * Decodes one LLDPDU (the bytes after the Ethernet header). `frameOffset` is
 * where `bytes[0]` sits in the frame, so that error offsets are frame offsets.
 */
export function decodeLldp(bytes: Uint8Array, frameOffset = 0): DecodeResult {
  const draft = new NeighbourDraft("lldp");
  const seen = { chassis: false, port: false, ttl: false };
  try {
    walk(ByteReader.over(bytes, frameOffset, "lldpdu"), draft, seen);
    for (const [key, name] of [
      ["chassis", "chassis id"],
      ["port", "port id"],
      ["ttl", "time to live"],
    ] as const) {
      if (!seen[key]) {
        throw new DecodeFault(name, frameOffset, `LLDPDU has no ${name} TLV (it is mandatory)`);
      }
    }
    return { kind: "neighbour", protocol: "lldp", neighbour: draft.neighbour };
  } catch (error) {
    if (!(error instanceof DecodeFault)) throw error;
    const result: DecodeResult = {
      kind: "error",
      protocol: "lldp",
      tlv: error.tlv,
      offset: error.offset,
      message: error.message,
    };
    if (seen.chassis && seen.port && seen.ttl) result.partial = draft.neighbour;
    return result;
  }
}

function walk(
  reader: ByteReader,
  draft: NeighbourDraft,
  seen: { chassis: boolean; port: boolean; ttl: boolean },
): void {
  // Every pass consumes at least the 2-byte header, so this ends.
  while (!reader.atEnd) {
    const tlvOffset = reader.offset;
    if (reader.remaining < 2) {
      throw new DecodeFault(
        "tlv header",
        tlvOffset,
        `1 byte left where a 2-byte TLV header starts`,
      );
    }
    const header = reader.u16();
    const type = header >> 9;
    const length = header & 0x1ff;
    const name = TLV_NAMES[type] ?? `tlv ${type}`;
    const value = reader.sub(length, name, tlvOffset);
    if (type === 0) {
      if (length !== 0) value.fail(`end of lldpdu TLV must have length 0, it has ${length}`);
      return; // What follows End is padding.
    }
    switch (type) {
      case 1:
        if (seen.chassis) value.fail("second chassis id TLV in one LLDPDU");
        seen.chassis = true;
        decodeChassisId(value, draft);
        break;
      case 2:
        if (seen.port) value.fail("second port id TLV in one LLDPDU");
        seen.port = true;
        decodePortId(value, draft);
        break;
      case 3:
        if (seen.ttl) value.fail("second time to live TLV in one LLDPDU");
        seen.ttl = true;
        value.expectLength(2);
        draft.neighbour.ttl_seconds = value.u16();
        break;
      case 4:
        draft.neighbour.port.description = text(value.rest());
        break;
      case 5:
        draft.neighbour.chassis.name = text(value.rest());
        break;
      case 6:
        draft.neighbour.chassis.description = text(value.rest());
        break;
      case 7: {
        value.expectLength(4);
        const supported = value.u16();
        const enabled = value.u16();
        draft.neighbour.chassis.capabilities = {
          supported: lldpCapabilities(supported),
          enabled: lldpCapabilities(enabled),
        };
        break;
      }
      case 8:
        draft.neighbour.chassis.management_addresses.push(decodeManagementAddress(value));
        break;
      case 127:
        decodeOrganisation(value, draft);
        break;
      default:
        draft.unknown({ type, hex: hex(value.rest()) });
    }
  }
}

function decodeChassisId(value: ByteReader, draft: NeighbourDraft): void {
  value.expectAtLeast(2);
  const subtype = value.u8("chassis id subtype");
  const id = value.rest();
  const chassis = draft.neighbour.chassis;
  chassis.id_subtype = CHASSIS_SUBTYPES[subtype] ?? `reserved_${subtype}`;
  chassis.id = idText(subtype === 4, subtype === 5, id);
}

function decodePortId(value: ByteReader, draft: NeighbourDraft): void {
  value.expectAtLeast(2);
  const subtype = value.u8("port id subtype");
  const id = value.rest();
  const port = draft.neighbour.port;
  port.id_subtype = (PORT_SUBTYPES[subtype] ?? `reserved_${subtype}`) as PortIdSubtype;
  port.id = idText(subtype === 3, subtype === 4, id);
}

/** MAC → "aa:bb:..", network address → IP text, printable → text, else hex. */
function idText(isMac: boolean, isNetworkAddress: boolean, id: Uint8Array): string {
  if (isMac && id.length === 6) return mac(id);
  if (isNetworkAddress && id.length >= 1) {
    const address = id.subarray(1);
    if (id[0] === 1 && address.length === 4) return ipv4(address);
    if (id[0] === 2 && address.length === 16) return ipv6(address);
    return hex(id);
  }
  return textOrHex(id);
}

/** IANA address family numbers → our families. */
function addressFrom(family: number, bytes: Uint8Array): ManagementAddress {
  if (family === 1 && bytes.length === 4) return { family: "ipv4", address: ipv4(bytes) };
  if (family === 2 && bytes.length === 16) return { family: "ipv6", address: ipv6(bytes) };
  if (family === 6 && bytes.length === 6) return { family: "mac", address: mac(bytes) };
  return { family: "other", address: hex(bytes), address_family: family };
}

const INTERFACE_NUMBERING = [undefined, "unknown", "ifindex", "system_port"] as const;

function decodeManagementAddress(value: ByteReader): ManagementAddress {
  const stringLength = value.u8("management address string length");
  if (stringLength < 2) {
    value.fail(`management address string length must be 2..32, it is ${stringLength}`);
  }
  const family = value.u8("management address subtype");
  const result = addressFrom(family, value.take(stringLength - 1, "management address"));
  const numbering = value.u8("interface numbering subtype");
  result.interface_numbering = INTERFACE_NUMBERING[numbering] ?? "unknown";
  result.interface_number = value.u32("interface number");
  const oidLength = value.u8("oid string length");
  if (oidLength > 0) {
    const objectId = oid(value.take(oidLength, "object identifier"));
    if (objectId !== undefined) result.oid = objectId;
  }
  return result;
}

function decodeOrganisation(value: ByteReader, draft: NeighbourDraft): void {
  value.expectAtLeast(4);
  const org = value.u24("organisation OUI");
  const subtype = value.u8("organisation subtype");
  let known: boolean;
  switch (org) {
    case OUI_IEEE_802_1:
      known = decodeDot1(subtype, value, draft);
      break;
    case OUI_IEEE_802_3:
      known = decodeDot3(subtype, value, draft);
      break;
    case OUI_TIA:
      known = decodeMed(subtype, value, draft);
      break;
    default:
      known = false;
  }
  if (!known) draft.unknown({ type: 127, oui: oui(org), subtype, hex: hex(value.rest()) });
}
