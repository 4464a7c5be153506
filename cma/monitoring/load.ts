/**
 * Loads rules files: shipped ones (cma/monitoring/rules/*.yaml in the package)
 * and an operator directory whose rules replace shipped rules of the same
 * name. A broken file is reported with its file, line and column and does not
 * stop the other files from loading.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { ErrorObject, ValidateFunction } from "ajv";
import { LineCounter, parseDocument } from "yaml";
import { packageRoot } from "../../lib/package-root.js";
import { keyPosition, pointerPath, valuePosition } from "../../lib/yaml-position.js";
import { compileSafeRegex } from "./safe-regex.js";
import type { Rule, RuleLoadError, RuleSpec } from "./types.js";

export function shippedRulesDirectory(): string {
  return join(packageRoot(), "cma", "monitoring", "rules");
}

let validator: ValidateFunction | undefined;

function validateRules(): ValidateFunction {
  if (validator) return validator;
  const { Ajv: AjvClass } = createRequire(import.meta.url)("ajv") as typeof import("ajv");
  const ajv = new AjvClass({ allErrors: true, strict: true, strictRequired: false });
  const schema = JSON.parse(
    readFileSync(join(packageRoot(), "schemas", "monitoring-rules.schema.json"), "utf8"),
  ) as object;
  validator = ajv.compile(schema);
  return validator;
}

export interface LoadedRules {
  rules: Rule[];
  errors: RuleLoadError[];
}

function describeSchemaError(error: ErrorObject): string {
  const where = error.instancePath === "" ? "the file" : error.instancePath;
  if (error.keyword === "additionalProperties")
    return `${where}: unknown property "${String(error.params.additionalProperty)}"`;
  if (error.keyword === "required")
    return `${where}: missing property "${String(error.params.missingProperty)}"`;
  if (error.keyword === "enum")
    return `${where}: ${error.message} (${(error.params.allowedValues as unknown[]).join(", ")})`;
  return `${where}: ${error.message ?? error.keyword}`;
}

// ajv reports every branch of a failed oneOf/if; the leaf errors say what is wrong.
const NOISE = new Set(["oneOf", "if", "anyOf"]);

/** Parses and validates one rules file; rules with a bad regex are dropped with an error. */
export function parseRulesFile(text: string, file: string, origin: Rule["origin"]): LoadedRules {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  const errors: RuleLoadError[] = [];
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const pos = error.linePos?.[0] ?? counter.linePos(error.pos[0]);
      errors.push({
        file,
        line: pos.line,
        column: pos.col,
        message: `YAML syntax error: ${error.message.split("\n")[0]}`,
      });
    }
    return { rules: [], errors };
  }
  const value: unknown = doc.toJS();
  const validate = validateRules();
  if (!validate(value)) {
    const leaves = (validate.errors ?? []).filter((e) => !NOISE.has(e.keyword));
    for (const error of leaves.length > 0 ? leaves : (validate.errors ?? [])) {
      const path = pointerPath(error.instancePath);
      const position =
        error.keyword === "additionalProperties"
          ? keyPosition(doc, counter, path, String(error.params.additionalProperty))
          : valuePosition(doc, counter, path);
      errors.push({ file, ...position, message: describeSchemaError(error) });
    }
    return { rules: [], errors };
  }
  const rules: Rule[] = [];
  const specs = (value as { rules: RuleSpec[] }).rules;
  specs.forEach((spec, index) => {
    const rulePosition = valuePosition(doc, counter, ["rules", index]);
    const rule: Rule = { spec, origin, source: `${file}:${rulePosition.line}` };
    let ok = true;
    for (const key of ["exe", "basename", "argv"] as const) {
      const pattern = spec.match[key];
      if (pattern === undefined) continue;
      const compiled = compileSafeRegex(pattern);
      if (typeof compiled === "string") {
        errors.push({
          file,
          ...valuePosition(doc, counter, ["rules", index, "match", key]),
          message: `rule "${spec.name}": match.${key}: ${compiled}`,
        });
        ok = false;
      } else rule[key] = compiled;
    }
    if (spec.match.uid !== undefined) rule.uids = [spec.match.uid].flat();
    if (spec.match.port !== undefined) rule.ports = [spec.match.port].flat();
    if (spec.match.package !== undefined) rule.packages = [spec.match.package].flat();
    if (ok) rules.push(rule);
  });
  return { rules, errors };
}

/** Every *.yaml / *.yml file of a directory, sorted, parsed; an unreadable directory is an error. */
export function loadRulesDirectory(directory: string, origin: Rule["origin"]): LoadedRules {
  const result: LoadedRules = { rules: [], errors: [] };
  let files: string[];
  try {
    files = readdirSync(directory)
      .filter((f) => f.endsWith(".yaml") || f.endsWith(".yml"))
      .sort();
  } catch (error) {
    result.errors.push({
      file: directory,
      line: 0,
      column: 0,
      message: `cannot read the rules directory: ${(error as Error).message}`,
    });
    return result;
  }
  const seen = new Map<string, string>();
  for (const name of files) {
    const file = join(directory, name);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      result.errors.push({ file, line: 0, column: 0, message: (error as Error).message });
      continue;
    }
    const loaded = parseRulesFile(text, file, origin);
    result.errors.push(...loaded.errors);
    for (const rule of loaded.rules) {
      const previous = seen.get(rule.spec.name);
      if (previous !== undefined) {
        const line = Number(rule.source.slice(rule.source.lastIndexOf(":") + 1));
        result.errors.push({
          file,
          line,
          column: 1,
          message: `rule "${rule.spec.name}" is already defined at ${previous}; this one is ignored`,
        });
        continue;
      }
      seen.set(rule.spec.name, rule.source);
      result.rules.push(rule);
    }
  }
  return result;
}

/** Shipped rules, then operator rules: an operator rule replaces the shipped rule of its name. */
export function loadRules(
  options: { shippedDir?: string; operatorDir?: string } = {},
): LoadedRules {
  const shipped = loadRulesDirectory(options.shippedDir ?? shippedRulesDirectory(), "shipped");
  if (options.operatorDir === undefined) return shipped;
  const operator = loadRulesDirectory(options.operatorDir, "operator");
  const overridden = new Set(operator.rules.map((r) => r.spec.name));
  return {
    rules: [...shipped.rules.filter((r) => !overridden.has(r.spec.name)), ...operator.rules],
    errors: [...shipped.errors, ...operator.errors],
  };
}
