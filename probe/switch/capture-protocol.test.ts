import { describe, expect, it } from "vitest";
import { classifyOpenError, linkTypeNumber, parseChildMessage } from "./capture-protocol.js";

describe("classifyOpenError", () => {
  // The first, third and fourth were seen here through the pcap binding (as nobody; as root
  // on a missing and on a down device); the second is pcap_statustostr()'s wording for
  // PCAP_ERROR_PERM_DENIED; anything else is "other".
  it.each([
    ["socket: Operation not permitted", "permission"],
    ["You don't have permission to perform this capture on that device", "permission"],
    ["No such device exists", "no_such_device"],
    ["That device is not up", "not_up"],
    ["eth0: SIOCGIFHWADDR: Bad address", "other"],
  ])("%j is %s", (message, kind) => {
    expect(classifyOpenError(message)).toBe(kind);
  });
});

describe("linkTypeNumber", () => {
  it("maps the binding's names back to LINKTYPE numbers, and its 'Unknown linktype N'", () => {
    expect(linkTypeNumber("LINKTYPE_ETHERNET")).toBe(1);
    expect(linkTypeNumber("LINKTYPE_LINUX_SLL")).toBe(113);
    expect(linkTypeNumber("Unknown linktype 104")).toBe(104);
    expect(linkTypeNumber("toString")).toBeUndefined();
    expect(linkTypeNumber("LINKTYPE_SOMETHING")).toBeUndefined();
  });
});

describe("parseChildMessage", () => {
  it("accepts the message types, with an interface", () => {
    const line = '{"type":"listening","interface":"eth0","link_type":1}';
    expect(parseChildMessage(line)).toEqual({ type: "listening", interface: "eth0", link_type: 1 });
  });

  it.each(["", "not json", "42", "null", '{"type":"frame"}', '{"type":"shell","interface":"x"}'])(
    "ignores %j",
    (line) => {
      expect(parseChildMessage(line)).toBeUndefined();
    },
  );
});
