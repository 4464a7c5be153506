/**
 * The two forms of an inventory: a YAML file (the yaml inventory plugin) and
 * the JSON of an inventory script (`--list`, `--host`). Values that Jinja
 * would template ("{{", "{%", "{#") are marked unsafe, so Ansible keeps them
 * literal: `!unsafe` in YAML, `{"__ansible_unsafe": …}` in script JSON.
 */
import { Document, isScalar, Scalar, type ScalarTag, type Tags, visit } from "yaml";
import { compareIds } from "../fields.js";
import type { FieldObject, FieldValue } from "../records.js";
import type { Inventory } from "./inventory.js";
import { CannotEmit, DOUBLE_QUOTED_KEY, YamlEmitter } from "./yaml-emit.js";

/** Text Jinja would treat as a template: a variable, a statement or a comment. */
export const isTemplateLike = (value: string) => /\{[{%#]/.test(value);

/** A string to write with Ansible's `!unsafe` tag. */
class UnsafeText {
  constructor(readonly text: string) {}
}

/** Ansible's YAML tag for a value never to template (ansible.parsing.yaml.constructor). */
const unsafeTag: ScalarTag = {
  tag: "!unsafe",
  identify: (value) => value instanceof UnsafeText,
  createNode: (_schema, value) => new Scalar((value as UnsafeText).text),
  resolve: (value) => value,
};

/**
 * The YAML 1.1 tags, to quote what a YAML 1.1 reader would not read as a
 * string, without the merge key (the yaml package would write the string "<<"
 * bare, as one), with !unsafe.
 */
export const yamlTags = (tags: Tags) => [
  ...tags.filter((t) => typeof t === "string" || t.tag !== "tag:yaml.org,2002:merge"),
  unsafeTag,
];

/**
 * Characters JSON.stringify leaves raw that a YAML 1.1 reader (PyYAML, so
 * Ansible) refuses or reads as a line break: DEL, C1 controls, U+2028/2029,
 * BOM, U+FFFE/FFFF.
 */
const RAW_UNSAFE = /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g;

const HEADER =
  " Ansible inventory written by `assim export --format ansible` from the discovered graph.\n" +
  " Do not edit: the next export rewrites it. Host facts are under assim_*.";

/**
 * The inventory as YAML: every host with its vars under all.hosts, every
 * group under all.children. Every string is double-quoted JSON-style (so no
 * value can start a key, an anchor, a tag or a comment, and YAML 1.1 never
 * reads one as a boolean, a number or a date), and template-like strings are
 * tagged !unsafe.
 */
export function inventoryYaml(inventory: Inventory): string {
  let text: string;
  try {
    text = emittedYaml(inventory);
  } catch (error) {
    if (!(error instanceof CannotEmit)) throw error;
    text = libraryYaml(inventory);
  }
  // Every raw character left is inside a double-quoted string: escape the ones YAML 1.1 refuses.
  return text.replace(RAW_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function inventoryTree(inventory: Inventory, hostvars: Record<string, unknown>) {
  const children: Record<string, { hosts: Record<string, null> }> = {};
  for (const [group, hosts] of Object.entries(inventory.groups)) {
    children[group] = { hosts: Object.fromEntries(hosts.map((h) => [h, null])) };
  }
  const all: Record<string, unknown> = { hosts: hostvars };
  if (Object.keys(children).length > 0) all.children = children;
  return { all };
}

let emitter: YamlEmitter | undefined;

/** The inventory written directly (yaml-emit.ts); CannotEmit when only the yaml package can. */
export function emittedYaml(inventory: Inventory): string {
  emitter ??= new YamlEmitter({
    customTags: yamlTags,
    unsafeTag: unsafeTag.tag,
    isUnsafe: isTemplateLike,
    libraryPair: (name) => libraryText(Object.fromEntries([[name, null]])),
  });
  const comment = `${HEADER.split("\n")
    .map((line) => `#${line}`)
    .join("\n")}\n\n`;
  return emitter.write(inventoryTree(inventory, inventory.hostvars), comment);
}

/** The inventory through the yaml package's document model. */
export function libraryYaml(inventory: Inventory): string {
  const hosts = Object.fromEntries(
    Object.entries(inventory.hostvars).map(([h, vars]) => [h, markUnsafe(vars, yamlUnsafe)]),
  );
  return libraryText(inventoryTree(inventory, hosts), HEADER);
}

function libraryText(value: unknown, comment?: string): string {
  const doc = new Document(value, {
    version: "1.1",
    customTags: yamlTags,
    aliasDuplicateObjects: false,
  });
  if (comment !== undefined) doc.commentBefore = comment;
  // The package would write these keys plain or single-quoted: see DOUBLE_QUOTED_KEY.
  visit(doc, {
    Pair(_, pair) {
      const key = pair.key;
      if (isScalar(key) && typeof key.value === "string" && DOUBLE_QUOTED_KEY.test(key.value)) {
        key.type = Scalar.QUOTE_DOUBLE;
      }
    },
  });
  return doc.toString({
    lineWidth: 0,
    defaultStringType: "QUOTE_DOUBLE",
    defaultKeyType: "PLAIN",
    doubleQuotedAsJSON: true,
    nullStr: "null",
  });
}

/** Ansible's JSON form of unsafe text (ansible.parsing.ajson). */
const jsonUnsafe = (text: string) => ({ __ansible_unsafe: text });
const yamlUnsafe = (text: string) => new UnsafeText(text);

/** A copy of a value with its template-like strings wrapped by `wrap`. */
function markUnsafe(value: FieldValue, wrap: (text: string) => unknown): unknown {
  if (typeof value === "string") return isTemplateLike(value) ? wrap(value) : value;
  if (Array.isArray(value)) return value.map((v) => markUnsafe(v, wrap));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = markUnsafe(v, wrap);
    return out;
  }
  return value;
}

/**
 * `--list`: every group with its hosts, `all` with every host and group,
 * `ungrouped` with the hosts in no group, and every host's vars in
 * `_meta.hostvars` (so Ansible never calls `--host`).
 */
export function inventoryList(inventory: Inventory): Record<string, unknown> {
  const hosts = Object.keys(inventory.hostvars);
  const grouped = new Set(Object.values(inventory.groups).flat());
  const groups = Object.keys(inventory.groups);
  return {
    _meta: {
      hostvars: Object.fromEntries(
        Object.entries(inventory.hostvars).map(([h, vars]) => [h, markUnsafe(vars, jsonUnsafe)]),
      ),
    },
    all: { hosts, children: [...groups, "ungrouped"].sort(compareIds) },
    ungrouped: { hosts: hosts.filter((h) => !grouped.has(h)) },
    ...Object.fromEntries(Object.entries(inventory.groups).map(([g, h]) => [g, { hosts: h }])),
  };
}

/** `--host NAME`: the host's vars, `{}` for a host the inventory does not have. */
export function inventoryHost(inventory: Inventory, name: string): unknown {
  const vars: FieldObject | undefined = Object.hasOwn(inventory.hostvars, name)
    ? inventory.hostvars[name]
    : undefined;
  return vars === undefined ? {} : markUnsafe(vars, jsonUnsafe);
}
