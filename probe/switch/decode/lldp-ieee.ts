/** LLDP organisation TLVs of IEEE 802.1 (OUI 00:80:c2) and IEEE 802.3 (OUI 00:12:0f). */
import type { ByteReader } from "./byte-reader.js";
import type { NeighbourDraft } from "./draft.js";
import { hex, text } from "./format.js";
import { mauType } from "./mau-types.js";

export const OUI_IEEE_802_1 = 0x0080c2;
export const OUI_IEEE_802_3 = 0x00120f;

const DOT1_NAMES: Record<number, string> = {
  1: "ieee 802.1 port vlan id",
  2: "ieee 802.1 port and protocol vlan id",
  3: "ieee 802.1 vlan name",
  4: "ieee 802.1 protocol identity",
  7: "ieee 802.1 link aggregation",
};

/** Decodes an 802.1 TLV into the draft; false when the subtype is not one we decode. */
export function decodeDot1(subtype: number, tlv: ByteReader, draft: NeighbourDraft): boolean {
  const name = DOT1_NAMES[subtype];
  if (name === undefined) return false;
  const value = tlv.renamed(name);
  const port = draft.neighbour.port;
  switch (subtype) {
    case 1: {
      value.expectLength(2);
      const pvid = value.u16();
      // PVID 0: the port does not say (or has no VLANs); not a VLAN to report.
      if (pvid !== 0) port.vlan_id = pvid;
      break;
    }
    case 2: {
      value.expectLength(3);
      const flags = value.u8();
      const ppvid = value.u16();
      if (ppvid !== 0) {
        draft.vlan(ppvid).port_and_protocol = {
          supported: (flags & 0x02) !== 0,
          enabled: (flags & 0x04) !== 0,
        };
      }
      break;
    }
    case 3: {
      const vid = value.u16("vlan id");
      const nameLength = value.u8("vlan name length");
      draft.vlan(vid).name = text(value.take(nameLength, "vlan name"));
      break;
    }
    case 4: {
      const length = value.u8("protocol identity length");
      const identity = value.take(length, "protocol identity");
      if (length > 0) {
        if (port.protocol_identities === undefined) port.protocol_identities = [];
        port.protocol_identities.push(hex(identity));
      }
      break;
    }
    case 7:
      decodeLinkAggregation(value, draft);
      break;
  }
  return true;
}

const DOT3_NAMES: Record<number, string> = {
  1: "ieee 802.3 mac/phy configuration/status",
  2: "ieee 802.3 power via mdi",
  3: "ieee 802.3 link aggregation",
  4: "ieee 802.3 maximum frame size",
};

/** RFC 3636 ifMauAutoNegCapAdvertisedBits, bit 0 being the most significant bit of the field. */
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

/** Decodes an 802.3 TLV into the draft; false when the subtype is not one we decode. */
export function decodeDot3(subtype: number, tlv: ByteReader, draft: NeighbourDraft): boolean {
  const name = DOT3_NAMES[subtype];
  if (name === undefined) return false;
  const value = tlv.renamed(name);
  const port = draft.neighbour.port;
  switch (subtype) {
    case 1: {
      value.expectLength(5);
      const autoneg = value.u8();
      const advertisedBits = value.u16();
      const mau = value.u16();
      port.autonegotiation = {
        supported: (autoneg & 0x01) !== 0,
        enabled: (autoneg & 0x02) !== 0,
        advertised: ADVERTISED.filter((_, bit) => (advertisedBits & (0x8000 >> bit)) !== 0),
      };
      port.mau_type = mau;
      const known = mauType(mau);
      if (known !== undefined) {
        port.mau_type_name = known.name;
        if (known.speed_mbps !== undefined) port.speed_mbps = known.speed_mbps;
        if (known.duplex !== undefined) port.duplex = known.duplex;
      }
      break;
    }
    case 2:
      decodePowerViaMdi(value, draft);
      break;
    case 3:
      decodeLinkAggregation(value, draft);
      break;
    case 4:
      value.expectLength(2);
      port.mtu = value.u16();
      break;
  }
  return true;
}

/** Same layout in 802.3 subtype 3 (802.1AB-2005) and 802.1 subtype 7 (802.1AB-2009). */
function decodeLinkAggregation(value: ByteReader, draft: NeighbourDraft): void {
  value.expectLength(5);
  const status = value.u8();
  const portId = value.u32();
  draft.neighbour.port.link_aggregation = {
    capable: (status & 0x01) !== 0,
    enabled: (status & 0x02) !== 0,
    port_id: portId,
  };
}

const PSE_SOURCES = ["unknown", "primary", "backup"];
const PD_SOURCES = ["unknown", "pse", "local", "pse_and_local"];
const PRIORITIES = ["unknown", "critical", "high", "low"];

/**
 * The 802.1AB-2005 three bytes, and the 802.3at extension (type, source,
 * priority, requested and allocated power) when the TLV carries it. The
 * 802.3bt fields that may follow are kept raw in unknown_tlvs.
 */
function decodePowerViaMdi(value: ByteReader, draft: NeighbourDraft): void {
  value.expectAtLeast(3);
  const support = value.u8();
  const pairs = value.u8();
  const powerClass = value.u8();
  const power = draft.power();
  power.port_class = (support & 0x01) !== 0 ? "pse" : "pd";
  power.mdi_supported = (support & 0x02) !== 0;
  power.mdi_enabled = (support & 0x04) !== 0;
  power.pair_control = (support & 0x08) !== 0;
  power.pairs = pairs === 1 ? "signal" : pairs === 2 ? "spare" : `reserved_${pairs}`;
  power.power_class = powerClass;
  if (value.remaining === 0) return;
  if (value.remaining < 5) {
    value.fail(
      `${value.tlv} value must be 3 bytes or at least 8 (802.3at), it is ${3 + value.remaining}`,
    );
  }
  const typeSourcePriority = value.u8();
  // Bits 7..6: 00 type 2 PSE, 01 type 2 PD, 10 type 1 PSE, 11 type 1 PD.
  const isPd = (typeSourcePriority & 0x40) !== 0;
  power.power_type = (typeSourcePriority & 0x80) !== 0 ? 1 : 2;
  const source = (typeSourcePriority >> 4) & 0x03;
  power.power_source = (isPd ? PD_SOURCES : PSE_SOURCES)[source] ?? `reserved_${source}`;
  power.power_priority = PRIORITIES[typeSourcePriority & 0x03] as string;
  power.requested_mw = value.u16() * 100;
  power.allocated_mw = value.u16() * 100;
  if (!value.atEnd) {
    // 802.3bt fields follow; not decoded, but kept.
    draft.unknown({ type: 127, oui: "00:12:0f", subtype: 2, hex: hex(value.rest()) });
  }
}
