/**
 * Checks a configuration file: YAML syntax, then the schema, then what the
 * schema cannot say. Every problem is reported with the line and column of
 * the key or value it is about, in the order of the file.
 */
import { readFileSync } from "node:fs";
import { type Document, LineCounter, parseDocument, type YAMLError } from "yaml";
import {
  dottedPath,
  type KeyPath,
  keyPathAt,
  keyPosition,
  valuePosition,
} from "../yaml-position.js";
import { type KnownNames, knownNames } from "./known.js";
import { prune } from "./prune.js";
import { configValidator, schemaProblems } from "./schema.js";
import { checkSemantics } from "./semantics.js";
import type { AssimConfig, ConfigError } from "./types.js";

export interface CheckOptions {
  /**
   * Check interval < warn < dead, the defaults standing in for the timers the
   * file leaves out (default true). Right for the file on its own; a command
   * whose command line may still give the timers checks the merged values.
   */
  heartbeatOrder?: boolean;
  known?: KnownNames;
}

export interface CheckResult {
  /** The configuration, when there is no error. */
  config: AssimConfig | null;
  errors: ConfigError[];
}

function syntaxError(
  error: YAMLError,
  doc: Document,
  counter: LineCounter,
  file: string,
): ConfigError {
  const { line, col } = error.linePos?.[0] ?? counter.linePos(error.pos[0]);
  const first = error.message.split("\n")[0] ?? error.code;
  let message: string;
  let path = "";
  if (error.code === "DUPLICATE_KEY") {
    const keyPath = keyPathAt(doc, error.pos[0]);
    path = keyPath ? dottedPath(keyPath) : "";
    const key = keyPath?.[keyPath.length - 1];
    message = `duplicate key${key === undefined ? "" : ` "${key}"`} (expected each key once in a mapping)`;
  } else if (error.code === "TAB_AS_INDENT") {
    message = "a tab indents this line (expected spaces: YAML does not allow tabs for indentation)";
  } else {
    message = `YAML syntax error: ${first.replace(/ at line \d+, column \d+:?$/, "")}`;
  }
  return { file, line, column: col, path, message };
}

function schemaErrors(
  value: unknown,
  doc: Document,
  counter: LineCounter,
  file: string,
): { errors: ConfigError[]; rest: unknown } {
  const validate = configValidator();
  if (validate(value)) return { errors: [], rest: value };
  const problems = schemaProblems(validate.errors ?? []);
  const errors = problems.map((problem) => {
    const position =
      problem.unknownKey === undefined
        ? valuePosition(doc, counter, problem.path)
        : keyPosition(doc, counter, problem.path.slice(0, -1), problem.unknownKey);
    return { file, ...position, path: dottedPath(problem.path), message: problem.message };
  });
  // A missing key's path is its mapping's, which goes as a whole.
  return {
    errors,
    rest: prune(
      value,
      problems.filter((problem) => !problem.usable).map((problem) => problem.path),
    ),
  };
}

/** Checks the text of a configuration file named `file` (the name is only for messages). */
export function checkConfigText(
  text: string,
  file: string,
  { heartbeatOrder = true, known = knownNames() }: CheckOptions = {},
): CheckResult {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  const errors = doc.errors.map((error) => syntaxError(error, doc, counter, file));
  // A duplicate key leaves a usable document: check the rest too, to report everything at once.
  if (errors.length > 0 && doc.errors.some((error) => error.code !== "DUPLICATE_KEY")) {
    return { config: null, errors };
  }
  const value: unknown = doc.toJS() ?? {};
  const fromSchema = schemaErrors(value, doc, counter, file);
  errors.push(...fromSchema.errors);
  // The semantic checks see only what passed the schema, so that one run reports everything.
  if (fromSchema.rest !== null) {
    const report = (path: KeyPath, message: string) => {
      errors.push({ file, ...valuePosition(doc, counter, path), path: dottedPath(path), message });
    };
    checkSemantics(fromSchema.rest as AssimConfig, known, heartbeatOrder, report);
  }
  errors.sort((a, b) => a.line - b.line || a.column - b.column);
  return { config: errors.length === 0 ? (value as AssimConfig) : null, errors };
}

/** Reads and checks a configuration file; an unreadable file is one error without a position. */
export function checkConfigFile(file: string, options: CheckOptions = {}): CheckResult {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === "ENOENT"
        ? "no such file"
        : (error as Error).message;
    return {
      config: null,
      errors: [
        {
          file,
          line: 0,
          column: 0,
          path: "",
          message: `cannot read the configuration file: ${reason}`,
        },
      ],
    };
  }
  return checkConfigText(text, file, options);
}
