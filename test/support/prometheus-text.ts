/**
 * A strict reader of the Prometheus text exposition format (0.0.4), enough to
 * check what /metrics serves: every line must be a # HELP, a # TYPE or a sample
 * `name{label="value",...} value`; anything else throws, naming the line.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  help: Map<string, string>;
  type: Map<string, string>;
  /** The value of the one sample with this name whose labels include these; undefined if none. */
  value(name: string, labels?: Record<string, string>): number | undefined;
  /** Every sample with this name, label set -> value. */
  series(name: string): Sample[];
}

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: (-?\\d+))?$`);
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/;
const COMMENT = new RegExp(`^# (HELP|TYPE) (${NAME}) (.*)$`);
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

/** As Prometheus reads it (Go's ParseFloat): NaN and Inf in any case (prom-client writes "Nan"). */
function parseValue(text: string, line: string): number {
  const special = text.toLowerCase();
  if (special === "+inf" || special === "inf") return Number.POSITIVE_INFINITY;
  if (special === "-inf") return Number.NEGATIVE_INFINITY;
  if (special === "nan") return Number.NaN;
  const value = Number(text);
  if (text === "" || Number.isNaN(value)) throw new Error(`bad sample value in: ${line}`);
  return value;
}

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest !== "") {
    const match = LABEL.exec(rest);
    if (!match) throw new Error(`bad labels in: ${line}`);
    const [whole, name, raw] = match as unknown as [string, string, string];
    if (Object.hasOwn(labels, name)) throw new Error(`label ${name} repeated in: ${line}`);
    labels[name] = raw.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    rest = rest.slice(whole.length);
  }
  return labels;
}

export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const help = new Map<string, string>();
  const type = new Map<string, string>();
  if (text !== "" && !text.endsWith("\n"))
    throw new Error("the exposition must end with a newline");
  for (const line of text.split("\n")) {
    if (line === "") continue;
    if (line.startsWith("#")) {
      const match = COMMENT.exec(line);
      if (!match) throw new Error(`bad comment line: ${line}`);
      const [, kind, name, rest] = match as unknown as [string, string, string, string];
      const into = kind === "HELP" ? help : type;
      if (into.has(name)) throw new Error(`${kind} repeated for ${name}`);
      if (kind === "TYPE" && !TYPES.has(rest)) throw new Error(`unknown type in: ${line}`);
      into.set(name, rest);
      continue;
    }
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`bad sample line: ${line}`);
    const [, name, labels, value] = match as unknown as [
      string,
      string,
      string | undefined,
      string,
    ];
    samples.push({
      name,
      labels: labels ? parseLabels(labels, line) : {},
      value: parseValue(value, line),
    });
  }
  const includes = (have: Record<string, string>, want: Record<string, string>) =>
    Object.entries(want).every(([k, v]) => have[k] === v);
  return {
    samples,
    help,
    type,
    series: (name) => samples.filter((s) => s.name === name),
    value(name, labels = {}) {
      const found = samples.filter((s) => s.name === name && includes(s.labels, labels));
      if (found.length > 1) throw new Error(`${found.length} samples of ${name} match`);
      return found[0]?.value;
    },
  };
}

/** GETs a /metrics URL and parses what it serves; throws on anything but 200 in the text format. */
export async function scrape(url: string): Promise<Exposition> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status}`);
  const contentType = response.headers.get("content-type") ?? "";
  if (!contentType.startsWith("text/plain; version=0.0.4")) {
    throw new Error(`GET ${url}: content-type ${contentType}`);
  }
  return parseExposition(await response.text());
}

export interface PromtoolVerdict {
  /** 0: clean; 1: not parseable; 3: parseable, with lint problems. */
  exitCode: number;
  output: string;
  /** Lint problems, one per line: "METRIC_NAME what is wrong". */
  problems: string[];
}

/** Where .ci/run unpacks promtool from Debian's prometheus package (never installed as a service). */
export const CACHED_PROMTOOL = join(
  homedir(),
  ".cache",
  "assim",
  "promtool",
  "usr",
  "bin",
  "promtool",
);

/**
 * Runs `promtool check metrics` (Prometheus' own parser and linter) on an
 * exposition. Resolves null when promtool is not found: $PROMTOOL, else the
 * copy .ci/run unpacks, else the PATH.
 */
export function promtoolCheck(text: string): Promise<PromtoolVerdict | null> {
  const promtool =
    process.env.PROMTOOL ?? (existsSync(CACHED_PROMTOOL) ? CACHED_PROMTOOL : "promtool");
  return new Promise((resolve) => {
    const child = execFile(promtool, ["check", "metrics"], (error, stdout, stderr) => {
      const code = (error as NodeJS.ErrnoException | null)?.code;
      if (code === "ENOENT") return resolve(null);
      const output = `${stdout}${stderr}`;
      resolve({
        exitCode: typeof code === "number" ? code : 0,
        output,
        problems: output.split("\n").filter((line) => line.trim() !== ""),
      });
    });
    child.stdin?.end(text);
  });
}
