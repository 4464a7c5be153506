/**
 * The limits the configuration schema states are the ones the commands check:
 * each is one constant, and the schema (JSON, which cannot import it) is
 * compared with it here.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  DISCOVERY_INTERVAL_LIMITS,
  SWITCH_SECONDS_LIMITS,
} from "../../cma/server/discovery-limits.js";
import { MAX_HOSTS, MAX_NAME, MAX_SWITCHES } from "../../lab/topology.js";
import { packageRoot } from "../package-root.js";
import { checkConfigText } from "./check.js";
import { CONFIG_SCHEMA_FILE } from "./schema.js";
import { formatConfigError } from "./types.js";

interface Node {
  $ref?: string;
  definitions?: Record<string, Node>;
  title?: string;
  type?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  properties?: Record<string, Node>;
}

const schema = JSON.parse(
  readFileSync(join(packageRoot(), "schemas", CONFIG_SCHEMA_FILE), "utf8"),
) as Node;

/** A node, or the definition its $ref points to ("#/definitions/cma"). */
const resolved = (node: Node | undefined) =>
  node?.$ref ? schema.definitions?.[node.$ref.split("/").pop() as string] : node;

/** The schema of the key at a dotted path ("up.lab.hosts"). */
function at(path: string): Node {
  let node: Node | undefined = schema;
  for (const key of path.split(".")) node = resolved(node?.properties?.[key]);
  if (!node) throw new Error(`no key ${path} in ${CONFIG_SCHEMA_FILE}`);
  return node;
}

describe("the configuration schema's limits", () => {
  it.each([
    ["cma.discovery.switch_seconds", SWITCH_SECONDS_LIMITS.minS, SWITCH_SECONDS_LIMITS.maxS],
    ["up.lab.hosts", 1, MAX_HOSTS],
    ["up.lab.switches", 1, MAX_SWITCHES],
  ])("%s: a whole number from %i to %i, in its title too", (path, min, max) => {
    const node = at(path);
    expect(node).toMatchObject({ type: "integer", minimum: min, maximum: max });
    expect(node.title).toContain(`from ${min} to ${max}`);
  });

  it("up.lab.name: at most MAX_NAME characters, in its title too", () => {
    expect(at("up.lab.name").maxLength).toBe(MAX_NAME);
    expect(at("up.lab.name").title).toContain(`1 to ${MAX_NAME} `);
  });
});

describe("cma.discovery.interval in a configuration file", () => {
  const errors = (interval: string) =>
    checkConfigText(`cma:\n  discovery:\n    interval: ${interval}\n`, "assim.yaml").errors.map(
      formatConfigError,
    );
  const { minS, maxS } = DISCOVERY_INTERVAL_LIMITS;

  it("takes whole seconds from the least to the most --discovery-interval takes", () => {
    expect(errors(`${minS}s`)).toEqual([]);
    expect(errors(`${maxS}s`)).toEqual([]);
  });

  it.each([`${minS * 1000 - 1}ms`, `${maxS + 1}s`])("refuses %s as out of range", (interval) => {
    expect(errors(interval)).toEqual([
      expect.stringContaining(`cma.discovery.interval: ${interval} is out of range`),
    ]);
  });
});
