import fc from "fast-check";
import ipaddr from "ipaddr.js";
import { describe, expect, it } from "vitest";
import {
  argvHash,
  canonicalIp,
  canonicalMac,
  ipKey,
  ipPortKey,
  isUniversalUnicastMac,
  processKey,
} from "./keys.js";

describe("canonicalIp", () => {
  it.each([
    ["10.0.0.1", "10.0.0.1", 4, "global"],
    ["2001:DB8:0:0:0:0:0:1", "2001:db8::1", 6, "global"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1", 6, "global"],
    ["::ffff:192.0.2.7", "192.0.2.7", 4, "global"],
    ["127.0.0.53", "127.0.0.53", 4, "host"],
    ["0:0:0:0:0:0:0:1", "::1", 6, "host"],
    ["fe80::1", "fe80::1", 6, "global"],
  ])("%s is %s (IPv%i, scope %s)", (text, ip, version, scope) => {
    expect(canonicalIp(text)).toMatchObject({ ip, version, scope, any: false });
  });

  it("knows the wildcard addresses", () => {
    expect(canonicalIp("0.0.0.0")).toMatchObject({ ip: "0.0.0.0", any: true });
    expect(canonicalIp("::")).toMatchObject({ ip: "::", any: true });
  });

  it.each(["1.2.3", "0xa.0.0.1", "010.0.0.1", "10.0.0.256", "fe80::1%eth0", "", "web1", ":::"])(
    "rejects %j, which does not name one address unambiguously",
    (text) => {
      expect(canonicalIp(text)).toBeNull();
    },
  );

  it("gives every spelling of an IPv6 address the RFC 5952 form", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }),
        (parts) => {
          const address = new ipaddr.IPv6(parts);
          const expected = address.isIPv4MappedAddress()
            ? address.toIPv4Address().toString()
            : address.toRFC5952String();
          expect(canonicalIp(address.toNormalizedString().toUpperCase())?.ip).toBe(expected);
          const fixed = parts.map((p) => p.toString(16).padStart(4, "0")).join(":");
          expect(canonicalIp(fixed)?.ip).toBe(expected);
        },
      ),
    );
  });
});

describe("keys", () => {
  it("scopes loopback addresses and wildcard listeners to their system, nothing else", () => {
    const v4 = canonicalIp("10.0.0.1");
    const lo = canonicalIp("127.0.0.1");
    const any = canonicalIp("::");
    if (!v4 || !lo || !any) throw new Error("parse");
    expect(ipKey(v4, "host:a")).toBe("10.0.0.1");
    expect(ipKey(lo, "host:a")).toBe("127.0.0.1%host:a");
    expect(ipPortKey("tcp", v4, 80, "host:a")).toBe("tcp|10.0.0.1|80");
    expect(ipPortKey("tcp", lo, 80, "host:a")).toBe("tcp|127.0.0.1%host:a|80");
    expect(ipPortKey("udp", any, 53, "host:a")).toBe("udp|::%host:a|53");
  });

  it("hashes argv with its argument boundaries", () => {
    expect(argvHash(["a b"])).not.toBe(argvHash(["a", "b"]));
    expect(argvHash(["a", ""])).not.toBe(argvHash(["a"]));
    expect(argvHash(["x"])).toMatch(/^[0-9a-f]{64}$/);
    const hash = argvHash(["/usr/sbin/nginx"]);
    expect(processKey("host:a", "/usr/sbin/nginx", hash)).not.toBe(
      processKey("host:b", "/usr/sbin/nginx", hash),
    );
    expect(processKey("host:a", "/usr/sbin/nginx", hash)).toBe(
      processKey("host:a", "/usr/sbin/nginx", hash),
    );
  });
});

describe("MACs", () => {
  it.each([
    ["0c:c4:7a:00:00:10", true],
    ["00:16:3e:12:34:56", true],
    ["02:42:ac:11:00:02", false], // locally administered
    ["52:54:00:12:34:56", false], // locally administered (QEMU)
    ["01:00:5e:00:00:01", false], // multicast
    ["00:00:00:00:00:00", false],
    ["80:00:02:08:fe:80:00:00:00:00:00:00:00:00:00:00:00:00:00:01", false], // InfiniBand: not 6 bytes
  ])("%s is universal unicast: %s", (mac, expected) => {
    expect(isUniversalUnicastMac(mac)).toBe(expected);
  });

  it.each([
    ["0C-C4-7A-00-00-10", "0c:c4:7a:00:00:10"],
    ["0cc4.7a00.0010", "0c:c4:7a:00:00:10"],
    [" 0c:c4:7a:00:00:10 ", "0c:c4:7a:00:00:10"],
    ["0c:c4:7a", null],
    ["zz:c4:7a:00:00:10", null],
  ])("canonicalMac(%j) is %j", (text, expected) => {
    expect(canonicalMac(text)).toBe(expected);
  });
});
