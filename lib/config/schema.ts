/** schemas/assim-config.schema.json, compiled once, and its errors in words. */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { ErrorObject, ValidateFunction } from "ajv";
import { packageRoot } from "../package-root.js";
import { type KeyPath, pointerPath } from "../yaml-position.js";
import { closest } from "./suggest.js";

export const CONFIG_SCHEMA_FILE = "assim-config.schema.json";

let validator: ValidateFunction | undefined;

export function configValidator(): ValidateFunction {
  if (validator) return validator;
  // ajv is CommonJS; its default export does not survive ESM interop under NodeNext.
  const { Ajv: AjvClass } = createRequire(import.meta.url)("ajv") as typeof import("ajv");
  const ajv = new AjvClass({
    allErrors: true,
    strict: true,
    strictRequired: false,
    allowUnionTypes: true,
    verbose: true,
  });
  const schema = JSON.parse(
    readFileSync(join(packageRoot(), "schemas", CONFIG_SCHEMA_FILE), "utf8"),
  ) as object;
  validator = ajv.compile(schema);
  return validator;
}

/** A schema error in words, with the path of the node it is about. */
export interface SchemaProblem {
  path: KeyPath;
  /** The problem is an unknown key: point at the key, not at its value. */
  unknownKey?: string;
  message: string;
  /** The value is still usable for the semantic checks (a list with a duplicate item). */
  usable?: boolean;
}

/** "the number 5", "the string \"x\"", "a list": what the file has where something else belongs. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "empty";
  if (Array.isArray(value)) return value.length === 0 ? "an empty list" : "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return value === "" ? "an empty string" : JSON.stringify(value);
  if (typeof value === "number")
    return Number.isInteger(value) ? `the number ${value}` : `${value}`;
  return String(value);
}

const TYPE_WORDS: Record<string, string> = {
  object: "a mapping",
  array: "a list",
  string: "a string",
  integer: "a whole number",
  number: "a number",
  boolean: "true or false",
};

interface SchemaNode {
  title?: string;
  properties?: Record<string, unknown>;
  enum?: unknown[];
  type?: string | string[];
}

function expected(error: ErrorObject): string {
  const parent = (error.parentSchema ?? {}) as SchemaNode;
  if (error.instancePath === "") {
    return `a mapping of sections: ${Object.keys(parent.properties ?? {}).join(", ")}`;
  }
  if (parent.title) return parent.title;
  if (parent.enum) return parent.enum.map(String).join(" or ");
  const types = [parent.type ?? []].flat();
  return types.map((type) => TYPE_WORDS[type] ?? type).join(" or ") || "something else";
}

const NEO4J_PASSWORD =
  "the Neo4j password is never read from a file (expected the environment variable NEO4J_PASSWORD)";

function unknownKey(error: ErrorObject, path: KeyPath): SchemaProblem {
  const key = String(error.params.additionalProperty);
  const keys = Object.keys((error.parentSchema as SchemaNode).properties ?? {});
  let message: string;
  if (path.length === 1 && path[0] === "neo4j" && key === "password") {
    message = NEO4J_PASSWORD;
  } else {
    const suggestion = closest(key, keys);
    message = suggestion
      ? `unknown key "${key}"; did you mean "${suggestion}"?`
      : `unknown key "${key}" (expected one of: ${keys.join(", ")})`;
  }
  return { path: [...path, key], unknownKey: key, message };
}

/** The schema's errors as problems, one per error ajv found. */
export function schemaProblems(errors: readonly ErrorObject[]): SchemaProblem[] {
  return errors.map((error) => {
    const path = pointerPath(error.instancePath);
    const is = describeValue(error.data);
    switch (error.keyword) {
      case "additionalProperties":
        return unknownKey(error, path);
      case "required":
        return { path, message: `missing key "${String(error.params.missingProperty)}"` };
      case "uniqueItems": {
        // ajv walks the list backwards: j is the later of the two equal items.
        const index = Number(error.params.j);
        const item = (error.data as unknown[])[index];
        return {
          path: [...path, index],
          message: `${describeValue(item)} is listed twice (expected each item once)`,
          usable: true,
        };
      }
      default:
        return { path, message: `is ${is} (expected ${expected(error)})` };
    }
  });
}
