import ipaddr from "ipaddr.js";
import { describe, expect, it } from "vitest";
import { decodeHexAddress, formatIPv6, hexValue } from "./address.js";

describe("decodeHexAddress", () => {
  it("decodes IPv4 words printed little-endian", () => {
    expect(decodeHexAddress("0100007F", true)).toBe("127.0.0.1");
    expect(decodeHexAddress("020200C0", true)).toBe("192.0.2.2");
    expect(decodeHexAddress("00000000", true)).toBe("0.0.0.0");
    expect(decodeHexAddress("FFFFFFFF", true)).toBe("255.255.255.255");
  });

  it("decodes IPv4 words printed big-endian (s390x, ppc64)", () => {
    expect(decodeHexAddress("7F000001", false)).toBe("127.0.0.1");
    expect(decodeHexAddress("c0000202", false)).toBe("192.0.2.2");
  });

  it("decodes IPv6 as four little-endian words into RFC 5952 text", () => {
    expect(decodeHexAddress("00000000000000000000000001000000", true)).toBe("::1");
    expect(decodeHexAddress("00000000000000000000000000000000", true)).toBe("::");
    expect(decodeHexAddress("B80D0120000000000000000001000000", true)).toBe("2001:db8::1");
    expect(decodeHexAddress("000080FE00000000FF00FC00010000FE", true)).toBe("fe80::fc:ff:fe00:1");
    expect(decodeHexAddress("20010DB8000000000000000000000001", false)).toBe("2001:db8::1");
  });

  it("gives IPv4-mapped IPv6 addresses as plain IPv4", () => {
    expect(decodeHexAddress("0000000000000000FFFF00000100007F", true)).toBe("127.0.0.1");
    expect(decodeHexAddress("0000000000000000FFFF00000600000A", true)).toBe("10.0.0.6");
    // ::ffff:0:0 is mapped 0.0.0.0; ::1:ffff:... is not mapped
    expect(decodeHexAddress("0000000000000000FFFF000000000000", true)).toBe("0.0.0.0");
    expect(decodeHexAddress("0000000000000000FFFF01000100007F", true)).toBe("::1:ffff:7f00:1");
  });

  it("rejects wrong lengths and non-hex digits", () => {
    expect(decodeHexAddress("0100007", true)).toBeUndefined();
    expect(decodeHexAddress("0100007G", true)).toBeUndefined();
    expect(decodeHexAddress("", true)).toBeUndefined();
    expect(decodeHexAddress("0000000000000000FFFF00000100007", true)).toBeUndefined();
    expect(decodeHexAddress("0000000000000000FFFF0000010000 F", true)).toBeUndefined();
  });
});

describe("hexValue", () => {
  it("reads upper and lower case digits and rejects others", () => {
    expect(hexValue("0016", 0, 4)).toBe(22);
    expect(hexValue("ffff", 0, 4)).toBe(65535);
    expect(hexValue("xx1Fxx", 2, 4)).toBe(31);
    expect(hexValue("12-4", 0, 4)).toBe(-1);
    expect(hexValue("", 0, 0)).toBe(-1);
  });
});

describe("formatIPv6", () => {
  it("compresses the longest zero run, the leftmost on a tie, never a single group", () => {
    expect(formatIPv6([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1])).toBe("2001:db8::1:0:0:1");
    expect(formatIPv6([0x2001, 0xdb8, 0, 1, 1, 1, 1, 1])).toBe("2001:db8:0:1:1:1:1:1");
    expect(formatIPv6([0x2001, 0, 0, 1, 0, 0, 0, 1])).toBe("2001:0:0:1::1");
    expect(formatIPv6([1, 0, 0, 0, 0, 0, 0, 0])).toBe("1::");
    expect(formatIPv6([0, 0, 0, 0, 0, 0, 0, 0])).toBe("::");
  });

  it("agrees with ipaddr.js on thousands of addresses rich in zero groups", () => {
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let n = 0; n < 5000; n++) {
      const groups = Array.from({ length: 8 }, () =>
        random() < 0.5 ? 0 : Math.floor(random() * 0x10000),
      );
      expect(formatIPv6(groups)).toBe(new ipaddr.IPv6(groups).toRFC5952String());
    }
  });
});
