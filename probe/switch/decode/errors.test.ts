/**
 * Truncated and lying frames: each gives an error result naming the TLV (or
 * header) and its byte offset in the frame, never an exception.
 */
import { describe, expect, it } from "vitest";
import { decodeCdp } from "./cdp.js";
import { decodeFrame } from "./frame.js";
import {
  ascii,
  cdpFrame,
  cdpIpv4,
  cdpPdu,
  cdpTlv,
  ciscoSnapFrame,
  lldpFrame,
  lldpTlv,
  macBytes,
  orgTlv,
  u16,
  u32,
} from "./frame-builder.js";
import { decodeLldp } from "./lldp.js";

const SOURCE = "02:00:00:00:09:01";
const chassis = lldpTlv(1, [4, ...macBytes("02:00:00:00:09:00")]);
const port = lldpTlv(2, [5, ...ascii("eth0")]);
const ttl = lldpTlv(3, u16(120));
/** Frame offset of the first TLV after chassis, port and TTL: 14 + 9 + 7 + 4. */
const AFTER_MANDATORY = 34;

function lldp(...tlvs: number[][]) {
  return decodeFrame(lldpFrame(SOURCE, [chassis, port, ttl, ...tlvs]), 1);
}

describe("LLDP errors", () => {
  it("a TLV whose length runs past the frame names that TLV and its offset", () => {
    const frame = lldpFrame(SOURCE, [chassis, port, ttl, lldpTlv(5, ascii("sw"), 40)], false);
    expect(decodeFrame(frame, 1)).toMatchObject({
      kind: "error",
      protocol: "lldp",
      tlv: "system name",
      offset: AFTER_MANDATORY,
      message: "system name value needs 40 bytes at offset 36, only 2 left",
    });
  });

  it("the error keeps what decoded before the fault", () => {
    const frame = lldpFrame(SOURCE, [chassis, port, ttl, lldpTlv(6, [], 300)], false);
    const result = decodeFrame(frame, 1);
    expect(result.kind === "error" && result.partial?.port.id).toBe("eth0");
  });

  it("a lone byte where a TLV header should start is a 'tlv header' error", () => {
    const frame = lldpFrame(SOURCE, [chassis, port, ttl, [0x0a]], false);
    expect(decodeFrame(frame, 1)).toMatchObject({ tlv: "tlv header", offset: AFTER_MANDATORY });
  });

  it("fixed-size TLVs must have their size", () => {
    const frame = lldpFrame(SOURCE, [chassis, port, lldpTlv(3, [0, 120, 0])]);
    expect(decodeFrame(frame, 1)).toMatchObject({
      tlv: "time to live",
      offset: 30,
      message: "time to live value must be 2 bytes, it is 3",
    });
    expect(lldp(lldpTlv(7, [0, 4]))).toMatchObject({
      tlv: "system capabilities",
      offset: AFTER_MANDATORY,
    });
  });

  it("each mandatory TLV must be there, once", () => {
    expect(decodeFrame(lldpFrame(SOURCE, [port, ttl]), 1)).toMatchObject({
      kind: "error",
      tlv: "chassis id",
      offset: 14,
      message: "LLDPDU has no chassis id TLV (it is mandatory)",
    });
    expect(decodeFrame(lldpFrame(SOURCE, [chassis, port]), 1)).toMatchObject({
      tlv: "time to live",
    });
    expect(lldp(ttl)).toMatchObject({
      tlv: "time to live",
      offset: AFTER_MANDATORY,
      message: "second time to live TLV in one LLDPDU",
    });
    expect(decodeFrame(lldpFrame(SOURCE, [lldpTlv(1, [4]), port, ttl]), 1)).toMatchObject({
      tlv: "chassis id",
      message: "chassis id value must be at least 2 bytes, it is 1",
    });
  });

  it("an End TLV with a length is an error; bytes after a proper End are padding", () => {
    expect(lldp(lldpTlv(0, [1]))).toMatchObject({ tlv: "end of lldpdu", offset: AFTER_MANDATORY });
    const padded = Uint8Array.from([...lldpFrame(SOURCE, [chassis, port, ttl]), 0xff, 0xff, 0xff]);
    expect(decodeFrame(padded, 1).kind).toBe("neighbour");
  });

  it("a management address string length that lies about the TLV is an error for that TLV", () => {
    // Says 20 bytes of address, the TLV holds 5.
    const result = lldp(lldpTlv(8, [20, 1, 192, 0, 2, 1, 2, ...u32(1), 0]));
    expect(result).toMatchObject({
      tlv: "management address",
      offset: AFTER_MANDATORY,
      message: expect.stringContaining("management address needs 19 bytes"),
    });
    expect(lldp(lldpTlv(8, [1, 1]))).toMatchObject({
      message: "management address string length must be 2..32, it is 1",
    });
  });

  it("organisation TLVs: too short for OUI and subtype, or lying inner lengths", () => {
    expect(lldp(lldpTlv(127, [0x00, 0x80, 0xc2]))).toMatchObject({
      tlv: "organization specific",
      offset: AFTER_MANDATORY,
    });
    expect(lldp(orgTlv(0x0080c2, 3, [...u16(10), 30, ...ascii("abc")]))).toMatchObject({
      tlv: "ieee 802.1 vlan name",
      offset: AFTER_MANDATORY,
      message: "vlan name needs 30 bytes at offset 43, only 3 left",
    });
    expect(lldp(orgTlv(0x00120f, 1, [3, 0, 0]))).toMatchObject({
      tlv: "ieee 802.3 mac/phy configuration/status",
      message: "ieee 802.3 mac/phy configuration/status value must be 5 bytes, it is 3",
    });
    expect(lldp(orgTlv(0x00120f, 2, [7, 1, 1, 0x12]))).toMatchObject({
      tlv: "ieee 802.3 power via mdi",
      message: expect.stringContaining("must be 3 bytes or at least 8"),
    });
    expect(lldp(orgTlv(0x0012bb, 3, [2, 40, 2, ...ascii("US")]))).toMatchObject({
      tlv: "lldp-med location identification",
      message: expect.stringContaining("civic LCI needs 40 bytes"),
    });
    // A civic element whose CAlength runs past the LCI.
    expect(lldp(orgTlv(0x0012bb, 3, [2, 6, 2, ...ascii("US"), 3, 9, 0x41]))).toMatchObject({
      tlv: "lldp-med location identification",
      message: expect.stringContaining("civic CAvalue needs 9 bytes"),
    });
    expect(lldp(orgTlv(0x0012bb, 3, [1, 1, 2, 3]))).toMatchObject({
      message: "lldp-med location identification value must be 16 bytes, it is 3",
    });
  });

  it("802.3bt bytes after the 802.3at power fields are kept raw, the rest decoded", () => {
    const result = lldp(
      orgTlv(0x00120f, 2, [0x07, 1, 5, 0x52, ...u16(255), ...u16(250), 0xaa, 0xbb]),
    );
    expect(result).toMatchObject({
      kind: "neighbour",
      neighbour: {
        port: { power: { power_type: 2, power_source: "pse", requested_mw: 25500 } },
        unknown_tlvs: [{ type: 127, oui: "00:12:0f", subtype: 2, hex: "aabb" }],
      },
    });
  });

  it("decodeLldp alone reports offsets relative to the LLDPDU unless told where it starts", () => {
    const pdu = Uint8Array.from([...chassis, ...port, ...lldpTlv(3, [1])]);
    expect(decodeLldp(pdu)).toMatchObject({ tlv: "time to live", offset: 16 });
    expect(decodeLldp(pdu, 100)).toMatchObject({ tlv: "time to live", offset: 116 });
  });
});

describe("CDP errors", () => {
  const deviceId = cdpTlv(0x01, ascii("sw"));
  /** Frame offset of the CDP header: Ethernet 14 + LLC/SNAP 8. */
  const CDP_AT = 22;

  it("a TLV length below its 4-byte header is an error for that TLV", () => {
    const result = decodeFrame(cdpFrame(SOURCE, [deviceId, cdpTlv(0x03, [], 2)]), 1);
    expect(result).toMatchObject({
      kind: "error",
      protocol: "cdp",
      tlv: "port id",
      offset: CDP_AT + 4 + 6,
      message: "TLV length 2 is less than its 4-byte header",
    });
  });

  it("a TLV length past the frame names the TLV", () => {
    const pdu = cdpPdu([deviceId, cdpTlv(0x06, ascii("x"), 200)]);
    expect(decodeCdp(Uint8Array.from(pdu), CDP_AT)).toMatchObject({
      tlv: "platform",
      offset: CDP_AT + 10,
      message: "platform value needs 196 bytes at offset 36, only 1 left",
      partial: { chassis: { id: "sw" } },
    });
  });

  it("an address count larger than the TLV can hold fails before any loop", () => {
    const result = decodeFrame(cdpFrame(SOURCE, [deviceId, cdpTlv(0x02, [...u32(0xffffffff)])]), 1);
    expect(result).toMatchObject({
      tlv: "addresses",
      offset: CDP_AT + 10,
      message: "4294967295 addresses cannot fit in the 0 bytes that follow",
    });
    const short = decodeFrame(
      cdpFrame(SOURCE, [deviceId, cdpTlv(0x16, [...u32(2), ...cdpIpv4("10.0.0.1")])]),
      1,
    );
    expect(short).toMatchObject({ tlv: "management addresses" });
  });

  it("version, device id, fixed sizes and power lists are checked", () => {
    expect(decodeFrame(cdpFrame(SOURCE, [deviceId], 3), 1)).toMatchObject({
      tlv: "cdp header",
      offset: CDP_AT,
      message: "CDP version 3 is not 1 or 2",
    });
    expect(decodeFrame(cdpFrame(SOURCE, [cdpTlv(0x03, ascii("Gi0/1"))]), 1)).toMatchObject({
      tlv: "device id",
      message: "CDP PDU has no device id TLV",
    });
    expect(decodeFrame(cdpFrame(SOURCE, [deviceId, cdpTlv(0x0a, [0, 1, 2])]), 1)).toMatchObject({
      tlv: "native vlan",
      message: "native vlan value must be 2 bytes, it is 3",
    });
    expect(
      decodeFrame(cdpFrame(SOURCE, [deviceId, cdpTlv(0x19, [...u16(1), ...u16(2), 0, 0, 1])]), 1),
    ).toMatchObject({
      tlv: "power requested",
      message: "power requested power list is 3 bytes, not a multiple of 4",
    });
  });

  it("a header cut short is a 'cdp header' error", () => {
    expect(decodeCdp(Uint8Array.from([2, 180]), 22)).toMatchObject({
      tlv: "cdp header",
      offset: 22,
      message: "checksum needs 2 bytes at offset 24, only 0 left",
    });
  });

  it("short voice VLAN TLVs (seen from some senders) are kept raw, not failed", () => {
    const result = decodeFrame(cdpFrame(SOURCE, [deviceId, cdpTlv(0x0e, [1, 0])]), 1);
    expect(result.kind === "neighbour" && result.neighbour.unknown_tlvs).toEqual([
      { type: 0x0e, hex: "0100" },
    ]);
  });
});

describe("frame level", () => {
  it("a frame shorter than an Ethernet header is an 'ethernet header' error at offset 0", () => {
    expect(decodeFrame(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 1)).toEqual({
      kind: "error",
      tlv: "ethernet header",
      offset: 0,
      message: "source address needs 6 bytes at offset 6, only 4 left",
    });
  });

  it("unsupported link types are an error, not a guess", () => {
    expect(decodeFrame(Uint8Array.from([0]), 127)).toMatchObject({
      kind: "error",
      tlv: "link type",
      message: expect.stringContaining("pcap link type 127 is not supported"),
    });
  });

  it("other ethertypes and LLC protocols are ignored and named", () => {
    const ipv4 = Uint8Array.from([...Array(12).fill(0), 0x08, 0x00, 0x45]);
    expect(decodeFrame(ipv4, 1)).toEqual({
      kind: "ignored",
      protocol: "other",
      detail: "ethertype 0x0800",
    });
    const stp = Uint8Array.from([...Array(12).fill(0), 0, 38, 0x42, 0x42, 0x03, 0, 0]);
    expect(decodeFrame(stp, 1)).toEqual({
      kind: "ignored",
      protocol: "other",
      detail: "llc dsap 0x42 ssap 0x42",
    });
    expect(decodeFrame(ciscoSnapFrame(SOURCE, 0x2005, [0]), 1)).toEqual({
      kind: "ignored",
      protocol: "other",
      detail: "cisco snap pid 0x2005",
    });
    expect(decodeFrame(Uint8Array.from([0x0f, 0, 0x08, 0x00, 0x45]), 104)).toEqual({
      kind: "ignored",
      protocol: "other",
      detail: "cisco hdlc protocol 0x0800",
    });
  });

  it("LLDP behind one or two VLAN tags decodes", () => {
    const plain = lldpFrame(SOURCE, [chassis, port, ttl]);
    const tagged = Uint8Array.from([
      ...plain.subarray(0, 12),
      0x88,
      0xa8,
      0x00,
      0x64,
      0x81,
      0x00,
      0x00,
      0x0a,
      ...plain.subarray(12),
    ]);
    const result = decodeFrame(tagged, 1);
    expect(result.kind === "neighbour" && result.neighbour.port.id).toBe("eth0");
  });

  it("the 802.3 length field keeps Ethernet padding out of the CDP PDU", () => {
    // A tiny CDP frame padded to 60 bytes: the padding must not read as a TLV.
    const result = decodeFrame(cdpFrame(SOURCE, [cdpTlv(0x01, ascii("a"))]), 1);
    expect(result).toMatchObject({ kind: "neighbour", neighbour: { chassis: { id: "a" } } });
    expect(result.kind === "neighbour" && result.neighbour.unknown_tlvs).toBeUndefined();
  });
});
