/**
 * The Handlebars side. Templates are compiled with `noEscape` (HTML escaping
 * means nothing to Nagios) and `strict`, and every value enters through one of
 * the helpers below. The model already made each value safe (escape.ts); the
 * helpers check it again and throw on anything else, which fails the export
 * before a file is written. Templates use no plain `{{value}}`: a test checks.
 */
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";
import Handlebars from "handlebars";
import { packageRoot } from "../../lib/package-root.js";
import { NAME } from "./escape.js";

export const TEMPLATE_FILES = [
  "templates.cfg",
  "contacts.cfg",
  "commands.cfg",
  "hosts.cfg",
  "hostgroups.cfg",
  "services.cfg",
  "dependencies.cfg",
] as const;
export type TemplateFile = (typeof TEMPLATE_FILES)[number];

/** One directive value: no control character, `$`, backquote or backslash, `;` only as `\;`. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are what we refuse
const TEXT = /^(?:[^\u0000-\u001f\u007f-\u009f\u2028\u2029\\$`;]|\\;)+$/;
const ARGUMENT =
  /^(?:\$HOSTADDRESS\$|-{1,2}[A-Za-z][A-Za-z0-9_-]*(?:=[A-Za-z0-9._:/@%+,=-]+)?|[A-Za-z0-9._:/@%+,=][A-Za-z0-9._:/@%+,=-]*)$/;
const COMMAND_LINE = /^\$USER1\$\/check_[a-z0-9_]+(?: \$ARG[1-9][0-9]?\$)*$/;

function guard(helper: string, ok: boolean, value: unknown): void {
  if (!ok) {
    throw new Error(`nagios template: unsafe value for ${helper}: ${JSON.stringify(value)}`);
  }
}

const isName = (value: unknown): value is string => typeof value === "string" && NAME.test(value);

export const helpers = {
  name(value: unknown): string {
    guard("name", isName(value), value);
    return value as string;
  },
  names(value: unknown): string {
    guard("names", Array.isArray(value) && value.length > 0 && value.every(isName), value);
    return (value as string[]).join(",");
  },
  address(value: unknown): string {
    guard("address", isName(value) || (typeof value === "string" && isIP(value) !== 0), value);
    return value as string;
  },
  text(value: unknown): string {
    guard("text", typeof value === "string" && value.trim() === value && TEXT.test(value), value);
    return value as string;
  },
  checkCommand(value: unknown): string {
    const parts = typeof value === "string" ? value.split("!") : [];
    const [command, ...args] = parts;
    guard(
      "checkCommand",
      /^assim_[a-z0-9_]+$/.test(command ?? "") && args.every((a) => ARGUMENT.test(a)),
      value,
    );
    return value as string;
  },
  commandLine(value: unknown): string {
    guard("commandLine", typeof value === "string" && COMMAND_LINE.test(value), value);
    return value as string;
  },
};

let compiled: Map<TemplateFile, HandlebarsTemplateDelegate> | undefined;

export function templateSource(file: TemplateFile): string {
  return readFileSync(join(packageRoot(), "templates", "nagios", `${file}.hbs`), "utf8");
}

function templates(): Map<TemplateFile, HandlebarsTemplateDelegate> {
  if (compiled) return compiled;
  const hbs = Handlebars.create();
  for (const [name, fn] of Object.entries(helpers)) hbs.registerHelper(name, fn);
  compiled = new Map(
    TEMPLATE_FILES.map((file) => [
      file,
      hbs.compile(templateSource(file), { noEscape: true, strict: true }),
    ]),
  );
  return compiled;
}

export function renderTemplate(file: TemplateFile, view: object): string {
  const template = templates().get(file) as HandlebarsTemplateDelegate;
  return template(view, { allowProtoPropertiesByDefault: false });
}
