/**
 * Test helpers: the real `nagios4 -v` on a minimal main config that includes
 * our output with cfg_dir, and a small parser of object definitions.
 */
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const NAGIOS4 = "/usr/sbin/nagios4";
export const hasNagios4 = () => existsSync(NAGIOS4);

export interface Verification {
  status: number | null;
  output: string;
  warnings: number | null;
  errors: number | null;
}

/**
 * Copies the object files of `objectsDir` into a fresh directory readable by
 * all (nagios4 drops root for the user nagios before it reads the objects),
 * writes nagios.cfg and resource.cfg there (USER1 as Debian's resource.cfg
 * sets it), every runtime path inside it, and runs `nagios4 -v` on it.
 */
export function verifyWithNagios(objectsDir: string): Verification {
  const dir = mkdtempSync(join(tmpdir(), "assim-nagios4-"));
  try {
    return verifyIn(dir, objectsDir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Debian's main configuration, which includes its own localhost, commands and templates. */
export const DEBIAN_NAGIOS_CFG = "/etc/nagios4/nagios.cfg";

/** `nagios4 -v` on Debian's main configuration with our objects added by cfg_dir. */
export function verifyInStockConfig(objectsDir: string): Verification {
  const dir = mkdtempSync(join(tmpdir(), "assim-nagios4-stock-"));
  try {
    const objects = join(dir, "objects");
    cpSync(objectsDir, objects, { recursive: true });
    for (const path of [dir, objects]) chmodSync(path, 0o755);
    const main = join(dir, "nagios.cfg");
    writeFileSync(main, `${readFileSync(DEBIAN_NAGIOS_CFG, "utf8")}\ncfg_dir=${objects}\n`);
    return runNagios(main);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function runNagios(main: string): Verification {
  const result = spawnSync(NAGIOS4, ["-v", main], { encoding: "utf8", timeout: 60_000 });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
  const count = (what: string) => {
    const m = new RegExp(`Total ${what}:\\s+(\\d+)`).exec(output);
    return m ? Number(m[1]) : null;
  };
  return { status: result.status, output, warnings: count("Warnings"), errors: count("Errors") };
}

function verifyIn(dir: string, from: string): Verification {
  const objectsDir = join(dir, "objects");
  cpSync(from, objectsDir, { recursive: true });
  const run = join(dir, "run");
  mkdirSync(join(run, "checkresults"), { recursive: true });
  for (const path of [dir, objectsDir]) chmodSync(path, 0o755);
  // nagios4 -v checks that the user nagios can write its temp and check result paths.
  for (const path of [run, join(run, "checkresults")]) chmodSync(path, 0o1777);
  writeFileSync(join(dir, "resource.cfg"), "$USER1$=/usr/lib/nagios/plugins\n");
  writeFileSync(
    join(dir, "nagios.cfg"),
    [
      `log_file=${join(run, "nagios.log")}`,
      `cfg_dir=${objectsDir}`,
      `resource_file=${join(dir, "resource.cfg")}`,
      `object_cache_file=${join(run, "objects.cache")}`,
      `precached_object_file=${join(run, "objects.precache")}`,
      `status_file=${join(run, "status.dat")}`,
      `state_retention_file=${join(run, "retention.dat")}`,
      `command_file=${join(run, "nagios.cmd")}`,
      `lock_file=${join(run, "nagios.lock")}`,
      `temp_file=${join(run, "nagios.tmp")}`,
      `temp_path=${run}`,
      `check_result_path=${join(run, "checkresults")}`,
      "illegal_object_name_chars=`~!$%^&*|'\"<>?,()=",
      "illegal_macro_output_chars=`~$&|'\"<>",
      "",
    ].join("\n"),
  );
  return runNagios(join(dir, "nagios.cfg"));
}

export interface ParsedObject {
  type: string;
  directives: [string, string][];
}

/**
 * The object definitions of a file, read as Nagios reads them: comment lines
 * skipped, `define TYPE {` opens, a line that is only `}` closes, every other
 * line is `directive value`. Throws on anything outside a definition.
 */
export function parseObjects(text: string): ParsedObject[] {
  const objects: ParsedObject[] = [];
  let current: ParsedObject | null = null;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const open = /^define\s+([a-z]+)\s*\{$/.exec(line);
    if (open && !current) {
      current = { type: open[1] as string, directives: [] };
    } else if (line === "}" && current) {
      objects.push(current);
      current = null;
    } else if (current) {
      const m = /^(\S+)\s+(.*)$/.exec(line);
      if (!m) throw new Error(`a directive without a value: ${JSON.stringify(raw)}`);
      current.directives.push([m[1] as string, m[2] as string]);
    } else {
      throw new Error(`a line outside any definition: ${JSON.stringify(raw)}`);
    }
  }
  if (current) throw new Error("a definition is not closed");
  return objects;
}
