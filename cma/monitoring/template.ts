/**
 * Parameter templates: "{{ip}}", "{{port}}", "{{flag:--port}}", "{{group:1}}"
 * (a capture group of the rule's argv regex), "{{exe}}", embeddable in text
 * ("http://{{ip}}:{{port}}/"). Values from the process are inserted once and
 * never scanned again, so argv text such as "{{port}}" or "$(rm -rf /)" ends
 * up verbatim in the parameter.
 */
export interface TemplateContext {
  ip: string | null;
  port: number | null;
  exe: string | null;
  cmdline: string[];
  groups: (string | undefined)[];
}

const PLACEHOLDER = /\{\{\s*([a-z]+)(?::([^}]*))?\s*\}\}/g;

/** The value of a flag in argv: "--port 5432", "--port=5432", "-p5432" for a short flag. */
export function flagValue(cmdline: string[], flag: string): string | null {
  for (let i = 1; i < cmdline.length; i++) {
    const arg = cmdline[i] as string;
    if (arg === flag) return cmdline[i + 1] ?? null;
    if (arg.startsWith(`${flag}=`)) return arg.slice(flag.length + 1);
    if (/^-[^-]$/.test(flag) && arg.startsWith(flag) && arg.length > 2) return arg.slice(2);
  }
  return null;
}

function lookup(name: string, arg: string | undefined, ctx: TemplateContext): string | null {
  switch (name) {
    case "ip":
      return ctx.ip;
    case "port":
      return ctx.port === null ? null : String(ctx.port);
    case "exe":
      return ctx.exe;
    case "flag":
      return arg ? flagValue(ctx.cmdline, arg) : null;
    case "group": {
      const index = Number(arg);
      return Number.isInteger(index) && index > 0 ? (ctx.groups[index] ?? null) : null;
    }
    default:
      return null;
  }
}

/** The resolved value, or the placeholders that could not be resolved. */
export function resolveTemplate(
  value: string | number | boolean,
  ctx: TemplateContext,
): { value: string } | { missing: string[] } {
  if (typeof value !== "string") return { value: String(value) };
  const missing: string[] = [];
  const out = value.replace(PLACEHOLDER, (whole, name: string, arg: string | undefined) => {
    const found = lookup(name, arg?.trim(), ctx);
    if (found === null) {
      missing.push(whole);
      return whole;
    }
    return found;
  });
  return missing.length > 0 ? { missing } : { value: out };
}
