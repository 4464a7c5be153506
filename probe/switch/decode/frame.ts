/**
 * Frame-level dispatch: finds the LLDPDU or CDP PDU inside a captured frame
 * of a given pcap link type, and names (and ignores) the other Cisco SNAP
 * protocols that share CDP's multicast address.
 */
import type { DecodeResult, IgnoredProtocol } from "../neighbour.js";
import { ByteReader, DecodeFault } from "./byte-reader.js";
import { decodeCdp } from "./cdp.js";
import { mac } from "./format.js";
import { decodeLldp } from "./lldp.js";

/** pcap link types (LINKTYPE_* numbers) this decoder reads. */
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_C_HDLC = 104;
export const LINKTYPE_LINUX_SLL = 113;
export const SUPPORTED_LINKTYPES = [LINKTYPE_ETHERNET, LINKTYPE_C_HDLC, LINKTYPE_LINUX_SLL];

const ETHERTYPE_LLDP = 0x88cc;
const ETHERTYPE_VLAN_TAGS = new Set([0x8100, 0x88a8, 0x9100]);
const CISCO_OUI = 0x00000c;
const CISCO_PID_CDP = 0x2000;
const CISCO_IGNORED: Record<number, IgnoredProtocol> = {
  8195: "vtp",
  8196: "dtp",
  260: "pagp",
  273: "udld",
};

function ignored(protocol: IgnoredProtocol, detail: string): DecodeResult {
  return { kind: "ignored", protocol, detail };
}

function hex4(value: number): string {
  return `0x${value.toString(16).padStart(4, "0")}`;
}

/** Decodes one captured frame of pcap link type `linkType`. Never throws on bad bytes. */
export function decodeFrame(bytes: Uint8Array, linkType: number): DecodeResult {
  try {
    switch (linkType) {
      case LINKTYPE_ETHERNET:
        return decodeEthernet(bytes);
      case LINKTYPE_C_HDLC:
        return decodeCiscoHdlc(bytes);
      case LINKTYPE_LINUX_SLL:
        return decodeLinuxSll(bytes);
      default:
        return {
          kind: "error",
          tlv: "link type",
          offset: 0,
          message: `pcap link type ${linkType} is not supported (Ethernet 1, Cisco HDLC 104 and Linux cooked 113 are)`,
        };
    }
  } catch (error) {
    if (!(error instanceof DecodeFault)) throw error;
    return { kind: "error", tlv: error.tlv, offset: error.offset, message: error.message };
  }
}

function withSource(result: DecodeResult, source: Uint8Array | undefined): DecodeResult {
  if (source === undefined) return result;
  if (result.kind === "neighbour") result.neighbour.source_mac = mac(source);
  else if (result.kind === "error" && result.partial !== undefined) {
    result.partial.source_mac = mac(source);
  }
  return result;
}

function decodeEthernet(bytes: Uint8Array): DecodeResult {
  const header = ByteReader.over(bytes, 0, "ethernet header");
  header.skip(6, "destination address");
  const source = header.take(6, "source address");
  let typeOrLength = header.u16("ethertype or length");
  // Skip up to two 802.1Q/802.1ad tags.
  for (let tags = 0; tags < 2 && ETHERTYPE_VLAN_TAGS.has(typeOrLength); tags++) {
    header.skip(2, "vlan tag");
    typeOrLength = header.u16("ethertype");
  }
  if (typeOrLength >= 0x0600) {
    if (typeOrLength !== ETHERTYPE_LLDP) return ignored("other", `ethertype ${hex4(typeOrLength)}`);
    const lldpOffset = header.offset;
    return withSource(decodeLldp(header.rest(), lldpOffset), source);
  }
  if (typeOrLength > 1500) return ignored("other", `ethertype/length ${hex4(typeOrLength)}`);
  // 802.3 length: the LLC payload is that long; what follows it is padding. A
  // length beyond the captured bytes is left to the PDU decoder to report
  // precisely (a frame cut by the snap length ends inside some TLV).
  const payloadOffset = header.offset;
  const available = header.remaining;
  const payload = header.sub(Math.min(typeOrLength, available), "llc header", payloadOffset);
  return withSource(decodeLlc(payload), source);
}

/** An 802.2 LLC PDU: only SNAP with Cisco's OUI carries anything we read. */
function decodeLlc(llc: ByteReader): DecodeResult {
  const dsap = llc.u8("llc dsap");
  const ssap = llc.u8("llc ssap");
  const control = llc.u8("llc control");
  if (dsap !== 0xaa || ssap !== 0xaa || control !== 0x03) {
    return ignored(
      "other",
      `llc dsap 0x${dsap.toString(16).padStart(2, "0")} ssap 0x${ssap.toString(16).padStart(2, "0")}`,
    );
  }
  const oui = llc.u24("snap oui");
  const pid = llc.u16("snap protocol id");
  if (oui !== CISCO_OUI) {
    return ignored("other", `snap oui 0x${oui.toString(16).padStart(6, "0")} pid ${hex4(pid)}`);
  }
  if (pid === CISCO_PID_CDP) {
    const cdpOffset = llc.offset;
    return decodeCdp(llc.rest(), cdpOffset);
  }
  return ignored(CISCO_IGNORED[pid] ?? "other", `cisco snap pid ${hex4(pid)}`);
}

/** Cisco HDLC: address, control, then a 2-byte protocol (0x2000 for CDP). */
function decodeCiscoHdlc(bytes: Uint8Array): DecodeResult {
  const header = ByteReader.over(bytes, 0, "cisco hdlc header");
  header.u8("address");
  header.u8("control");
  const protocol = header.u16("protocol");
  if (protocol === CISCO_PID_CDP) {
    const cdpOffset = header.offset;
    return decodeCdp(header.rest(), cdpOffset);
  }
  return ignored(CISCO_IGNORED[protocol] ?? "other", `cisco hdlc protocol ${hex4(protocol)}`);
}

/**
 * Linux cooked capture (what `tcpdump -i any` writes): packet type, ARPHRD
 * type, address length, 8 address bytes, protocol. Protocol 0x0004 means an
 * 802.2 LLC frame follows, which is how CDP appears.
 */
function decodeLinuxSll(bytes: Uint8Array): DecodeResult {
  const header = ByteReader.over(bytes, 0, "linux cooked header");
  header.skip(4, "packet type and arphrd type");
  const addressLength = header.u16("address length");
  const address = header.take(8, "address");
  const protocol = header.u16("protocol");
  const source = addressLength === 6 ? address.subarray(0, 6) : undefined;
  const payloadOffset = header.offset;
  if (protocol === ETHERTYPE_LLDP) {
    return withSource(decodeLldp(header.rest(), payloadOffset), source);
  }
  if (protocol === 0x0004) {
    return withSource(decodeLlc(header.sub(header.remaining, "llc header", payloadOffset)), source);
  }
  return ignored("other", `linux cooked protocol ${hex4(protocol)}`);
}
