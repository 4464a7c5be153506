import { describe, expect, it } from "vitest";
import {
  linkTypeName,
  parseAdminUp,
  parseCarrier,
  parseCount,
  parseDuplex,
  parseSpeed,
  ueventField,
} from "./sys-values.js";

describe("/sys attribute values", () => {
  it("reads speed in Mb/s and takes the kernel's unknown values as null", () => {
    expect(parseSpeed("1000\n")).toBe(1000);
    expect(parseSpeed("100000\n")).toBe(100000);
    expect(parseSpeed("-1\n")).toBeNull();
    expect(parseSpeed("4294967295\n")).toBeNull();
    expect(parseSpeed("0\n")).toBeNull();
    expect(parseSpeed("fast\n")).toBeNull();
    expect(parseSpeed("")).toBeNull();
  });

  it("reads duplex, carrier and admin state", () => {
    expect(parseDuplex("full\n")).toBe("full");
    expect(parseDuplex("half\n")).toBe("half");
    expect(parseDuplex("unknown\n")).toBeNull();
    expect(parseCarrier("1\n")).toBe(true);
    expect(parseCarrier("0\n")).toBe(false);
    expect(parseCarrier("2\n")).toBeNull();
    expect(parseAdminUp("0x1003\n")).toBe(true);
    expect(parseAdminUp("0x1002\n")).toBe(false);
    expect(parseAdminUp("4099\n")).toBeNull();
  });

  it("reads counts within bounds only", () => {
    expect(parseCount("1500\n")).toBe(1500);
    expect(parseCount("-1\n")).toBeNull();
    expect(parseCount("70000\n", 65535)).toBeNull();
    expect(parseCount("1e3\n")).toBeNull();
  });

  it("finds uevent fields and refuses odd values", () => {
    const uevent = "DRIVER=igb\nPCI_SLOT_NAME=0000:03:00.0\nDEVTYPE=bad value\n";
    expect(ueventField(uevent, "DRIVER")).toBe("igb");
    expect(ueventField(uevent, "PCI_SLOT_NAME")).toBe("0000:03:00.0");
    expect(ueventField(uevent, "DEVTYPE")).toBeNull();
    expect(ueventField(uevent, "MISSING")).toBeNull();
  });

  it("names link types as iproute2 does", () => {
    expect(linkTypeName(1)).toBe("ether");
    expect(linkTypeName(772)).toBe("loopback");
    expect(linkTypeName(65534)).toBe("none");
    expect(linkTypeName(803)).toBe("ieee802.11/radiotap");
    expect(linkTypeName(4242)).toBe("[4242]");
  });
});
