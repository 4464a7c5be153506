import { describe, expect, it } from "vitest";
import { ErrorList } from "../error-list.js";
import { escapeControlsInStrings, Fields, parseIpJson } from "./ip-json.js";

describe("parseIpJson", () => {
  it("reads iproute2's output even when a name holds raw control characters", () => {
    // What `ip -j link` prints for an interface named "c\x01d": invalid JSON as it stands.
    const raw = '[{"ifindex":9,"ifname":"c\u0001d","flags":["UP"]}]\n';
    expect(() => JSON.parse(raw)).toThrow();
    expect(parseIpJson(raw)).toEqual([{ ifindex: 9, ifname: "c\u0001d", flags: ["UP"] }]);
  });

  it("leaves escapes, quotes and text outside strings alone", () => {
    const text = '[{"a":"x\\"\u0002\\\\","b":"\t"}]';
    expect(escapeControlsInStrings(text)).toBe('[{"a":"x\\"\\u0002\\\\","b":"\\u0009"}]');
    expect(escapeControlsInStrings("[1, 2,\n3]")).toBe("[1, 2,\n3]");
  });

  it("gives an empty list for empty output and throws on what is not a JSON array", () => {
    expect(parseIpJson("  \n")).toEqual([]);
    expect(() => parseIpJson('{"a":1}')).toThrow("not a JSON array");
    expect(() => parseIpJson('Option "-j" is unknown')).toThrow();
  });
});

describe("Fields", () => {
  it("reads typed fields and records the wrong-typed ones as errors", () => {
    const errors = new ErrorList();
    const fields = new Fields(
      { s: "x", n: 5, big: 1e12, list: ["a"], bad: 3, obj: { k: "v" }, nul: null },
      "where",
      errors,
    );
    expect(fields.string("s")).toBe("x");
    expect(fields.integer("n", 0, 10)).toBe(5);
    expect(fields.integer("big", 0, 10)).toBeUndefined();
    expect(fields.strings("list")).toEqual(["a"]);
    expect(fields.string("bad")).toBeUndefined();
    expect(fields.object("obj")?.string("k")).toBe("v");
    expect(fields.string("nul")).toBeUndefined();
    expect(fields.string("missing")).toBeUndefined();
    expect(fields.strings("bad")).toEqual([]);
    expect(fields.list("obj")).toEqual([]);
    expect(fields.string("s", 0)).toBeUndefined();
    expect(errors.items.map((e) => e.message)).toEqual([
      'field "big" is not an integer from 0 to 10; ignored',
      'field "bad" is not a string; ignored',
      'field "bad" is not a list of strings; ignored',
      'field "obj" is not a list; ignored',
      'field "s" is not at most 0 characters long; ignored',
    ]);
    expect(errors.items.every((e) => e.where === "where")).toBe(true);
  });
});
