import { describe, expect, it } from "vitest";
import { formatAddress, parseAddress } from "./address.js";

describe("addresses", () => {
  it("parses and formats IPv4 and IPv6 with ports", () => {
    expect(parseAddress("10.1.2.3:1984")).toEqual({ address: "10.1.2.3", port: 1984 });
    expect(parseAddress("[::1]:7")).toEqual({ address: "::1", port: 7 });
    expect(parseAddress("::1", 1984)).toEqual({ address: "::1", port: 1984 });
    expect(parseAddress("127.0.0.1", 1984)).toEqual({ address: "127.0.0.1", port: 1984 });
    expect(formatAddress({ address: "::1", port: 7 })).toBe("[::1]:7");
    expect(formatAddress({ address: "10.0.0.1", port: 1984 })).toBe("10.0.0.1:1984");
  });

  it("refuses names, bad ports and a missing port without a default", () => {
    expect(() => parseAddress("cma.example:1984")).toThrow(/not an IP address/);
    expect(() => parseAddress("10.0.0.1:99999")).toThrow(/port must be/);
    expect(() => parseAddress("10.0.0.1:12a")).toThrow(/port must be/);
    expect(() => parseAddress("10.0.0.1")).toThrow(/port must be/);
  });
});
