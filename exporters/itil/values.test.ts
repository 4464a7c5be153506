import ipaddr from "ipaddr.js";
import { describe, expect, it } from "vitest";
import { parseAddress } from "./values.js";

describe("parseAddress", () => {
  it("gives the network address ipaddr.js's networkAddressFromCIDR gives", () => {
    const cases = ["10.0.0.10/24", "10.0.0.10/0", "10.0.0.10/32", "255.255.255.255/1"];
    cases.push("::1/128", "fe80::1%eth0/64", "2001:db8::20/64", "::ffff:10.1.2.3/100", "::/0");
    for (let i = 0; i < 100; i++) {
      cases.push(`${i}.${(i * 7) % 256}.${(i * 13) % 256}.${(i * 31) % 256}/${i % 33}`);
      cases.push(`2001:db8:${i.toString(16)}::${(i * 97).toString(16)}/${i % 129}`);
    }
    for (const cidr of cases) {
      const v4 = ipaddr.IPv4.isValidCIDR(cidr);
      const expected = (v4 ? ipaddr.IPv4 : ipaddr.IPv6).networkAddressFromCIDR(cidr).toString();
      expect(parseAddress(cidr)?.subnet).toBe(expected);
    }
  });

  it("takes only addresses with a prefix, the second time too", () => {
    for (const text of ["10.0.0.1", "10.0.0.1/33", "2001:db8::1/129", "garbage", ""]) {
      expect(parseAddress(text)).toBeUndefined();
      expect(parseAddress(text)).toBeUndefined();
    }
  });

  it("gives the same parts when asked again, and parts nobody can change", () => {
    const first = parseAddress("10.1.2.3/8");
    expect(parseAddress("10.1.2.3/8")).toEqual({
      address: "10.1.2.3",
      version: 4,
      prefix: 8,
      netmask: "255.0.0.0",
      subnet: "10.0.0.0",
      loopback: false,
    });
    expect(Object.isFrozen(first)).toBe(true);
  });
});
