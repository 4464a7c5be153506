/**
 * The direct YAML writer against the yaml package it stands in for: the same
 * text for every inventory, ordinary, hostile or odd.
 */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { HOSTILE } from "../../test/support/ansible.js";
import type { ExportRecord, FieldObject } from "../records.js";
import { buildInventory, type Inventory } from "./inventory.js";
import { emittedYaml, inventoryYaml, isTemplateLike, libraryYaml, yamlTags } from "./render.js";
import { CannotEmit, YamlEmitter } from "./yaml-emit.js";

const specials = [
  ..."=+-@!&*|>%`#?:[]{},'\"~".split("").flatMap((c) => [c, `${c}x`, `${c} x`]),
  "---",
  "...",
  "<<",
  "yes",
  "0o17",
  "1:20",
  "x: y",
  "x #y",
  "\\",
  " lead",
  "trail ",
  "a\r\nb\n",
  "\t",
  "{{ lookup('pipe', 'id') }}",
  "{% if %}",
  "{# c #}",
  "\u0000\u0085\u2028\ufeff\ud800",
  "é 中 😀",
];

/** Tab, YAML 1.1 line breaks, BOM, C0 and C1 controls, DEL, noncharacters, lone surrogates. */
const CONTROLS = [
  "\t",
  "\r",
  "\u0000",
  "\u0001",
  "\u000b",
  "\u001b",
  "\u007f",
  "\u0080",
  "\u0085",
  "\u009f",
  "\u2028",
  "\u2029",
  "\ufeff",
  "\ufffe",
  "\uffff",
  "\ud800",
  "\udc00",
];

const HOSTILE_TEXT = [
  ...CONTROLS.flatMap((c) => [c, `a${c}b`, `${c}x`, `x${c}`]),
  ..."-?&*!|>'\"%@`".split("").flatMap((c) => [`${c}x`, `${c} x`]),
  "a: b",
  "a:",
  "#x",
  "a #b",
  "{{ x }}",
  "{{",
  "a\nb",
  "\n",
  "",
  "null",
  "~",
  "yes",
  "0x1F",
  "1e3",
];

/** A raw character that a YAML 1.1 reader refuses or reads as a line break or separator. */
const RAW_CONTROL = /(?!\n)[\p{Cc}\u2028\u2029\ufeff\ufffe\uffff]|\p{Cs}/u;

const inventoryOf = (hostvars: Record<string, FieldObject>, groups = {}): Inventory => ({
  groups,
  hostvars,
  warnings: [],
});

function expectSame(inventory: Inventory) {
  expect(emittedYaml(inventory)).toBe(libraryYaml(inventory));
}

describe("the direct inventory YAML writer", () => {
  it("writes what the yaml package writes for scalars of every kind", () => {
    expectSame(
      inventoryOf({
        h: {
          strings: specials,
          numbers: [0, -0, 1, -5, 1.5, 1e21, 1e-7, 2 ** 60, Number.MAX_SAFE_INTEGER],
          flags: [true, false, null],
          unsafe: "{{ x }}",
        },
      }),
    );
  });

  it("writes nested and empty collections the same way", () => {
    expectSame(
      inventoryOf({
        h: {
          empty_list: [],
          empty_map: {},
          nested: [[], {}, [1, [2, []], {}], { a: [], b: {}, c: [{ d: 1 }] }, [{ e: [[]] }]],
          deep: { a: { b: { c: [{ d: { e: null } }] } } },
        },
        g: {},
      }),
    );
    expectSame(inventoryOf({}));
  });

  it("quotes keys exactly where the yaml package does", () => {
    const names = ["yes", "On", "NO", "null", "~", "123", "1_000", "0x1f", "1e3", "1.5", "y", "n"];
    const tricky = [...names, "2001-12-14", "0b101", "1:20", "a b", 'a"b', "a'b", "_x"];
    const hostvars = Object.fromEntries(tricky.map((name) => [name, { [name]: name }]));
    const groups = Object.fromEntries(names.map((name) => [name, [...tricky]]));
    expectSame(inventoryOf(hostvars, groups));
  });

  it("leaves keys whose form depends on their place to the yaml package", () => {
    for (const name of [".inf", "---x", "%x", "-x"]) {
      const inventory = inventoryOf({ [name]: { a: 1 } });
      expect(() => emittedYaml(inventory)).toThrow(CannotEmit);
      expect(inventoryYaml(inventory)).toBe(libraryYaml(inventory));
    }
  });

  it("writes hostile keys and values so that they read back the same", () => {
    for (const text of HOSTILE_TEXT) {
      const vars = { [text]: text, nested: [{ [text]: [text] }] };
      const inventory = inventoryOf({ h: vars });
      const written = inventoryYaml(inventory);
      const read = parse(written, { version: "1.1", customTags: yamlTags });
      expect(read, JSON.stringify(text)).toEqual({ all: { hosts: { h: vars } } });
      expect(written, JSON.stringify(text)).not.toMatch(RAW_CONTROL);
      let direct: string | undefined;
      try {
        direct = emittedYaml(inventory);
      } catch (error) {
        if (!(error instanceof CannotEmit)) throw error;
      }
      if (direct !== undefined) expect(direct, JSON.stringify(text)).toBe(libraryYaml(inventory));
    }
  });

  it("never writes a key with a control, line or format character outside double quotes", () => {
    // As the yaml package alone would: such keys plain.
    const emitter = new YamlEmitter({
      customTags: yamlTags,
      unsafeTag: "!unsafe",
      isUnsafe: isTemplateLike,
      libraryPair: (name) => `${name}: null\n`,
    });
    expect(emitter.key("a b")).toBe("a b");
    for (const c of CONTROLS) {
      expect(() => emitter.key(`a${c}b`), JSON.stringify(c)).toThrow(CannotEmit);
    }
  });

  it("asks the yaml package once per key and text, and keeps no key after the text", () => {
    const asked: string[] = [];
    const emitter = new YamlEmitter({
      customTags: yamlTags,
      unsafeTag: "!unsafe",
      isUnsafe: isTemplateLike,
      libraryPair: (name) => {
        asked.push(name);
        return `"${name}": null\n`;
      },
    });
    const tree = { h1: { "a b": 1, plain: 2 }, h2: { "a b": 3 } };
    expect(emitter.write(tree)).toBe('h1:\n  "a b": 1\n  plain: 2\nh2:\n  "a b": 3\n');
    expect(asked).toEqual(["a b"]);
    emitter.write(tree);
    expect(asked).toEqual(["a b", "a b"]);
  });

  it("writes the inventory of tricky and hostile hosts the same way", () => {
    const records: ExportRecord[] = [...specials, ...HOSTILE_NAMES].map((hostname, i) => ({
      id: `host:${i}`,
      kind: "host",
      fields: {
        machine_id: `${i}`.padStart(32, "0"),
        hostname,
        os_id: hostname,
        os_version: hostname,
        status: hostname,
        nics: { [hostname]: { mac: hostname, ips: [hostname, "10.0.0.1/24"], mtu: -0 } },
      },
    }));
    expectSame(buildInventory(records));
  });
});

const HOSTILE_NAMES = (Object.values(HOSTILE) as unknown[]).filter(
  (v): v is string => typeof v === "string",
);
