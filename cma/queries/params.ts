/**
 * Validation of query parameters against the catalogue. Values may come typed
 * (REST JSON, code) or as strings (CLI `--param k=v`, URL query strings);
 * both are accepted and brought to one typed, canonical form.
 */
import { canonicalIp, canonicalMac } from "../graph/keys.js";
import { findQuery, type ParamDefinition, type QueryDefinition, queryNames } from "./catalogue.js";
import { QueryParameterError, UnknownQueryError } from "./errors.js";

export type QueryParams = Readonly<Record<string, string | number | boolean>>;

export interface PreparedQuery {
  definition: QueryDefinition;
  /** Every declared parameter that was given or has a default; nothing else. */
  params: QueryParams;
}

/** The definition and validated parameters, or UnknownQueryError / QueryParameterError. */
export function prepareQuery(
  name: string,
  raw: Readonly<Record<string, unknown>> = {},
): PreparedQuery {
  const definition = findQuery(name);
  if (!definition) throw new UnknownQueryError(name, queryNames());
  for (const given of Object.keys(raw)) {
    if (!definition.params.some((p) => p.name === given)) {
      const known = definition.params.map((p) => p.name);
      throw new QueryParameterError(
        name,
        given,
        known.length === 0
          ? "this query takes no parameters"
          : `unknown parameter; known: ${known.join(", ")}`,
      );
    }
  }
  const params: Record<string, string | number | boolean> = {};
  const given: Record<string, unknown> = {};
  for (const param of definition.params) {
    const value = Object.hasOwn(raw, param.name) ? raw[param.name] : undefined;
    if (value === undefined || value === null) {
      if (param.required) throw new QueryParameterError(name, param.name, "is required");
      if (param.default !== undefined) params[param.name] = param.default;
      continue;
    }
    params[param.name] = coerce(name, param, value);
    given[param.name] = params[param.name];
  }
  const problem = definition.check?.(given);
  if (problem) throw new QueryParameterError(name, "", problem);
  return { definition, params };
}

function coerce(query: string, param: ParamDefinition, value: unknown): string | number | boolean {
  const fail = (problem: string): never => {
    throw new QueryParameterError(query, param.name, problem);
  };
  switch (param.type) {
    case "integer": {
      const n =
        typeof value === "number"
          ? value
          : typeof value === "string" && /^-?\d{1,16}$/.test(value.trim())
            ? Number(value.trim())
            : Number.NaN;
      if (!Number.isSafeInteger(n)) return fail(`expected an integer, got ${show(value)}`);
      if (param.min !== undefined && n < param.min) return fail(`must be at least ${param.min}`);
      if (param.max !== undefined && n > param.max) return fail(`must be at most ${param.max}`);
      return n;
    }
    case "boolean": {
      if (typeof value === "boolean") return value;
      if (value === "true") return true;
      if (value === "false") return false;
      return fail(`expected true or false, got ${show(value)}`);
    }
    case "ip": {
      const ip = typeof value === "string" ? canonicalIp(value) : null;
      if (!ip) return fail(`expected an IPv4 or IPv6 address, got ${show(value)}`);
      return ip.ip;
    }
    case "mac": {
      const mac = typeof value === "string" ? canonicalMac(value) : null;
      if (!mac) return fail(`expected a MAC address such as 00:1b:2c:3d:4e:5f, got ${show(value)}`);
      return mac;
    }
    case "enum": {
      if (typeof value !== "string" || !param.values?.includes(value)) {
        return fail(`expected one of ${param.values?.join(", ")}, got ${show(value)}`);
      }
      return value;
    }
    case "string": {
      if (typeof value !== "string" || value.trim() === "") {
        return fail(`expected a non-empty string, got ${show(value)}`);
      }
      if (param.maxLength !== undefined && value.length > param.maxLength) {
        return fail(`longer than ${param.maxLength} characters`);
      }
      if (/\p{Cc}/u.test(value)) return fail("contains control characters");
      return value;
    }
  }
}

function show(value: unknown): string {
  const text = typeof value === "string" ? JSON.stringify(value) : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
