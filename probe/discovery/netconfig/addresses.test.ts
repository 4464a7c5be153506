import { describe, expect, it } from "vitest";
import { canonicalIp, canonicalMac, compareIps, isUniversalMac, isZeroMac } from "./addresses.js";

describe("canonicalIp", () => {
  it("keeps IPv4 as a dotted quad and gives IPv6 in lowercase RFC 5952 form", () => {
    expect(canonicalIp("10.0.0.5")).toEqual({ ip: "10.0.0.5", family: "ipv4", range: "private" });
    expect(canonicalIp("FD00:0:0:0:0:0:0:2")?.ip).toBe("fd00::2");
    expect(canonicalIp("2001:db8:0:0:1:0:0:1")?.ip).toBe("2001:db8::1:0:0:1");
    expect(canonicalIp("2001:0db8::0001")?.ip).toBe("2001:db8::1");
    expect(canonicalIp("fe80::FC:ff:fe00:1")).toEqual({
      ip: "fe80::fc:ff:fe00:1",
      family: "ipv6",
      range: "linkLocal",
    });
    expect(canonicalIp("ff02::1")?.range).toBe("multicast");
  });

  it("refuses shorthand, octal-looking and out-of-range IPv4, zones and junk", () => {
    for (const text of ["010.0.0.1", "1.2.3", "256.1.1.1", "1.2.3.4.5", "fe80::1%eth0", "", "x"]) {
      expect(canonicalIp(text), text).toBeUndefined();
    }
    expect(canonicalIp(`1${"0".repeat(100)}`)).toBeUndefined();
  });

  it("orders IPv4 before IPv6, then numerically", () => {
    const sorted = ["fd00::2", "10.0.0.10", "::1", "10.0.0.9", "9.0.0.1"].sort(compareIps);
    expect(sorted).toEqual(["9.0.0.1", "10.0.0.9", "10.0.0.10", "::1", "fd00::2"]);
  });
});

describe("canonicalMac", () => {
  it("lowercases and pads hex bytes joined by colons", () => {
    expect(canonicalMac("00:1B:21:3A:4B:0C")).toBe("00:1b:21:3a:4b:0c");
    expect(canonicalMac("0:1b:21:3a:4b:c")).toBe("00:1b:21:3a:4b:0c");
    const infiniband = "80:00:02:08:fe:80:00:00:00:00:00:00:00:02:c9:03:00:2b:d9:41";
    expect(canonicalMac(infiniband)).toBe(infiniband);
  });

  it("refuses what is not a link-layer address", () => {
    for (const text of ["10.20.100.15", "fe80::1", "00-1b-21-3a-4b-0c", "001b213a4b0c", "gg:00"]) {
      expect(canonicalMac(text), text).toBeUndefined();
    }
  });

  it("tells IEEE-assigned MACs from local, multicast and zero ones", () => {
    expect(isUniversalMac("00:1b:21:3a:4b:01")).toBe(true);
    expect(isUniversalMac("52:54:00:12:34:56")).toBe(false);
    expect(isUniversalMac("02:fc:00:00:00:01")).toBe(false);
    expect(isUniversalMac("01:00:5e:00:00:01")).toBe(false);
    expect(isUniversalMac("00:00:00:00:00:00")).toBe(false);
    expect(isZeroMac("00:00:00:00:00:00")).toBe(true);
    expect(isUniversalMac("80:00:02:08:fe:80:00:00:00:00:00:00:00:02:c9:03:00:2b:d9:41")).toBe(
      false,
    );
  });
});
