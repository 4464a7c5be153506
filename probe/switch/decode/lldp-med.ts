/** LLDP-MED (ANSI/TIA-1057) organisation TLVs, OUI 00:12:bb. */
import type { MedInfo, MedLocation } from "../neighbour.js";
import type { ByteReader } from "./byte-reader.js";
import type { NeighbourDraft } from "./draft.js";
import { hex, text } from "./format.js";

export const OUI_TIA = 0x0012bb;

const NAMES: Record<number, string> = {
  1: "lldp-med capabilities",
  2: "lldp-med network policy",
  3: "lldp-med location identification",
  4: "lldp-med extended power-via-mdi",
  5: "lldp-med hardware revision",
  6: "lldp-med firmware revision",
  7: "lldp-med software revision",
  8: "lldp-med serial number",
  9: "lldp-med manufacturer name",
  10: "lldp-med model name",
  11: "lldp-med asset id",
};

const INVENTORY: Record<number, keyof MedInfo> = {
  5: "hardware_revision",
  6: "firmware_revision",
  7: "software_revision",
  8: "serial_number",
  9: "manufacturer",
  10: "model",
  11: "asset_id",
};

const CAPABILITIES = [
  "capabilities",
  "network_policy",
  "location",
  "extended_power_pse",
  "extended_power_pd",
  "inventory",
];

const DEVICE_TYPES = [
  "not_defined",
  "endpoint_class_1",
  "endpoint_class_2",
  "endpoint_class_3",
  "network_connectivity",
];

const APPLICATIONS = [
  undefined,
  "voice",
  "voice_signaling",
  "guest_voice",
  "guest_voice_signaling",
  "softphone_voice",
  "video_conferencing",
  "streaming_video",
  "video_signaling",
];

/** Decodes a MED TLV into the draft; false when the subtype is not one we decode. */
export function decodeMed(subtype: number, tlv: ByteReader, draft: NeighbourDraft): boolean {
  const name = NAMES[subtype];
  if (name === undefined) return false;
  const value = tlv.renamed(name);
  switch (subtype) {
    case 1: {
      value.expectLength(3);
      const bits = value.u16();
      const type = value.u8();
      const med = draft.med();
      med.capabilities = [];
      for (let bit = 0; bit < 16; bit++) {
        if ((bits & (1 << bit)) !== 0) med.capabilities.push(CAPABILITIES[bit] ?? `bit${bit}`);
      }
      med.device_type = DEVICE_TYPES[type] ?? `reserved_${type}`;
      break;
    }
    case 2:
      decodeNetworkPolicy(value, draft);
      break;
    case 3: {
      const med = draft.med();
      if (med.locations === undefined) med.locations = [];
      med.locations.push(decodeLocation(value));
      break;
    }
    case 4:
      decodeExtendedPower(value, draft);
      break;
    default: {
      const field = INVENTORY[subtype] as keyof MedInfo;
      (draft.med() as Record<string, unknown>)[field] = text(value.rest());
    }
  }
  return true;
}

function decodeNetworkPolicy(value: ByteReader, draft: NeighbourDraft): void {
  value.expectLength(4);
  const application = value.u8();
  // Unknown (1 bit), tagged (1), reserved (1), VLAN (12), L2 priority (3), DSCP (6).
  const bits = value.u24();
  const policy = {
    application: APPLICATIONS[application] ?? `reserved_${application}`,
    unknown: (bits & 0x800000) !== 0,
    tagged: (bits & 0x400000) !== 0,
    vlan_id: (bits >> 9) & 0x0fff,
    l2_priority: (bits >> 6) & 0x07,
    dscp: bits & 0x3f,
  };
  const port = draft.neighbour.port;
  if (port.network_policies === undefined) port.network_policies = [];
  port.network_policies.push(policy);
  if (policy.application === "voice" && !policy.unknown && port.voice_vlan === undefined) {
    port.voice_vlan = policy.vlan_id;
  }
}

function decodeLocation(value: ByteReader): MedLocation {
  const format = value.u8("location data format");
  switch (format) {
    case 1:
      value.expectLength(16);
      return decodeCoordinates(value);
    case 2:
      return decodeCivic(value);
    case 3:
      return { format: "elin", elin: text(value.rest()) };
    default:
      return { format: "unknown", format_code: format, hex: hex(value.rest()) };
  }
}

/** RFC 3825 LCI: 34-bit latitude/longitude with 25 fraction bits, 30-bit altitude with 8. */
function decodeCoordinates(value: ByteReader): MedLocation {
  const bytes = value.take(16);
  const b = (i: number) => bytes[i] as number;
  const fixed34 = (hi: number, lo: number) => {
    const raw = (hi & 0x03) * 2 ** 32 + lo;
    return (raw >= 2 ** 33 ? raw - 2 ** 34 : raw) / 2 ** 25;
  };
  const u32At = (i: number) => b(i) * 0x1000000 + ((b(i + 1) << 16) | (b(i + 2) << 8) | b(i + 3));
  const altitudeRaw = ((b(11) & 0x3f) << 24) | (b(12) << 16) | (b(13) << 8) | b(14);
  const altitudeType = b(10) >> 4;
  const datum = b(15);
  return {
    format: "coordinate",
    latitude: fixed34(b(0), u32At(1)),
    latitude_resolution: b(0) >> 2,
    longitude: fixed34(b(5), u32At(6)),
    longitude_resolution: b(5) >> 2,
    altitude_type:
      ["unknown", "meters", "floors"][altitudeType] ?? `reserved_${altitudeType.toString()}`,
    altitude: (altitudeRaw >= 2 ** 29 ? altitudeRaw - 2 ** 30 : altitudeRaw) / 256,
    altitude_resolution: ((b(10) & 0x0f) << 2) | (b(11) >> 6),
    datum: ["reserved_0", "wgs84", "nad83_navd88", "nad83_mllw"][datum] ?? `reserved_${datum}`,
  };
}

/** RFC 4776 CAtypes with a name. */
const CIVIC_TYPES: Record<number, string> = {
  0: "language",
  1: "state",
  2: "county",
  3: "city",
  4: "city_division",
  5: "neighbourhood",
  6: "street",
  16: "leading_street_direction",
  17: "trailing_street_suffix",
  18: "street_suffix",
  19: "house_number",
  20: "house_number_suffix",
  21: "landmark",
  22: "additional_location",
  23: "name",
  24: "postal_code",
  25: "building",
  26: "unit",
  27: "floor",
  28: "room",
  29: "place_type",
  30: "postal_community_name",
  31: "po_box",
  32: "additional_code",
  33: "seat",
  34: "primary_road_name",
  35: "road_section",
  36: "road_branch",
  37: "road_sub_branch",
  38: "road_pre_modifier",
  39: "road_post_modifier",
  128: "script",
};

function decodeCivic(value: ByteReader): MedLocation {
  const lciLength = value.u8("civic LCI length");
  const lci = value.sub(lciLength, value.tlv, value.tlvOffset, "civic LCI");
  const what = lci.u8("civic what");
  const country = text(lci.take(2, "civic country code"));
  const elements: { type: number; name?: string; value: string }[] = [];
  // Each element consumes at least its 2-byte header, so this ends.
  while (!lci.atEnd) {
    const type = lci.u8("civic CAtype");
    const length = lci.u8("civic CAlength");
    const element: { type: number; name?: string; value: string } = {
      type,
      value: text(lci.take(length, "civic CAvalue")),
    };
    const name = CIVIC_TYPES[type];
    if (name !== undefined) element.name = name;
    elements.push(element);
  }
  return { format: "civic", what, country_code: country, elements };
}

const MED_PSE_SOURCES = ["unknown", "primary", "backup"];
const MED_PD_SOURCES = ["unknown", "pse", "local", "pse_and_local"];
const MED_PRIORITIES = ["unknown", "critical", "high", "low"];

function decodeExtendedPower(value: ByteReader, draft: NeighbourDraft): void {
  value.expectLength(3);
  const bits = value.u8();
  const watts = value.u16();
  const type = bits >> 6;
  const source = (bits >> 4) & 0x03;
  const priority = bits & 0x0f;
  const deviceType = type === 0 ? "pse" : type === 1 ? "pd" : (`reserved_${type}` as const);
  const sources = type === 0 ? MED_PSE_SOURCES : type === 1 ? MED_PD_SOURCES : [];
  draft.power().med = {
    device_type: deviceType,
    source: sources[source] ?? `reserved_${source}`,
    priority: MED_PRIORITIES[priority] ?? `reserved_${priority}`,
    value_mw: watts * 100,
  };
}
