/**
 * The envelope every discovery result travels in, from the probe to the CMA,
 * and its validation against the JSON Schemas in schemas/discovery/.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { ErrorObject, ValidateFunction } from "ajv";
import { discoveryAjv, ENVELOPE_SCHEMA, schemaKey, schemaNames } from "./discovery-schemas.js";

export interface DiscoveryError {
  /** What could not be read: a path, a command, or a path and line number. */
  where: string;
  message: string;
}

export interface DiscoveryDocument<D = unknown> {
  discovertype: string;
  description: string;
  host: string;
  /** The host's machine id (32 lowercase hex digits): the System it describes. */
  machine_id?: string;
  source: string;
  proxy: string;
  /** ISO 8601 time at which collection finished. */
  collected_at: string;
  data: D;
  /** What was skipped while collecting; empty when everything was read. */
  errors: DiscoveryError[];
}

export class InvalidDocumentError extends Error {
  constructor(
    readonly discovertype: string,
    readonly problems: string[],
  ) {
    super(`invalid discovery document "${discovertype}": ${problems.join("; ")}`);
    this.name = "InvalidDocumentError";
  }
}

/** The discovery types that have a schema. */
export function knownDiscoveryTypes(): string[] {
  return schemaNames().filter((name) => name !== ENVELOPE_SCHEMA);
}

const requireHere = createRequire(import.meta.url);
const validators = new Map<string, ValidateFunction | null>();
let runtimeAjv: ReturnType<typeof discoveryAjv> | undefined;

/** The build's standalone validator for a schema, or ajv compiling it now when there is none. */
function validatorFor(name: string): ValidateFunction | null {
  const cached = validators.get(name);
  if (cached !== undefined) return cached;
  let validate: ValidateFunction | null = null;
  if (schemaNames().includes(name)) {
    const compiled = fileURLToPath(new URL(`./validators/${name}.cjs`, import.meta.url));
    if (existsSync(compiled)) {
      validate = (requireHere(compiled) as { default: ValidateFunction }).default;
    } else {
      runtimeAjv ??= discoveryAjv();
      validate = runtimeAjv.getSchema(schemaKey(name)) ?? null;
    }
  }
  validators.set(name, validate);
  return validate;
}

function describe(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const where = e.instancePath === "" ? "(document)" : e.instancePath;
    const detail =
      e.keyword === "additionalProperties"
        ? ` "${(e.params as { additionalProperty: string }).additionalProperty}"`
        : "";
    return `${where} ${e.message ?? e.keyword}${detail}`;
  });
}

/** Throws InvalidDocumentError, naming every problem, unless doc is a valid document. */
export function assertValidDiscoveryDocument(doc: unknown): asserts doc is DiscoveryDocument {
  const envelope = validatorFor(ENVELOPE_SCHEMA);
  if (!envelope) throw new Error(`the ${ENVELOPE_SCHEMA} discovery schema is missing`);
  if (!envelope(doc)) {
    const type =
      typeof doc === "object" && doc !== null && "discovertype" in doc
        ? String((doc as { discovertype: unknown }).discovertype)
        : "(unknown)";
    throw new InvalidDocumentError(type, describe(envelope.errors));
  }
  const typed = doc as DiscoveryDocument;
  const validate = typed.discovertype === ENVELOPE_SCHEMA ? null : validatorFor(typed.discovertype);
  if (!validate) {
    throw new InvalidDocumentError(typed.discovertype, [
      `unknown discovertype; known: ${knownDiscoveryTypes().join(", ")}`,
    ]);
  }
  if (!validate(doc)) throw new InvalidDocumentError(typed.discovertype, describe(validate.errors));
}
