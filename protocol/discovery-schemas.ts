/**
 * The JSON Schemas of discovery documents (schemas/discovery/), loaded into
 * ajv. Used by the build, which compiles them into standalone validator
 * modules, and at run time when those modules are absent (tests on sources).
 */
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Ajv, Options } from "ajv";
import { packageRoot } from "../lib/package-root.js";

export const ENVELOPE_SCHEMA = "envelope";
const SUFFIX = ".schema.json";

export function schemaDirectory(): string {
  return join(packageRoot(), "schemas", "discovery");
}

let names: readonly string[] | undefined;

/** Schema names: "envelope" and one per discovery type (the directory is read once). */
export function schemaNames(): readonly string[] {
  names ??= readdirSync(schemaDirectory())
    .filter((file) => file.endsWith(SUFFIX))
    .map((file) => file.slice(0, -SUFFIX.length))
    .sort();
  return names;
}

/** The key each schema is registered under; type schemas $ref the envelope by it. */
export function schemaKey(name: string): string {
  return `${name}${SUFFIX}`;
}

/** An ajv instance holding every discovery schema; ajv is loaded only when this is called. */
export function discoveryAjv(options: Options = {}): Ajv {
  // Loaded on demand: importing and compiling with ajv costs ~100 ms at start-up,
  // which the CLI avoids by using the validators compiled at build time.
  const { Ajv: AjvClass } = createRequire(import.meta.url)("ajv") as typeof import("ajv");
  const ajv = new AjvClass({ allErrors: true, strict: true, ...options });
  for (const name of schemaNames()) {
    const path = join(schemaDirectory(), schemaKey(name));
    ajv.addSchema(JSON.parse(readFileSync(path, "utf8")) as object, schemaKey(name));
  }
  return ajv;
}
