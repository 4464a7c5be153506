/**
 * Sending an export to a CMDB: `servicenow` POSTs each IRE batch
 * (OUT/itil/servicenow/batch-NNNN.json, exporters/itil/ire-batches.ts) to the
 * instance's IRE endpoint, `glpi` POSTs each OUT/glpi document to GLPI's
 * native inventory endpoint. Credentials come from the environment, never
 * from the command line. A network error, a 429 or a 5xx is retried with a
 * doubling delay; any other refusal is not. ServiceNow reports item errors
 * inside a 200 answer, and GLPI a refused document in its JSON status: both
 * count as failures. A dry run reads the files and says what it would send.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";

export const PUSH_TARGETS = ["servicenow", "glpi"] as const;
export type PushTarget = (typeof PUSH_TARGETS)[number];

export interface PushOptions {
  target: PushTarget;
  /** The instance's base URL (the endpoint's path is appended). */
  url: string;
  /** The export's OUT directory. */
  outDir: string;
  env?: NodeJS.ProcessEnv;
  dryRun?: boolean;
  /** Retries after the first try (default 3). */
  retries?: number;
  /** The first retry's delay in ms, doubled at each retry (default 1000). */
  retryDelayMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<unknown>;
}

export interface PushedFile {
  file: string;
  url: string;
  bytes: number;
  /** HTTP status of the last try; null in a dry run or when no answer came. */
  status: number | null;
  tries: number;
  ok: boolean;
  error?: string;
}

export interface PushResult {
  target: PushTarget;
  dry_run: boolean;
  ok: boolean;
  files: PushedFile[];
}

/** Why the environment cannot authenticate a push to `target`, or undefined when it can. */
export function missingCredentials(target: PushTarget, env: NodeJS.ProcessEnv): string | undefined {
  if (target !== "servicenow" || env.ASSIM_SERVICENOW_TOKEN || env.ASSIM_SERVICENOW_USER) {
    return undefined;
  }
  return "pushing to ServiceNow needs ASSIM_SERVICENOW_USER and ASSIM_SERVICENOW_PASSWORD, or ASSIM_SERVICENOW_TOKEN";
}

/** What a target sends: its files under OUT, its endpoint and its headers. */
function plan(options: PushOptions) {
  const env = options.env ?? process.env;
  const base = options.url.replace(/\/+$/, "");
  if (!/^https?:\/\//.test(base))
    throw new Error(`--push URL must be http(s), not "${options.url}"`);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: "application/json",
  };
  if (options.target === "servicenow") {
    const token = env.ASSIM_SERVICENOW_TOKEN;
    const user = env.ASSIM_SERVICENOW_USER;
    if (token) headers.authorization = `Bearer ${token}`;
    else if (user) headers.authorization = basic(user, env.ASSIM_SERVICENOW_PASSWORD ?? "");
    else if (!options.dryRun) throw new Error(missingCredentials("servicenow", env));
    const source = encodeURIComponent(env.ASSIM_SERVICENOW_SOURCE ?? "assim");
    const batches = jsonFiles(join(options.outDir, "itil", "servicenow"), "itil/servicenow");
    return {
      headers,
      url: `${base}/api/now/identifyreconcile?sysparm_data_source=${source}`,
      // An output written before batches existed has only the whole payload.
      files: batches.length > 0 ? batches : ["itil/servicenow.json"],
    };
  }
  if (env.ASSIM_GLPI_USER) {
    headers.authorization = basic(env.ASSIM_GLPI_USER, env.ASSIM_GLPI_PASSWORD ?? "");
  }
  const dir = join(options.outDir, "glpi");
  return {
    headers,
    url: `${base}/front/inventory.php`,
    files: [...jsonFiles(dir, "glpi"), ...jsonFiles(join(dir, "switches"), "glpi/switches")],
  };
}

/** The .json files of a directory, sorted, as `prefix/name`; none when it does not exist. */
function jsonFiles(dir: string, prefix: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((f) => f.isFile() && f.name.endsWith(".json"))
      .map((f) => `${prefix}/${f.name}`)
      .sort();
  } catch {
    return [];
  }
}

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

/** An error the target reported in a successful answer, or undefined. */
function reportedError(target: PushTarget, body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (target === "glpi") {
    const { status, message } = (parsed ?? {}) as { status?: unknown; message?: unknown };
    return status === "error" ? `GLPI refused it: ${String(message ?? "")}` : undefined;
  }
  const result = ((parsed ?? {}) as { result?: { items?: unknown[] } }).result;
  const failed = (result?.items ?? []).filter(
    (i) =>
      typeof i === "object" && i !== null && Number((i as { errorCount?: unknown }).errorCount) > 0,
  );
  return failed.length > 0 ? `ServiceNow reported errors on ${failed.length} item(s)` : undefined;
}

const retriable = (status: number) => status === 429 || status >= 500;

async function send(
  options: PushOptions,
  url: string,
  headers: Record<string, string>,
  file: string,
  body: string,
): Promise<PushedFile> {
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => delay(ms));
  const retries = options.retries ?? 3;
  let wait = options.retryDelayMs ?? 1000;
  const bytes = Buffer.byteLength(body);
  let last: PushedFile = { file, url, bytes, status: null, tries: 0, ok: false };
  for (let tries = 1; tries <= retries + 1; tries++) {
    if (tries > 1) {
      await sleep(wait);
      wait *= 2;
    }
    try {
      const response = await doFetch(url, { method: "POST", headers, body });
      const text = await response.text();
      if (response.ok) {
        const error = reportedError(options.target, text);
        return {
          file,
          url,
          bytes,
          status: response.status,
          tries,
          ok: !error,
          ...(error ? { error } : {}),
        };
      }
      last = {
        file,
        url,
        bytes,
        status: response.status,
        tries,
        ok: false,
        error: `HTTP ${response.status}`,
      };
      if (!retriable(response.status)) return last;
    } catch (error) {
      last = { file, url, bytes, status: null, tries, ok: false, error: (error as Error).message };
    }
  }
  return last;
}

export async function pushExport(options: PushOptions): Promise<PushResult> {
  const { url, headers, files } = plan(options);
  const dryRun = options.dryRun === true;
  if (files.length === 0)
    throw new Error(`nothing to push: no ${options.target} files in ${options.outDir}`);
  const pushed: PushedFile[] = [];
  for (const file of files) {
    const body = readFileSync(join(options.outDir, file), "utf8");
    if (dryRun) {
      pushed.push({ file, url, bytes: Buffer.byteLength(body), status: null, tries: 0, ok: true });
      continue;
    }
    pushed.push(await send(options, url, headers, file, body));
  }
  return { target: options.target, dry_run: dryRun, ok: pushed.every((f) => f.ok), files: pushed };
}
