/**
 * Test support: the tshark fields the decoder's results are compared with,
 * each with how to read the same value from our DecodeResult. tshark's
 * values come from `tshark -T ek -e FIELD ...`: every occurrence, as text
 * (numbers in decimal or 0x hex, booleans as 0/1, bytes as hex).
 */
import type { DecodeResult, Neighbour } from "../neighbour.js";

export type Value = string | number | boolean;

export interface FieldCheck {
  /** tshark fields whose occurrences, concatenated in this order, give the expected values. */
  fields: string[];
  /** Our values for the frame; undefined or [] when the frame does not carry the field. */
  ours: (result: DecodeResult, neighbour: Neighbour | undefined) => Value[] | Value | undefined;
  /** "set": compare as sorted, de-duplicated sets (where tshark repeats or orders differently). */
  mode?: "ordered" | "set";
  /** Maps each tshark value before comparing (e.g. to strip bits tshark keeps in the field). */
  fromTshark?: (value: number | string) => number | string;
  /** tshark values of 0 that the decoder leaves out on purpose (VLAN 0 means "none"). */
  dropTsharkZero?: boolean;
  /** Results this check does not apply to. */
  skip?: (result: DecodeResult) => boolean;
  /** Why this field's comparison is shaped the way it is, when it is not a straight copy. */
  note?: string;
}

const CHASSIS_SUBTYPES = [
  "",
  "chassis_component",
  "interface_alias",
  "port_component",
  "mac_address",
  "network_address",
  "interface_name",
  "local",
];
const PORT_SUBTYPES = [
  "",
  "interface_alias",
  "port_component",
  "mac_address",
  "network_address",
  "interface_name",
  "agent_circuit_id",
  "local",
];
const LLDP_CAPS = [
  "other",
  "repeater",
  "bridge",
  "wlan_ap",
  "router",
  "telephone",
  "docsis",
  "station",
  "cvlan",
  "svlan",
  "tpmr",
];
const CDP_CAPS = [
  "router",
  "bridge",
  "source_route_bridge",
  "switch",
  "host",
  "igmp",
  "repeater",
  "telephone",
  "remotely_managed",
  "cvta",
  "tpmr",
];
const ADVERTISED = [
  "other",
  "10baseT",
  "10baseTFD",
  "100baseT4",
  "100baseTX",
  "100baseTXFD",
  "100baseT2",
  "100baseT2FD",
  "fdxPause",
  "fdxAPause",
  "fdxSPause",
  "fdxBPause",
  "1000baseX",
  "1000baseXFD",
  "1000baseT",
  "1000baseTFD",
];
const MED_CAPS = [
  "capabilities",
  "network_policy",
  "location",
  "extended_power_pse",
  "extended_power_pd",
  "inventory",
];
const MED_TYPES = [
  "not_defined",
  "endpoint_class_1",
  "endpoint_class_2",
  "endpoint_class_3",
  "network_connectivity",
];
const MED_APPS = [
  "",
  "voice",
  "voice_signaling",
  "guest_voice",
  "guest_voice_signaling",
  "softphone_voice",
  "video_conferencing",
  "streaming_video",
  "video_signaling",
];
const PRIORITIES = ["unknown", "critical", "high", "low"];
const PSE_SOURCES = ["unknown", "primary", "backup"];
const PD_SOURCES = ["unknown", "pse", "local", "pse_and_local"];
const LOCATION_FORMATS = { coordinate: 1, civic: 2, elin: 3 } as Record<string, number>;

function bits(names: string[], table: string[], msbFirstWidth?: number): number {
  let value = 0;
  for (const name of names) {
    const bit = table.indexOf(name);
    if (bit < 0) continue;
    value += msbFirstWidth === undefined ? 2 ** bit : 2 ** (msbFirstWidth - 1 - bit);
  }
  return value;
}

function hexOf(text: string): string {
  return Buffer.from(text, "utf8").toString("hex");
}

const lldp = (n: Neighbour | undefined) => (n?.protocols[0] === "lldp" ? n : undefined);
const cdp = (n: Neighbour | undefined) => (n?.protocols[0] === "cdp" ? n : undefined);

const IGNORED_PIDS: Record<string, number> = {
  dtp: 0x2004,
  vtp: 0x2003,
  pagp: 0x0104,
  udld: 0x0111,
};

export const FIELD_CHECKS: FieldCheck[] = [
  // Frame level.
  {
    fields: ["eth.src", "sll.src.eth"],
    ours: (_, n) => n?.source_mac,
    skip: (r) => r.kind === "ignored",
    note: "ignored frames carry no neighbour, so only decoded frames are compared",
  },
  {
    fields: ["llc.cisco_pid", "chdlc.protocol"],
    ours: (r) =>
      r.kind === "ignored"
        ? IGNORED_PIDS[r.protocol]
        : r.kind !== "error" && r.protocol === "cdp"
          ? 0x2000
          : undefined,
    note: "the SNAP protocol id, or the Cisco HDLC protocol (the same 0x2000 for CDP)",
  },
  // LLDP basic TLVs.
  {
    fields: ["lldp.chassis.subtype"],
    ours: (_, n) => (lldp(n) ? CHASSIS_SUBTYPES.indexOf(n?.chassis.id_subtype ?? "") : undefined),
  },
  {
    fields: ["lldp.chassis.id.mac"],
    ours: (_, n) => (lldp(n)?.chassis.id_subtype === "mac_address" ? n?.chassis.id : undefined),
  },
  {
    fields: ["lldp.chassis.id.ip4"],
    ours: (_, n) =>
      lldp(n)?.chassis.id_subtype === "network_address" && n?.chassis.id.includes(".")
        ? n.chassis.id
        : undefined,
  },
  {
    fields: ["lldp.chassis.id"],
    ours: (_, n) => {
      const chassis = lldp(n)?.chassis;
      if (!chassis || ["mac_address", "network_address"].includes(chassis.id_subtype)) return;
      // tshark shows these subtypes as bytes; ours is the text, or hex when not printable.
      return /^[0-9a-f]+$/.test(chassis.id) && chassis.id.length % 2 === 0
        ? chassis.id
        : hexOf(chassis.id);
    },
  },
  {
    fields: ["lldp.port.subtype"],
    ours: (_, n) => (lldp(n) ? PORT_SUBTYPES.indexOf(n?.port.id_subtype ?? "") : undefined),
  },
  {
    fields: ["lldp.port.id"],
    ours: (_, n) =>
      lldp(n) && !["mac_address", "network_address"].includes(n?.port.id_subtype ?? "")
        ? n?.port.id
        : undefined,
  },
  {
    fields: ["lldp.port.id.mac"],
    ours: (_, n) => (lldp(n)?.port.id_subtype === "mac_address" ? n?.port.id : undefined),
  },
  {
    fields: ["lldp.port.id.ip6"],
    ours: (_, n) =>
      lldp(n)?.port.id_subtype === "network_address" && n?.port.id.includes(":")
        ? n.port.id
        : undefined,
  },
  { fields: ["lldp.time_to_live"], ours: (_, n) => lldp(n)?.ttl_seconds },
  { fields: ["lldp.port.desc"], ours: (_, n) => lldp(n)?.port.description },
  { fields: ["lldp.tlv.system.name"], ours: (_, n) => lldp(n)?.chassis.name },
  { fields: ["lldp.tlv.system.desc"], ours: (_, n) => lldp(n)?.chassis.description },
  {
    fields: ["lldp.tlv.system_cap"],
    ours: (_, n) => {
      const caps = lldp(n)?.chassis.capabilities;
      return caps && caps.supported.length + caps.enabled.length > 0
        ? bits(caps.supported, LLDP_CAPS)
        : undefined;
    },
    note: "a TLV with no bit set reads like an absent TLV; the samples have none",
  },
  {
    fields: ["lldp.tlv.enable_system_cap"],
    ours: (_, n) => {
      const caps = lldp(n)?.chassis.capabilities;
      return caps && caps.supported.length + caps.enabled.length > 0
        ? bits(caps.enabled, LLDP_CAPS)
        : undefined;
    },
  },
  {
    fields: ["lldp.mgn.address.subtype"],
    ours: (_, n) =>
      lldp(n)?.chassis.management_addresses.map((a) =>
        a.family === "ipv4"
          ? 1
          : a.family === "ipv6"
            ? 2
            : a.family === "mac"
              ? 6
              : Number(a.address_family),
      ),
  },
  {
    fields: ["lldp.mgn.addr.ip4"],
    ours: (_, n) =>
      lldp(n)
        ?.chassis.management_addresses.filter((a) => a.family === "ipv4")
        .map((a) => a.address),
  },
  {
    fields: ["lldp.mgn.addr.ip6"],
    ours: (_, n) =>
      lldp(n)
        ?.chassis.management_addresses.filter((a) => a.family === "ipv6")
        .map((a) => a.address),
  },
  {
    fields: ["lldp.mgn.addr.hex"],
    ours: (_, n) =>
      lldp(n)
        ?.chassis.management_addresses.filter((a) => a.family === "mac" || a.family === "other")
        .map((a) => a.address.replaceAll(":", "")),
  },
  {
    fields: ["lldp.mgn.interface.subtype"],
    ours: (_, n) =>
      lldp(n)?.chassis.management_addresses.map(
        (a) => ({ unknown: 1, ifindex: 2, system_port: 3 })[a.interface_numbering ?? "unknown"],
      ),
  },
  {
    fields: ["lldp.mgn.interface.number"],
    ours: (_, n) => lldp(n)?.chassis.management_addresses.map((a) => a.interface_number ?? 0),
  },
  {
    fields: ["lldp.mgn.obj.id"],
    ours: (_, n) =>
      lldp(n)
        ?.chassis.management_addresses.filter((a) => a.oid !== undefined)
        .map((a) => a.oid as string),
  },
  // IEEE 802.1.
  {
    fields: ["lldp.ieee.802_1.port_vlan.id"],
    ours: (_, n) => lldp(n)?.port.vlan_id,
    dropTsharkZero: true,
    note: "PVID 0 (no VLAN) is left out by the decoder",
  },
  {
    fields: ["lldp.ieee.802_1.port_proto_vlan.id"],
    ours: (_, n) =>
      lldp(n)
        ?.port.vlans?.filter((v) => v.port_and_protocol)
        .map((v) => v.id),
    mode: "set",
    dropTsharkZero: true,
    note: "PPVID 0 (none) is left out by the decoder",
  },
  {
    fields: ["lldp.ieee.802_1.vlan.id"],
    ours: (_, n) =>
      lldp(n)
        ?.port.vlans?.filter((v) => v.name !== undefined)
        .map((v) => v.id),
    mode: "set",
    note: "VLAN entries merge names and protocol flags, so they follow first mention",
  },
  {
    fields: ["lldp.ieee.802_1.vlan.name"],
    ours: (_, n) =>
      lldp(n)
        ?.port.vlans?.filter((v) => v.name !== undefined)
        .map((v) => v.name as string),
    mode: "set",
  },
  { fields: ["lldp.ieee.802_1.proto.id"], ours: (_, n) => lldp(n)?.port.protocol_identities },
  {
    fields: ["lldp.ieee.802_1.aggregation_status.cap", "lldp.ieee.802_3.aggregation_status.cap"],
    ours: (_, n) => lldp(n)?.port.link_aggregation?.capable,
  },
  {
    fields: [
      "lldp.ieee.802_1.aggregation_status.enabled",
      "lldp.ieee.802_3.aggregation_status.enabled",
    ],
    ours: (_, n) => lldp(n)?.port.link_aggregation?.enabled,
  },
  {
    fields: ["lldp.ieee.802_1.aggregated_port_id", "lldp.ieee.802_3.aggregated_port_id"],
    ours: (_, n) => lldp(n)?.port.link_aggregation?.port_id,
  },
  // IEEE 802.3.
  {
    fields: ["lldp.ieee.802_3.mac_phy_auto_neg_status.supported"],
    ours: (_, n) => lldp(n)?.port.autonegotiation?.supported,
  },
  {
    fields: ["lldp.ieee.802_3.mac_phy_auto_neg_status.enabled"],
    ours: (_, n) => lldp(n)?.port.autonegotiation?.enabled,
  },
  {
    fields: ["lldp.ieee.802_3.pmd_auto_neg_advertised_caps"],
    ours: (_, n) => {
      const advertised = lldp(n)?.port.autonegotiation?.advertised;
      return advertised === undefined ? undefined : bits(advertised, ADVERTISED, 16);
    },
  },
  { fields: ["lldp.ieee.802_3.pmd_mau_type"], ours: (_, n) => lldp(n)?.port.mau_type },
  {
    fields: ["lldp.ieee.802_3.mdi_power_support.port_class"],
    ours: (_, n) => {
      const power = lldp(n)?.port.power;
      return power?.port_class === undefined ? undefined : power.port_class === "pse";
    },
  },
  {
    fields: ["lldp.ieee.802_3.mdi_power_support.supported"],
    ours: (_, n) => lldp(n)?.port.power?.mdi_supported,
  },
  {
    fields: ["lldp.ieee.802_3.mdi_power_support.enabled"],
    ours: (_, n) => lldp(n)?.port.power?.mdi_enabled,
  },
  {
    fields: ["lldp.ieee.802_3.mdi_power_support.pse_pairs"],
    ours: (_, n) => lldp(n)?.port.power?.pair_control,
  },
  {
    fields: ["lldp.ieee.802_3.mdi_pse_pair"],
    ours: (_, n) => {
      const pairs = lldp(n)?.port.power?.pairs;
      return pairs === undefined
        ? undefined
        : pairs === "signal"
          ? 1
          : pairs === "spare"
            ? 2
            : Number(pairs.slice(9));
    },
  },
  {
    fields: ["lldp.ieee.802_3.mdi_power_class"],
    ours: (_, n) => lldp(n)?.port.power?.power_class,
  },
  {
    fields: ["lldp.ieee.802_3.mdi_power_type"],
    ours: (_, n) => {
      const power = lldp(n)?.port.power;
      if (power?.power_type === undefined) return undefined;
      return (power.power_type === 1 ? 2 : 0) + (power.port_class === "pd" ? 1 : 0);
    },
  },
  {
    fields: ["lldp.ieee.802_3.mdi_power_source"],
    ours: (_, n) => {
      const power = lldp(n)?.port.power;
      if (power?.power_source === undefined) return undefined;
      return (power.port_class === "pd" ? PD_SOURCES : PSE_SOURCES).indexOf(power.power_source);
    },
  },
  {
    fields: ["lldp.ieee.802_3.mdi_power_priority"],
    ours: (_, n) => {
      const priority = lldp(n)?.port.power?.power_priority;
      return priority === undefined ? undefined : PRIORITIES.indexOf(priority);
    },
  },
  {
    fields: ["lldp.ieee.802_3.mdi_pde_requested"],
    ours: (_, n) => {
      const mw = lldp(n)?.port.power?.requested_mw;
      return mw === undefined ? undefined : mw / 100;
    },
  },
  {
    fields: ["lldp.ieee.802_3.mdi_pse_allocated"],
    ours: (_, n) => {
      const mw = lldp(n)?.port.power?.allocated_mw;
      return mw === undefined ? undefined : mw / 100;
    },
  },
  { fields: ["lldp.ieee.802_3.max_frame_size"], ours: (_, n) => lldp(n)?.port.mtu },
  // LLDP-MED.
  {
    fields: ["lldp.media.subtype.caps"],
    ours: (_, n) => {
      const caps = lldp(n)?.chassis.med?.capabilities;
      return caps === undefined ? undefined : bits(caps, MED_CAPS);
    },
  },
  {
    fields: ["lldp.media.subtype.class"],
    ours: (_, n) => {
      const type = lldp(n)?.chassis.med?.device_type;
      return type === undefined ? undefined : MED_TYPES.indexOf(type);
    },
  },
  {
    fields: ["lldp.media.app_type"],
    ours: (_, n) => lldp(n)?.port.network_policies?.map((p) => MED_APPS.indexOf(p.application)),
  },
  {
    fields: ["lldp.media.policy_flag"],
    ours: (_, n) => lldp(n)?.port.network_policies?.map((p) => p.unknown),
  },
  {
    fields: ["lldp.media.tag_flag"],
    ours: (_, n) => lldp(n)?.port.network_policies?.map((p) => p.tagged),
  },
  {
    fields: ["lldp.media.vlan_id"],
    ours: (_, n) => lldp(n)?.port.network_policies?.map((p) => p.vlan_id),
  },
  {
    fields: ["lldp.media.l2_prio"],
    ours: (_, n) => lldp(n)?.port.network_policies?.map((p) => p.l2_priority),
  },
  {
    fields: ["lldp.media.dscp"],
    ours: (_, n) => lldp(n)?.port.network_policies?.map((p) => p.dscp),
  },
  {
    fields: ["lldp.media.loc.data_format"],
    ours: (_, n) =>
      lldp(n)?.chassis.med?.locations?.map((l) =>
        l.format === "unknown" ? l.format_code : (LOCATION_FORMATS[l.format] as number),
      ),
  },
  ...coordinateChecks(),
  {
    fields: ["lldp.media.civic.what"],
    ours: (_, n) =>
      lldp(n)
        ?.chassis.med?.locations?.filter((l) => l.format === "civic")
        .map((l) => (l.format === "civic" ? l.what : 0)),
  },
  {
    fields: ["lldp.media.civic.country"],
    ours: (_, n) =>
      lldp(n)
        ?.chassis.med?.locations?.filter((l) => l.format === "civic")
        .map((l) => (l.format === "civic" ? l.country_code : "")),
  },
  {
    fields: ["lldp.media.civic.type"],
    ours: (_, n) =>
      lldp(n)?.chassis.med?.locations?.flatMap((l) =>
        l.format === "civic" ? l.elements.map((e) => e.type) : [],
      ),
  },
  {
    fields: ["lldp.media.civic.value"],
    ours: (_, n) =>
      lldp(n)?.chassis.med?.locations?.flatMap((l) =>
        l.format === "civic" ? l.elements.map((e) => e.value) : [],
      ),
  },
  {
    fields: ["lldp.media.ecs"],
    ours: (_, n) =>
      lldp(n)?.chassis.med?.locations?.flatMap((l) => (l.format === "elin" ? [l.elin] : [])),
  },
  {
    fields: ["lldp.media.power.type"],
    ours: (_, n) => {
      const med = lldp(n)?.port.power?.med;
      return med === undefined ? undefined : med.device_type === "pse" ? 0 : 1;
    },
  },
  {
    fields: ["lldp.media.power.source"],
    ours: (_, n) => {
      const med = lldp(n)?.port.power?.med;
      if (med === undefined) return undefined;
      return (med.device_type === "pd" ? PD_SOURCES : PSE_SOURCES).indexOf(med.source);
    },
  },
  {
    fields: ["lldp.media.power.prio"],
    ours: (_, n) => {
      const med = lldp(n)?.port.power?.med;
      return med === undefined ? undefined : PRIORITIES.indexOf(med.priority);
    },
  },
  {
    fields: ["lldp.media.power.value"],
    ours: (_, n) => {
      const med = lldp(n)?.port.power?.med;
      return med === undefined ? undefined : med.value_mw / 100;
    },
  },
  ...(
    [
      ["hardware", "hardware_revision"],
      ["firmware", "firmware_revision"],
      ["software", "software_revision"],
      ["sn", "serial_number"],
      ["manufacturer", "manufacturer"],
      ["model", "model"],
      ["asset", "asset_id"],
    ] as const
  ).map(
    ([tshark, ours]): FieldCheck => ({
      fields: [`lldp.media.${tshark}`],
      ours: (_, n) => lldp(n)?.chassis.med?.[ours],
    }),
  ),
  // CDP.
  { fields: ["cdp.version"], ours: (_, n) => cdp(n)?.cdp_version },
  { fields: ["cdp.ttl"], ours: (_, n) => cdp(n)?.ttl_seconds },
  { fields: ["cdp.deviceid"], ours: (_, n) => cdp(n)?.chassis.name },
  { fields: ["cdp.portid"], ours: (_, n) => cdp(n)?.port.id || undefined },
  { fields: ["cdp.platform"], ours: (_, n) => cdp(n)?.chassis.platform },
  {
    fields: ["cdp.capabilities"],
    ours: (_, n) => {
      const caps = cdp(n)?.chassis.capabilities;
      return caps && caps.supported.length > 0 ? bits(caps.supported, CDP_CAPS) : undefined;
    },
  },
  {
    fields: ["cdp.software_version"],
    ours: (_, n) => cdp(n)?.chassis.software_version?.split("\n"),
    note: "tshark gives one occurrence per line",
  },
  { fields: ["cdp.vtp_management_domain"], ours: (_, n) => cdp(n)?.chassis.vtp_domain },
  { fields: ["cdp.native_vlan"], ours: (_, n) => cdp(n)?.port.vlan_id },
  {
    fields: ["cdp.duplex"],
    ours: (_, n) => {
      const duplex = cdp(n)?.port.duplex;
      return duplex === undefined ? undefined : duplex === "full";
    },
  },
  {
    fields: ["cdp.voice_vlan"],
    ours: (_, n) => {
      const port = cdp(n)?.port;
      return [port?.voice_vlan, port?.voice_vlan_query].filter((v) => v !== undefined);
    },
    mode: "set",
    note: "tshark uses one field for the reply and the query",
  },
  { fields: ["cdp.power_consumption"], ours: (_, n) => cdp(n)?.port.power?.consumption_mw },
  { fields: ["cdp.mtu"], ours: (_, n) => cdp(n)?.port.mtu },
  { fields: ["cdp.trust_bitmap"], ours: (_, n) => cdp(n)?.port.trust_bitmap },
  { fields: ["cdp.untrusted_port_cos"], ours: (_, n) => cdp(n)?.port.untrusted_port_cos },
  { fields: ["cdp.system_name"], ours: (_, n) => cdp(n)?.chassis.system_name },
  { fields: ["cdp.location"], ours: (_, n) => cdp(n)?.chassis.location },
  {
    fields: ["cdp.request_id"],
    ours: (_, n) => {
      const power = cdp(n)?.port.power;
      return [power?.cdp_requested?.request_id, power?.cdp_available?.request_id].filter(
        (v) => v !== undefined,
      );
    },
  },
  {
    fields: ["cdp.management_id"],
    ours: (_, n) => {
      const power = cdp(n)?.port.power;
      return [power?.cdp_requested?.management_id, power?.cdp_available?.management_id].filter(
        (v) => v !== undefined,
      );
    },
  },
  { fields: ["cdp.power_requested"], ours: (_, n) => cdp(n)?.port.power?.cdp_requested?.levels_mw },
  {
    fields: ["cdp.power_available"],
    ours: (_, n) => cdp(n)?.port.power?.cdp_available?.available_mw,
  },
  {
    fields: ["cdp.nrgyz.ip_address"],
    ours: (_, n) =>
      cdp(n)
        ?.chassis.management_addresses.filter((a) => a.family === "ipv4")
        .map((a) => a.address),
    mode: "set",
    note: "tshark lists the addresses and management addresses TLVs; ours are merged",
  },
  {
    fields: ["cdp.nrgyz.ipv6_address"],
    ours: (_, n) =>
      cdp(n)
        ?.chassis.management_addresses.filter((a) => a.family === "ipv6")
        .map((a) => a.address),
    mode: "set",
  },
];

/** RFC 3825 coordinates: tshark keeps the resolution bits in the 40-bit field, so take the low 34. */
function coordinateChecks(): FieldCheck[] {
  const coordinates = (n: Neighbour | undefined) =>
    lldp(n)?.chassis.med?.locations?.flatMap((l) => (l.format === "coordinate" ? [l] : []));
  const raw = (value: number, fraction: number, width: number) => {
    const scaled = Math.round(value * 2 ** fraction);
    return scaled < 0 ? scaled + 2 ** width : scaled;
  };
  return [
    {
      fields: ["lldp.media.loc.lat_resolution"],
      ours: (_, n) => coordinates(n)?.map((c) => c.latitude_resolution),
    },
    {
      fields: ["lldp.media.loc.latitude"],
      ours: (_, n) => coordinates(n)?.map((c) => raw(c.latitude, 25, 34)),
      fromTshark: (v) => Number(v) % 2 ** 34,
    },
    {
      fields: ["lldp.media.loc.long_resolution"],
      ours: (_, n) => coordinates(n)?.map((c) => c.longitude_resolution),
    },
    {
      fields: ["lldp.media.loc.longitude"],
      ours: (_, n) => coordinates(n)?.map((c) => raw(c.longitude, 25, 34)),
      fromTshark: (v) => Number(v) % 2 ** 34,
    },
    {
      fields: ["lldp.media.loc.alt_type"],
      ours: (_, n) =>
        coordinates(n)?.map((c) => ["unknown", "meters", "floors"].indexOf(c.altitude_type)),
    },
    {
      fields: ["lldp.media.loc.alt_resolution"],
      ours: (_, n) => coordinates(n)?.map((c) => c.altitude_resolution),
    },
    {
      fields: ["lldp.media.loc.altitude"],
      ours: (_, n) => coordinates(n)?.map((c) => raw(c.altitude, 8, 30)),
    },
    {
      fields: ["lldp.media.loc.datum"],
      ours: (_, n) =>
        coordinates(n)?.map((c) => ["", "wgs84", "nad83_navd88", "nad83_mllw"].indexOf(c.datum)),
    },
  ];
}

/** One normal form for both sides: numbers (decimal or 0x hex) as numbers, booleans as 0/1, byte strings without colons. */
export function normalise(value: Value): number | string {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number") return value;
  if (/^-?\d+$/.test(value) && value.length < 16) return Number(value);
  if (/^0x[0-9a-f]+$/i.test(value)) return Number(value);
  if (/^([0-9a-f]{2}:)+[0-9a-f]{2}$/i.test(value)) return value.replaceAll(":", "").toLowerCase();
  return value;
}
