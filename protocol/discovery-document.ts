/**
 * The envelope every discovery result travels in, from the probe to the CMA,
 * and its validation against the JSON Schemas in schemas/discovery/.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { packageRoot } from "../lib/package-root.js";

export interface DiscoveryError {
  /** What could not be read: a path, a command, or a path and line number. */
  where: string;
  message: string;
}

export interface DiscoveryDocument<D = unknown> {
  discovertype: string;
  description: string;
  host: string;
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

const ENVELOPE_ID = "envelope.schema.json";

let ajv: Ajv | undefined;
const validators = new Map<string, ValidateFunction>();

function schemaDirectory(): string {
  return join(packageRoot(), "schemas", "discovery");
}

function loadedAjv(): Ajv {
  if (ajv) return ajv;
  const instance = new Ajv({ allErrors: true, strict: true });
  for (const file of readdirSync(schemaDirectory())) {
    if (!file.endsWith(".schema.json")) continue;
    const schema = JSON.parse(readFileSync(join(schemaDirectory(), file), "utf8")) as object;
    instance.addSchema(schema, file);
  }
  ajv = instance;
  return instance;
}

/** The discovery types that have a schema. */
export function knownDiscoveryTypes(): string[] {
  return readdirSync(schemaDirectory())
    .filter((file) => file.endsWith(".schema.json") && file !== ENVELOPE_ID)
    .map((file) => file.slice(0, -".schema.json".length))
    .sort();
}

function validatorFor(discovertype: string): ValidateFunction | undefined {
  let validate = validators.get(discovertype);
  if (!validate) {
    validate = loadedAjv().getSchema(`${discovertype}.schema.json`);
    if (validate) validators.set(discovertype, validate);
  }
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
  const envelope = loadedAjv().getSchema(ENVELOPE_ID);
  if (!envelope) throw new Error(`schema ${ENVELOPE_ID} is missing from ${schemaDirectory()}`);
  if (!envelope(doc)) {
    const type =
      typeof doc === "object" && doc !== null && "discovertype" in doc
        ? String((doc as { discovertype: unknown }).discovertype)
        : "(unknown)";
    throw new InvalidDocumentError(type, describe(envelope.errors));
  }
  const typed = doc as DiscoveryDocument;
  const validate = validatorFor(typed.discovertype);
  if (!validate) {
    throw new InvalidDocumentError(typed.discovertype, [
      `unknown discovertype; known: ${knownDiscoveryTypes().join(", ")}`,
    ]);
  }
  if (!validate(doc)) throw new InvalidDocumentError(typed.discovertype, describe(validate.errors));
}
