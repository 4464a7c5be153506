/** The example and docs/configuration.md keep up with the schema. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../package-root.js";
import { EXAMPLE_CONFIG } from "./example.js";
import { CONFIG_SCHEMA_FILE } from "./schema.js";

interface Node {
  $ref?: string;
  properties?: Record<string, Node>;
  definitions?: Record<string, Node>;
}

const schema = JSON.parse(
  readFileSync(join(packageRoot(), "schemas", CONFIG_SCHEMA_FILE), "utf8"),
) as Node;

/** Every key of the schema as a dotted path ("cma.heartbeat.warn"). */
function keys(node: Node, prefix: string): string[] {
  const resolved = node.$ref
    ? (schema.definitions?.[node.$ref.split("/").pop() as string] ?? node)
    : node;
  return Object.entries(resolved.properties ?? {}).flatMap(([key, child]) => [
    `${prefix}${key}`,
    ...keys(child, `${prefix}${key}.`),
  ]);
}

describe("the configuration's documentation", () => {
  const all = keys(schema, "");

  it("knows the keys", () => {
    expect(all).toContain("cma.heartbeat.warn");
    expect(all).toContain("exporters.push.dry_run");
  });

  it("has every key in the example (some commented out)", () => {
    for (const key of all) {
      const last = key.split(".").pop() as string;
      expect(EXAMPLE_CONFIG, key).toMatch(new RegExp(`^[ #]*${last}:`, "m"));
    }
  });

  it("has every key and the example in docs/configuration.md", () => {
    const docs = readFileSync(join(packageRoot(), "docs", "configuration.md"), "utf8");
    const leaves = all.filter((key) => !all.some((other) => other.startsWith(`${key}.`)));
    for (const key of leaves) {
      const [section, ...rest] = key.split(".");
      const name = rest.length === 0 ? (section as string) : rest.join(".");
      expect(docs, key).toContain(`| \`${name}\` |`);
    }
    expect(docs).toContain(EXAMPLE_CONFIG);
  });
});
