/**
 * Checks answers against the API's own OpenAPI document: every schema in it
 * is compiled by ajv as JSON Schema 2020-12 (the dialect of OpenAPI 3.1), in
 * strict mode, so a schema with a misspelt or unknown keyword fails to compile.
 */
import { isIPv4, isIPv6 } from "node:net";
import { Ajv2020 } from "ajv/dist/2020.js";
import { buildOpenApiDocument } from "../../cma/api/openapi.js";

const DOCUMENT_ID = "assim-openapi.json";

/** JSON Pointer escaping of one reference token. */
const token = (text: string) => text.replaceAll("~", "~0").replaceAll("/", "~1");

export function openApiAjv(document: object = buildOpenApiDocument()): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  ajv.addFormat("ipv4", { type: "string", validate: (s: string) => isIPv4(s) });
  ajv.addFormat("ipv6", { type: "string", validate: (s: string) => isIPv6(s) });
  // OpenAPI's own fields are not JSON Schema keywords; declare them so strict mode
  // checks everything else. Only the schemas inside the document are compiled.
  ajv.addKeyword("openapi");
  ajv.addKeyword("info");
  ajv.addKeyword("tags");
  ajv.addKeyword("paths");
  ajv.addKeyword("components");
  ajv.addSchema(document, DOCUMENT_ID);
  return ajv;
}

/** A reference to a schema inside the document, by its path of property names. */
export function schemaRef(...path: string[]): { $ref: string } {
  return { $ref: `${DOCUMENT_ID}#/${path.map(token).join("/")}` };
}

/** Validates an answer of `path` with `status` against the document; [] when it conforms. */
export function responseValidator(
  document: object = buildOpenApiDocument(),
): (path: string, status: number, body: unknown) => string[] {
  const ajv = openApiAjv(document);
  return (path, status, body) => {
    const ref = schemaRef(
      "paths",
      path,
      "get",
      "responses",
      String(status),
      "content",
      "application/json",
      "schema",
    );
    const validate = ajv.compile(ref);
    if (validate(body)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  };
}
