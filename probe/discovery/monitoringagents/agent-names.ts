/** Which directory entries count as agents, by name alone (execute bits are checked apart). */

const AGENT_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.+@:-]{0,127}$/;

/** Leftovers of package upgrades and editors: never the live script. */
const LEFTOVER =
  /(\.dpkg-(old|new|dist|bak|tmp)|\.ucf-(old|new|dist)|\.rpm(save|new|orig)|\.orig|\.bak|\.swp|~)$/;

/** /etc/init.d entries that are not services (Debian's and Red Hat's). */
const NOT_INIT_SCRIPTS = new Set(["README", "skeleton", "rc", "rcS", "rc.local", "functions"]);

/** Shell and Perl libraries that monitoring-plugins install beside the plugins. */
const NOT_PLUGINS = new Set(["utils.sh", "utils.pm"]);

export type NameVerdict = "agent" | "ignored" | "unusual";

/**
 * "ignored": hidden files, upgrade leftovers and known non-agents, skipped
 * silently; "unusual": a name no tool could reference safely (blanks, control
 * characters, very long), skipped with an errors entry.
 */
export function judgeName(name: string, kind: "ocf" | "lsb" | "nagios"): NameVerdict {
  if (name.startsWith(".") || LEFTOVER.test(name)) return "ignored";
  if (kind === "lsb" && NOT_INIT_SCRIPTS.has(name)) return "ignored";
  if (kind === "nagios" && NOT_PLUGINS.has(name)) return "ignored";
  return AGENT_NAME.test(name) ? "agent" : "unusual";
}

/** A printable, bounded rendering of a hostile file name for an error message. */
export function quoteName(name: string): string {
  return JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name);
}
