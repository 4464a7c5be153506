import { describe, expect, it } from "vitest";
import { vendorOf } from "./vendor.js";

describe("vendorOf", () => {
  it("names makers from the IEEE registry in oui-data", () => {
    expect(vendorOf("00:1b:21:3a:4b:01")).toBe("Intel Corporate");
    expect(vendorOf("00:0c:29:aa:bb:cc")).toBe("VMware, Inc.");
    expect(vendorOf("00:10:18:de:ad:03")).toBe("Broadcom");
  });

  it("prefers the longest registered prefix (MA-S over MA-M over MA-L)", () => {
    const registry = {
      "001BC5": "IEEE Registration Authority\nsomewhere",
      "001BC50": "Medium Block Ltd\naddress",
      "001BC5001": "Small Block GmbH\naddress",
      "100000": "Private",
    };
    const lookup = () => registry;
    expect(vendorOf("00:1b:c5:00:10:00", lookup)).toBe("Small Block GmbH");
    expect(vendorOf("00:1b:c5:02:00:00", lookup)).toBe("Medium Block Ltd");
    expect(vendorOf("00:1b:c5:f0:00:00", lookup)).toBe("IEEE Registration Authority");
    expect(vendorOf("10:00:00:00:00:01", lookup)).toBeNull();
    expect(vendorOf("aa:00:00:00:00:01", lookup)).toBeNull();
    expect(vendorOf("not a mac", lookup)).toBeNull();
  });

  it("does not read inherited properties of the registry object", () => {
    expect(vendorOf("00:00:00:00:00:00", () => ({}))).toBeNull();
    const proto = Object.create({ "001B21": "Inherited" }) as Record<string, string>;
    expect(vendorOf("00:1b:21:00:00:00", () => proto)).toBeNull();
  });
});
