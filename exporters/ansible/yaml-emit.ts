/**
 * A direct writer for the inventory YAML: the same text the yaml package
 * writes with the options of inventoryYaml (render.ts), for the values an
 * inventory holds (plain objects, arrays, strings, finite numbers, booleans,
 * null), at a small fraction of its cost (the yaml package builds a node per
 * value, about 1 ms per host). Keys are written plain only when the yaml
 * package would (checked with its own YAML 1.1 tag tests); anything else
 * raises CannotEmit and the caller uses the yaml package for the whole file.
 */
import { Document, type Tags } from "yaml";

/** Something the direct writer does not write the way the yaml package would. */
export class CannotEmit extends Error {
  override name = "CannotEmit";
}

/** A scalar tag the key tests need: the yaml package's own, for YAML 1.1 with the inventory's tags. */
interface TagTest {
  default?: boolean | "key";
  tag: string;
  test?: RegExp;
}

/** Keys the yaml package writes plain: no indicator, space, quote or colon anywhere. */
const SIMPLE_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * Characters a key must never hold outside double quotes: the yaml package
 * would write a tab, U+2028/2029, a BOM or U+FFFE/FFFF plain (or inside single
 * quotes), where a YAML 1.1 reader (PyYAML, so Ansible) breaks the line, stops
 * the scalar or refuses the character, and the escaping of inventoryYaml
 * (render.ts) would turn them into other text. Controls and lone surrogates
 * are here too, though the yaml package already double-quotes them.
 */
export const DOUBLE_QUOTED_KEY = /[\p{Cc}\u2028\u2029\ufeff\ufffe\uffff]|\p{Cs}/u;

export interface YamlEmitOptions {
  customTags: (tags: Tags) => Tags;
  /** The tag written before template-like strings ("!unsafe"). */
  unsafeTag: string;
  isUnsafe: (text: string) => boolean;
  /** How the yaml package writes `name: null` at the top level: for keys that are not simple. */
  libraryPair: (name: string) => string;
}

export class YamlEmitter {
  private readonly tests: TagTest[];
  /** How each key is written, for the text being written only: keys are untrusted, none outlive it. */
  private readonly keys = new Map<string, string>();
  private readonly indents: string[] = [""];

  constructor(private readonly options: YamlEmitOptions) {
    const schema = new Document(null, { version: "1.1", customTags: options.customTags }).schema;
    const tags = [...schema.tags, ...(schema.compat ?? [])] as TagTest[];
    this.tests = tags.filter((t) => t.default && t.tag !== "tag:yaml.org,2002:str" && t.test);
  }

  private indent(depth: number): string {
    for (let d = this.indents.length; d <= depth; d++) this.indents[d] = "  ".repeat(d);
    return this.indents[depth] as string;
  }

  /** A key as the yaml package writes it. */
  key(name: string): string {
    let text = this.keys.get(name);
    if (text === undefined) {
      text =
        SIMPLE_KEY.test(name) && !this.tests.some((t) => t.test?.test(name))
          ? name
          : this.libraryKey(name);
      this.keys.set(name, text);
    }
    return text;
  }

  /**
   * A key the yaml package quotes ("123", "yes"), asked of it once. Only keys
   * whose form cannot depend on where they stand: one line, no document
   * marker (%, ---, ...) at their start, short enough for an implicit key;
   * and double-quoted when they hold a character of DOUBLE_QUOTED_KEY.
   */
  private libraryKey(name: string): string {
    const pair = /^[%.-]/.test(name) ? "" : this.options.libraryPair(name);
    const key = pair.slice(0, -": null\n".length);
    if (
      !pair.endsWith(": null\n") ||
      key.includes("\n") ||
      key.startsWith("?") ||
      key === "" ||
      (DOUBLE_QUOTED_KEY.test(name) && !key.startsWith('"'))
    ) {
      throw new CannotEmit(`key ${JSON.stringify(name)}`);
    }
    return key;
  }

  private scalar(value: unknown): string {
    if (value === null) return "null";
    switch (typeof value) {
      case "string": {
        const json = JSON.stringify(value);
        return this.options.isUnsafe(value) ? `${this.options.unsafeTag} ${json}` : json;
      }
      case "number":
        if (!Number.isFinite(value)) throw new CannotEmit(`number ${value}`);
        return Object.is(value, -0) ? "-0" : JSON.stringify(value);
      case "boolean":
        return value ? "true" : "false";
      default:
        throw new CannotEmit(`a value of type ${typeof value}`);
    }
  }

  private isCollection(value: unknown): value is object {
    return value !== null && typeof value === "object";
  }

  /** A top-level map as YAML text, after `prefix`. */
  write(value: Record<string, unknown>, prefix = ""): string {
    const parts = [prefix];
    try {
      this.mapEntries(value, 0, parts);
    } finally {
      this.keys.clear();
    }
    return parts.join("");
  }

  /** `key: value` lines of a map at `depth`; an empty map is `{}` and belongs to its parent. */
  private mapEntries(value: Record<string, unknown>, depth: number, parts: string[]): void {
    const pad = this.indent(depth);
    for (const [name, item] of Object.entries(value)) {
      parts.push(pad, this.key(name), ":");
      this.afterKey(item, depth, parts);
    }
  }

  /** What follows `key:`: a scalar or an empty collection on the line, else a nested block. */
  private afterKey(item: unknown, depth: number, parts: string[]): void {
    if (!this.isCollection(item)) {
      parts.push(" ", this.scalar(item), "\n");
    } else if (Array.isArray(item)) {
      if (item.length === 0) parts.push(" []\n");
      else {
        parts.push("\n");
        this.seqItems(item, depth + 1, parts);
      }
    } else if (Object.keys(item).length === 0) {
      parts.push(" {}\n");
    } else {
      parts.push("\n");
      this.mapEntries(item as Record<string, unknown>, depth + 1, parts);
    }
  }

  /** `- item` lines of a non-empty sequence at `depth`. */
  private seqItems(items: readonly unknown[], depth: number, parts: string[]): void {
    const pad = this.indent(depth);
    for (const item of items) {
      parts.push(pad, "-");
      this.inline(item, depth, parts);
    }
  }

  /** An item after `- `: its first line follows the dash, the rest indented under it. */
  private inline(item: unknown, depth: number, parts: string[]): void {
    if (!this.isCollection(item)) {
      parts.push(" ", this.scalar(item), "\n");
      return;
    }
    if (Array.isArray(item)) {
      if (item.length === 0) {
        parts.push(" []\n");
        return;
      }
      item.forEach((sub, i) => {
        parts.push(i === 0 ? " -" : `${this.indent(depth + 1)}-`);
        this.inline(sub, depth + 1, parts);
      });
      return;
    }
    const entries = Object.entries(item as Record<string, unknown>);
    if (entries.length === 0) {
      parts.push(" {}\n");
      return;
    }
    entries.forEach(([name, sub], i) => {
      parts.push(i === 0 ? " " : this.indent(depth + 1), this.key(name), ":");
      this.afterKey(sub, depth + 1, parts);
    });
  }
}
