/**
 * Builds LLDP and CDP frames byte by byte: for tests (frames with TLVs the
 * sample captures lack, cross-checked against tshark), for fuzzing (random
 * TLV sequences) and for the benchmark. Lengths are computed from the
 * content unless a test passes a lying one on purpose.
 */

export function u16(value: number): number[] {
  return [(value >> 8) & 0xff, value & 0xff];
}

export function u32(value: number): number[] {
  return [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

export function ascii(text: string): number[] {
  return Array.from(Buffer.from(text, "utf8"));
}

export function macBytes(text: string): number[] {
  return text.split(":").map((part) => Number.parseInt(part, 16));
}

/** An LLDP TLV: 7-bit type, 9-bit length (or `length` when lying on purpose). */
export function lldpTlv(type: number, value: number[], length = value.length): number[] {
  return [(type << 1) | ((length >> 8) & 0x01), length & 0xff, ...value];
}

/** An LLDP organisation-specific TLV (type 127). */
export function orgTlv(oui: number, subtype: number, value: number[]): number[] {
  return lldpTlv(127, [(oui >> 16) & 0xff, (oui >> 8) & 0xff, oui & 0xff, subtype, ...value]);
}

export const LLDP_MULTICAST = "01:80:c2:00:00:0e";
export const CDP_MULTICAST = "01:00:0c:cc:cc:cc";

/** An Ethernet II LLDP frame; the End TLV is added unless `tlvs` already ends the LLDPDU. */
export function lldpFrame(source: string, tlvs: number[][], end = true): Uint8Array {
  const body = tlvs.flat();
  return Uint8Array.from([
    ...macBytes(LLDP_MULTICAST),
    ...macBytes(source),
    0x88,
    0xcc,
    ...body,
    ...(end ? [0, 0] : []),
  ]);
}

/** A CDP TLV: 16-bit type, 16-bit length counting the 4-byte header. */
export function cdpTlv(type: number, value: number[], length = value.length + 4): number[] {
  return [...u16(type), ...u16(length), ...value];
}

/** A CDP address entry for an IPv4 address. */
export function cdpIpv4(address: string): number[] {
  return [0x01, 0x01, 0xcc, ...u16(4), ...address.split(".").map(Number)];
}

/** A CDP address entry for an IPv6 address (given as 16 bytes). */
export function cdpIpv6(bytes: number[]): number[] {
  return [0x02, 0x08, 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x86, 0xdd, ...u16(16), ...bytes];
}

/** The IP-style ones' complement checksum CDP uses (an odd last byte is sign-extended, as IOS does). */
export function cdpChecksum(pdu: number[]): number {
  let sum = 0;
  for (let i = 0; i + 1 < pdu.length; i += 2)
    sum += ((pdu[i] as number) << 8) | (pdu[i + 1] as number);
  if (pdu.length % 2 === 1) {
    const last = pdu[pdu.length - 1] as number;
    sum += last & 0x80 ? (0xff00 | last) & 0xffff : last;
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** A CDP PDU (header and TLVs) with a correct checksum. */
export function cdpPdu(tlvs: number[][], version = 2, ttl = 180): number[] {
  const pdu = [version, ttl, 0, 0, ...tlvs.flat()];
  const checksum = cdpChecksum(pdu);
  pdu[2] = checksum >> 8;
  pdu[3] = checksum & 0xff;
  return pdu;
}

/** An 802.3 frame with LLC/SNAP, Cisco OUI and protocol id `pid`, padded to 60 bytes. */
export function ciscoSnapFrame(source: string, pid: number, payload: number[]): Uint8Array {
  const llc = [0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, ...u16(pid), ...payload];
  const frame = [...macBytes(CDP_MULTICAST), ...macBytes(source), ...u16(llc.length), ...llc];
  while (frame.length < 60) frame.push(0);
  return Uint8Array.from(frame);
}

export function cdpFrame(source: string, tlvs: number[][], version = 2, ttl = 180): Uint8Array {
  return ciscoSnapFrame(source, 0x2000, cdpPdu(tlvs, version, ttl));
}

/** A Cisco HDLC frame (pcap link type 104) carrying CDP. */
export function cdpHdlcFrame(tlvs: number[][], version = 2, ttl = 180): Uint8Array {
  return Uint8Array.from([0x8f, 0x00, 0x20, 0x00, ...cdpPdu(tlvs, version, ttl)]);
}
