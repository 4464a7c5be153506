/**
 * Renders the report templates (templates/reports/*.hbs). HTML templates use
 * Handlebars' own escaping, so every discovered value is inert text in the
 * page (which also forbids scripts in its Content-Security-Policy). Markdown
 * templates compile without HTML escaping and pass every value through the
 * `md`, `code`, `time` or `value` helper, which neutralise Markdown and HTML syntax
 * and line breaks, so a hostile hostname cannot add a row, a link or a tag.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Handlebars from "handlebars";
import { packageRoot } from "../../lib/package-root.js";

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this removes
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;
/**
 * The characters that can start Markdown or HTML syntax (emphasis, code, links,
 * tags, entities, tables, headings, autolinks): each is backslash-escaped,
 * which CommonMark allows for any ASCII punctuation. Plain punctuation (, . ; ? -)
 * stays readable: values never start a line, so - and = cannot start a list
 * or a heading.
 */
const MARKDOWN_PUNCTUATION = /[\\`*_{}[\]<>()#+!|~&:$]/g;
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/** Text as literal Markdown: one line, every punctuation character escaped. */
export function markdownText(value: unknown): string {
  if (value === null || value === undefined) return "";
  return String(value).replace(CONTROL, " ").replace(MARKDOWN_PUNCTUATION, "\\$&");
}

/** Text inside a code span of a table cell: one line, no backtick to close it, pipes escaped. */
export function markdownCode(value: unknown): string {
  if (value === null || value === undefined) return "";
  return String(value).replace(CONTROL, " ").replace(/`/g, "'").replace(/\|/g, "\\|");
}

/** A timestamp as it is when it is one (nothing in it to escape), else escaped text. */
export function markdownTime(value: unknown): string {
  return typeof value === "string" && ISO_TIME.test(value) ? value : markdownText(value);
}

function jsonOf(value: unknown): string {
  if (value === null || value === undefined) return "-";
  return typeof value === "string" ? value : JSON.stringify(value);
}

function markdownValue(value: unknown): string {
  if (value === null || value === undefined) return "-";
  return typeof value === "string"
    ? markdownText(value)
    : `\`${markdownCode(JSON.stringify(value))}\``;
}

export type ReportTemplate = "unmonitored" | "drift";
export type ReportFormat = "md" | "html";

const compiled = new Map<string, Handlebars.TemplateDelegate>();

function template(name: ReportTemplate, format: ReportFormat): Handlebars.TemplateDelegate {
  const key = `${name}.${format}`;
  let found = compiled.get(key);
  if (!found) {
    const hbs = Handlebars.create();
    hbs.registerHelper("md", markdownText);
    hbs.registerHelper("time", markdownTime);
    hbs.registerHelper("code", markdownCode);
    hbs.registerHelper("value", markdownValue);
    hbs.registerHelper("json", jsonOf);
    const source = readFileSync(join(packageRoot(), "templates", "reports", `${key}.hbs`), "utf8");
    found = hbs.compile(source, { noEscape: format === "md", strict: true });
    compiled.set(key, found);
  }
  return found;
}

export function renderReport(name: ReportTemplate, format: ReportFormat, report: unknown): string {
  return template(name, format)({ report });
}
