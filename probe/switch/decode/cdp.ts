/** CDP (Cisco Discovery Protocol) v1 and v2 PDU decoder: the bytes after the SNAP or HDLC header. */
import type { DecodeResult, ManagementAddress } from "../neighbour.js";
import { ByteReader, DecodeFault } from "./byte-reader.js";
import { cdpCapabilities } from "./capabilities.js";
import { NeighbourDraft } from "./draft.js";
import { hex, ipv4, ipv6, oid, text, textOrHex } from "./format.js";

const TLV_NAMES: Record<number, string> = {
  1: "device id",
  2: "addresses",
  3: "port id",
  4: "capabilities",
  5: "software version",
  6: "platform",
  7: "ip prefix",
  8: "protocol hello",
  9: "vtp management domain",
  10: "native vlan",
  11: "duplex",
  14: "voice vlan reply",
  15: "voice vlan query",
  16: "power consumption",
  17: "mtu",
  18: "trust bitmap",
  19: "untrusted port cos",
  20: "system name",
  21: "system object id",
  22: "management addresses",
  23: "location",
  25: "power requested",
  26: "power available",
};

function tlvName(type: number): string {
  return TLV_NAMES[type] ?? `tlv 0x${type.toString(16).padStart(4, "0")}`;
}

/**
 * Decodes one CDP PDU. `frameOffset` is where `bytes[0]` sits in the frame,
 * so that error offsets are frame offsets.
 */
export function decodeCdp(bytes: Uint8Array, frameOffset = 0): DecodeResult {
  const draft = new NeighbourDraft("cdp");
  let hasDeviceId = false;
  try {
    const reader = ByteReader.over(bytes, frameOffset, "cdp header");
    const version = reader.u8("version");
    if (version !== 1 && version !== 2) reader.fail(`CDP version ${version} is not 1 or 2`);
    draft.neighbour.cdp_version = version;
    draft.neighbour.ttl_seconds = reader.u8("holdtime");
    reader.u16("checksum");
    // Every pass consumes at least the 4-byte header, so this ends.
    while (!reader.atEnd) {
      const tlvOffset = reader.offset;
      if (reader.remaining < 4) {
        throw new DecodeFault(
          "tlv header",
          tlvOffset,
          `${reader.remaining} byte(s) left where a 4-byte TLV header starts`,
        );
      }
      const type = reader.u16();
      const length = reader.u16();
      const name = tlvName(type);
      if (length < 4) {
        throw new DecodeFault(
          name,
          tlvOffset,
          `TLV length ${length} is less than its 4-byte header`,
        );
      }
      const value = reader.sub(length - 4, name, tlvOffset);
      if (type === 0x01) hasDeviceId = true;
      decodeTlv(type, value, draft);
    }
    if (!hasDeviceId) {
      throw new DecodeFault("device id", frameOffset, "CDP PDU has no device id TLV");
    }
    return { kind: "neighbour", protocol: "cdp", neighbour: draft.neighbour };
  } catch (error) {
    if (!(error instanceof DecodeFault)) throw error;
    const result: DecodeResult = {
      kind: "error",
      protocol: "cdp",
      tlv: error.tlv,
      offset: error.offset,
      message: error.message,
    };
    if (hasDeviceId) result.partial = draft.neighbour;
    return result;
  }
}

function decodeTlv(type: number, value: ByteReader, draft: NeighbourDraft): void {
  const { chassis, port } = draft.neighbour;
  switch (type) {
    case 0x01: {
      const id = value.rest();
      chassis.id = textOrHex(id);
      chassis.name = text(id);
      return;
    }
    case 0x02:
    case 0x16:
      for (const address of decodeAddresses(value)) {
        const known = chassis.management_addresses.some(
          (other) => other.family === address.family && other.address === address.address,
        );
        if (!known) chassis.management_addresses.push(address);
      }
      return;
    case 0x03:
      port.id = text(value.rest());
      return;
    case 0x04: {
      value.expectLength(4);
      const names = cdpCapabilities(value.u32());
      chassis.capabilities = { supported: names, enabled: [...names] };
      return;
    }
    case 0x05: {
      const version = text(value.rest());
      chassis.software_version = version;
      chassis.description = version;
      return;
    }
    case 0x06:
      chassis.platform = text(value.rest());
      return;
    case 0x09:
      chassis.vtp_domain = text(value.rest());
      return;
    case 0x0a:
      value.expectLength(2);
      port.vlan_id = value.u16();
      return;
    case 0x0b:
      value.expectLength(1);
      port.duplex = value.u8() === 0 ? "half" : "full";
      return;
    case 0x0e:
    case 0x0f: {
      // Data byte, then the VLAN. Some senders send a 2-byte value; keep those raw.
      if (value.remaining < 3) break;
      value.u8("voice vlan data");
      const vlan = value.u16("voice vlan");
      if (type === 0x0e) port.voice_vlan = vlan;
      else port.voice_vlan_query = vlan;
      return;
    }
    case 0x10:
      value.expectLength(2);
      draft.power().consumption_mw = value.u16();
      return;
    case 0x11:
      value.expectLength(4);
      port.mtu = value.u32();
      return;
    case 0x12:
      value.expectLength(1);
      port.trust_bitmap = value.u8();
      return;
    case 0x13:
      value.expectLength(1);
      port.untrusted_port_cos = value.u8();
      return;
    case 0x14:
      chassis.system_name = text(value.rest());
      return;
    case 0x15: {
      const objectId = oid(value.rest());
      if (objectId === undefined) break;
      chassis.system_object_id = objectId;
      return;
    }
    case 0x17:
      value.u8("location data");
      chassis.location = text(value.rest());
      return;
    case 0x19:
    case 0x1a: {
      const requestId = value.u16("request id");
      const managementId = value.u16("management id");
      if (value.remaining % 4 !== 0) {
        value.fail(`${value.tlv} power list is ${value.remaining} bytes, not a multiple of 4`);
      }
      const levels: number[] = [];
      while (!value.atEnd) levels.push(value.u32("power level"));
      const power = draft.power();
      if (type === 0x19) {
        power.cdp_requested = {
          request_id: requestId,
          management_id: managementId,
          levels_mw: levels,
        };
      } else {
        power.cdp_available = {
          request_id: requestId,
          management_id: managementId,
          available_mw: levels,
        };
      }
      return;
    }
  }
  draft.unknown({ type, hex: hex(value.rest()) });
}

const IPV6_8022 = "aaaa0300000086dd";

function decodeAddresses(value: ByteReader): ManagementAddress[] {
  const count = value.u32("number of addresses");
  // Each address needs at least 4 bytes; a larger count is a lie, caught before looping.
  if (count * 4 > value.remaining) {
    value.fail(`${count} addresses cannot fit in the ${value.remaining} bytes that follow`);
  }
  const addresses: ManagementAddress[] = [];
  for (let i = 0; i < count; i++) {
    const protocolType = value.u8("address protocol type");
    const protocolLength = value.u8("address protocol length");
    const protocol = value.take(protocolLength, "address protocol");
    const addressLength = value.u16("address length");
    const address = value.take(addressLength, "address");
    const protocolHex = hex(protocol);
    if (protocolType === 1 && protocolHex === "cc" && addressLength === 4) {
      addresses.push({ family: "ipv4", address: ipv4(address) });
    } else if (protocolType === 2 && protocolHex === IPV6_8022 && addressLength === 16) {
      addresses.push({ family: "ipv6", address: ipv6(address) });
    } else {
      addresses.push({
        family: "other",
        address: hex(address),
        address_family: `${protocolType.toString(16).padStart(2, "0")}:${protocolHex}`,
      });
    }
  }
  return addresses;
}
