import type { Command } from "commander";
import { openConfiguredStore } from "../../cma/graph/open.js";
import type { QueryResult, QueryValue } from "../../cma/graph/store.js";
import { QUERIES } from "../../cma/queries/catalogue.js";
import { isQueryRequestError } from "../../cma/queries/errors.js";
import { prepareQuery } from "../../cma/queries/params.js";
import { resolveDataDir } from "../../lib/data-dir.js";
import { UsageError } from "../errors.js";
import { writeStdout } from "../output.js";
import { openStore } from "./ingest.js";

interface QueryOptions {
  param: string[];
  format: string;
  list?: boolean;
  dataDir?: string;
}

export function registerQuery(program: Command): void {
  program
    .command("query")
    .description("run a named query on the graph (assim query --list shows them)")
    .argument("[name]", "query name")
    .option(
      "-p, --param <name=value>",
      "query parameter (repeatable)",
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option("-f, --format <format>", "table or json", "table")
    .option("-l, --list", "list the queries with their parameters and columns")
    .option(
      "--data-dir <dir>",
      "data directory of the embedded store (default: $ASSIM_DATA_DIR or ./.assim)",
    )
    .addHelpText(
      "after",
      "\nExamples:\n  assim query systems\n  assim query host-dependencies --param host=web1\n" +
        "  assim query dependency-tree -p host=web1 -p port=443 -p depth=3 --format json",
    )
    .action(async (name: string | undefined, options: QueryOptions) => {
      if (options.format !== "table" && options.format !== "json") {
        throw new UsageError(`--format must be table or json, not "${options.format}"`);
      }
      if (options.list) {
        await writeStdout(
          options.format === "json" ? `${JSON.stringify(catalogue(), null, 2)}\n` : listing(),
        );
        return;
      }
      if (!name) throw new UsageError("name a query, or use --list to see them");
      const params = parseParams(options.param);
      try {
        prepareQuery(name, params); // a bad request is an error before the store is opened
      } catch (error) {
        if (isQueryRequestError(error)) throw new UsageError(error.message);
        throw error;
      }
      const store = await openStore(() =>
        openConfiguredStore({ dataDir: resolveDataDir(options.dataDir), mustExist: true }),
      );
      try {
        const result = await store.runQuery(name, params);
        await writeStdout(
          options.format === "json" ? `${JSON.stringify(result, null, 2)}\n` : table(result),
        );
      } finally {
        await store.close();
      }
    });
}

function parseParams(pairs: readonly string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf("=");
    if (equals <= 0) throw new UsageError(`--param wants name=value, not "${pair}"`);
    const key = pair.slice(0, equals);
    if (Object.hasOwn(params, key)) throw new UsageError(`--param ${key} given twice`);
    params[key] = pair.slice(equals + 1);
  }
  return params;
}

function catalogue() {
  return QUERIES.map(({ check: _check, ...definition }) => definition);
}

function listing(): string {
  return QUERIES.map((q) => {
    const params = q.params.map((p) => {
      const detail = p.type === "enum" ? (p.values ?? []).join("|") : p.type;
      const dflt = p.default !== undefined ? `, default ${p.default}` : "";
      return `    --param ${p.name}=<${detail}>${p.required ? " (required)" : ""}${dflt}: ${p.description}`;
    });
    return [
      `${q.name}: ${q.description}`,
      ...params,
      `    columns: ${q.columns.map((c) => c.name).join(", ")}`,
    ].join("\n");
  })
    .join("\n\n")
    .concat("\n");
}

/**
 * Cells are values from discovered hosts: control characters (an escape
 * sequence in a process argument) are shown escaped, never sent to the terminal.
 */
function cell(value: QueryValue): string {
  const text = value === null ? "-" : Array.isArray(value) ? value.join(", ") : String(value);
  return text.replace(
    /[\p{Cc}\u2028\u2029]/gu,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function table(result: QueryResult): string {
  const rows = result.rows.map((row) => result.columns.map((c) => cell(row[c] ?? null)));
  const widths = result.columns.map((c, i) =>
    Math.max(c.length, ...rows.map((r) => (r[i] ?? "").length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((text, i) => text.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  const count = `(${result.rows.length} row${result.rows.length === 1 ? "" : "s"})`;
  return [line(result.columns), line(widths.map((w) => "-".repeat(w))), ...rows.map(line), count]
    .join("\n")
    .concat("\n");
}
