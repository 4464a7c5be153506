/**
 * Frames carrying the TLVs the sample captures lack (every chassis/port id
 * form, IPv6 and OID management addresses, 802.1 protocol VLANs and link
 * aggregation, 802.3at power, LLDP-MED coordinates, ELIN, inventory,
 * extended power, CDP power, MTU, OID, location, IPv6 addresses...). The
 * tests decode them and compare with tshark's independent decoding, the
 * fuzzer mutates them, the benchmark repeats them.
 */
import {
  ascii,
  cdpFrame,
  cdpHdlcFrame,
  cdpIpv4,
  cdpIpv6,
  cdpTlv,
  ciscoSnapFrame,
  lldpFrame,
  lldpTlv,
  macBytes,
  orgTlv,
  u16,
  u32,
} from "./frame-builder.js";

export interface SampleFrame {
  name: string;
  linkType: number;
  bytes: Uint8Array;
}

const DOT1 = 0x0080c2;
const DOT3 = 0x00120f;
const TIA = 0x0012bb;

const IPV6_DOC = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x05];

/** RFC 3825 coordinate LCI for the given degrees and metres (34 resolution bits everywhere). */
export function coordinateLci(latitude: number, longitude: number, altitude: number): number[] {
  const fixed = (value: number, fraction: number, bits: number) => {
    const raw = Math.round(value * 2 ** fraction);
    return raw < 0 ? raw + 2 ** bits : raw;
  };
  const lat = fixed(latitude, 25, 34);
  const lon = fixed(longitude, 25, 34);
  const alt = fixed(altitude, 8, 30);
  const resolution = 34;
  const altitudeResolution = 30;
  return [
    (resolution << 2) | Math.floor(lat / 2 ** 32),
    ...u32(lat % 2 ** 32),
    (resolution << 2) | Math.floor(lon / 2 ** 32),
    ...u32(lon % 2 ** 32),
    (1 << 4) | (altitudeResolution >> 2),
    ((altitudeResolution & 0x03) << 6) | ((alt >> 24) & 0x3f),
    (alt >> 16) & 0xff,
    (alt >> 8) & 0xff,
    alt & 0xff,
    1,
  ];
}

export const LLDP_RICH_SOURCE = "02:00:00:00:01:01";

/** Every decoded LLDP TLV at least once, plus unknown ones. */
export const lldpRich: SampleFrame = {
  name: "synthetic lldp, every decoded TLV",
  linkType: 1,
  bytes: lldpFrame(LLDP_RICH_SOURCE, [
    lldpTlv(1, [5, 1, 10, 1, 2, 3]),
    lldpTlv(2, [3, ...macBytes("02:00:00:00:01:02")]),
    lldpTlv(3, u16(120)),
    lldpTlv(4, ascii("uplink to core")),
    lldpTlv(5, ascii("core-sw1.example")),
    lldpTlv(6, ascii("Test switch OS 1.0")),
    lldpTlv(7, [...u16(0x0114), ...u16(0x0104)]),
    lldpTlv(8, [17, 2, ...IPV6_DOC, 2, ...u32(7), 6, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x09]),
    lldpTlv(8, [5, 1, 192, 0, 2, 1, 3, ...u32(3), 0]),
    orgTlv(DOT1, 1, u16(100)),
    orgTlv(DOT1, 2, [0x06, ...u16(200)]),
    orgTlv(DOT1, 3, [...u16(100), 5, ...ascii("users")]),
    orgTlv(DOT1, 3, [...u16(200), 5, ...ascii("voice")]),
    orgTlv(DOT1, 4, [8, 0x00, 0x26, 0x42, 0x42, 0x03, 0x00, 0x00, 0x00]),
    orgTlv(DOT1, 7, [0x03, ...u32(12)]),
    orgTlv(DOT3, 1, [0x03, ...u16(0x0403), ...u16(30)]),
    orgTlv(DOT3, 2, [0x0f, 2, 5, 0x12, ...u16(255), ...u16(250)]),
    orgTlv(DOT3, 4, u16(9216)),
    orgTlv(DOT3, 5, [0x00, 0x10, 0x00, 0x10, 0x00, 0x10, 0x00, 0x10, 0x00, 0x10]),
    orgTlv(TIA, 1, [...u16(0x0033), 3]),
    orgTlv(TIA, 2, [2, 0x40 | (300 >> 7), ((300 & 0x7f) << 1) | (5 >> 2), ((5 & 0x03) << 6) | 24]),
    orgTlv(TIA, 2, [1, 0x40 | (301 >> 7), ((301 & 0x7f) << 1) | (5 >> 2), ((5 & 0x03) << 6) | 46]),
    orgTlv(TIA, 3, [1, ...coordinateLci(37.375, -121.5, 12.5)]),
    orgTlv(TIA, 3, [3, ...ascii("911234567890")]),
    orgTlv(TIA, 4, [0x51, ...u16(130)]),
    orgTlv(TIA, 5, ascii("A1")),
    orgTlv(TIA, 6, ascii("2.0")),
    orgTlv(TIA, 7, ascii("3.1.4")),
    orgTlv(TIA, 8, ascii("SN123")),
    orgTlv(TIA, 9, ascii("ACME")),
    orgTlv(TIA, 10, ascii("X-1")),
    orgTlv(TIA, 11, ascii("asset-7")),
    orgTlv(0x001234, 9, [0xde, 0xad, 0xbe, 0xef]),
    lldpTlv(9, [0xab, 0xcd]),
  ]),
};

/** Text chassis and port ids, a shutdown (TTL 0), an MAU type whose duplex is not fixed. */
export const lldpTextIds: SampleFrame = {
  name: "synthetic lldp, text ids, shutdown",
  linkType: 1,
  bytes: lldpFrame("02:00:00:00:02:01", [
    lldpTlv(1, [7, ...ascii("chassis-local-1")]),
    lldpTlv(2, [1, ...ascii("port alias 7")]),
    lldpTlv(3, u16(0)),
    orgTlv(DOT3, 1, [0x01, ...u16(0x4000), ...u16(5)]),
  ]),
};

/** Binary chassis component id (kept as hex), interface-name port, IPv6 network-address chassis. */
export const lldpBinaryIds: SampleFrame = {
  name: "synthetic lldp, binary and ipv6 ids",
  linkType: 1,
  bytes: lldpFrame("02:00:00:00:03:01", [
    lldpTlv(1, [1, 0x00, 0x01, 0xfe, 0x7f]),
    lldpTlv(2, [4, 2, ...IPV6_DOC]),
    lldpTlv(3, u16(65535)),
  ]),
};

export const CDP_RICH_SOURCE = "02:00:00:00:04:01";

/** Every decoded CDP TLV at least once, plus an unknown one. */
export const cdpRich: SampleFrame = {
  name: "synthetic cdp, every decoded TLV",
  linkType: 1,
  bytes: cdpFrame(
    CDP_RICH_SOURCE,
    [
      cdpTlv(0x01, ascii("sw-test")),
      cdpTlv(0x02, [...u32(2), ...cdpIpv4("10.0.0.1"), ...cdpIpv6(IPV6_DOC)]),
      cdpTlv(0x03, ascii("GigabitEthernet0/1")),
      cdpTlv(0x04, u32(0x048a)),
      cdpTlv(0x05, ascii("Version 1\nLine 2")),
      cdpTlv(0x06, ascii("Test Platform")),
      cdpTlv(0x07, [10, 9, 0, 0, 16]),
      cdpTlv(0x09, ascii("LAB")),
      cdpTlv(0x0a, u16(20)),
      cdpTlv(0x0b, [0]),
      cdpTlv(0x0e, [1, ...u16(100)]),
      cdpTlv(0x0f, [0x20, ...u16(4095)]),
      cdpTlv(0x10, u16(15400)),
      cdpTlv(0x11, u32(1500)),
      cdpTlv(0x12, [1]),
      cdpTlv(0x13, [3]),
      cdpTlv(0x14, ascii("sw-test.lab")),
      cdpTlv(0x15, [0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x09, 0x01, 0x89, 0x38, 0x01]),
      cdpTlv(0x16, [...u32(1), ...cdpIpv4("10.0.0.1")]),
      cdpTlv(0x17, [0, ...ascii("Room 101")]),
      cdpTlv(0x19, [...u16(1), ...u16(2), ...u32(15400), ...u32(13000)]),
      cdpTlv(0x1a, [...u16(1), ...u16(2), ...u32(15400), ...u32(30000)]),
    ],
    2,
    150,
  ),
};

/** CDP over Cisco HDLC (link type 104), version 1. */
export const cdpHdlc: SampleFrame = {
  name: "synthetic cdp v1 over cisco hdlc",
  linkType: 104,
  bytes: cdpHdlcFrame([cdpTlv(0x01, ascii("r2")), cdpTlv(0x03, ascii("Serial0/0"))], 1, 60),
};

/** The Cisco SNAP protocols that share CDP's address, which decodeFrame names and ignores. */
export const ciscoOthers: SampleFrame[] = [
  [0x2004, "dtp"],
  [0x2003, "vtp"],
  [0x0104, "pagp"],
  [0x0111, "udld"],
].map(([pid, name]) => ({
  name: `synthetic ${name}`,
  linkType: 1,
  bytes: ciscoSnapFrame("02:00:00:00:05:01", pid as number, [1, 0, 1, 0, 5, 0]),
}));

/** LLDP in a Linux cooked capture (link type 113), as `tcpdump -i any` records it. */
export const lldpLinuxCooked: SampleFrame = {
  name: "synthetic lldp in linux cooked capture",
  linkType: 113,
  bytes: Uint8Array.from([
    ...u16(0),
    ...u16(1),
    ...u16(6),
    ...macBytes("02:00:00:00:06:01"),
    0,
    0,
    0x88,
    0xcc,
    ...lldpTlv(1, [4, ...macBytes("02:00:00:00:06:00")]),
    ...lldpTlv(2, [5, ...ascii("swp1")]),
    ...lldpTlv(3, u16(120)),
    0,
    0,
  ]),
};

export const syntheticFrames: SampleFrame[] = [
  lldpRich,
  lldpTextIds,
  lldpBinaryIds,
  cdpRich,
  cdpHdlc,
  ...ciscoOthers,
  lldpLinuxCooked,
];
