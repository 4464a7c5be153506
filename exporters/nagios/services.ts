/**
 * Nagios services and check commands from service records and their monitors.
 * A monitor of class nagios becomes an active check run by the Nagios server,
 * `assim_<plugin>!ARG1!ARG2…`, each option and each value one `$ARGn$`. The
 * probe runs ocf, lsb and systemd monitors (and nagios checks of loopback-only
 * services) itself: those are passive services named after the rule.
 * Every host also gets the passive `assim-status` service, so that no host is
 * without a service.
 */
import { isIP } from "node:net";
import type { ExportRecord, FieldValue } from "../records.js";
import { OPTION, PLUGIN, safeArgument, safeName, safeText, uniqueNames } from "./escape.js";
import type { NagiosHost } from "./hosts.js";

export const STATUS_SERVICE = "assim-status";
export const PASSIVE_COMMAND = "assim_passive";
/** Nagios expands $ARG1$ … $ARG32$. */
const MAX_ARGS = 32;

export interface NagiosService {
  /** The service record id, or "<host id>#status". */
  id: string;
  host: string;
  description: string;
  /** `command!arg!…`, every part already safe. */
  checkCommand: string;
  passive: boolean;
  notes: string;
  cmdbId: string;
  /** The monitor's rule (or the service's name when unmonitored), for role hostgroups. */
  role: string | null;
}

export interface NagiosCommand {
  name: string;
  line: string;
}

const str = (value: FieldValue | undefined): string | null =>
  typeof value === "string" ? value : null;

const unspecified = (ip: string) => ip === "0.0.0.0" || ip === "::" || ip === "*" || ip === "";
const loopback = (ip: string) => /^127\./.test(ip) || ip === "::1" || ip === "localhost";

type Check = { plugin: string; args: string[] } | { passive: string } | { refused: string };

/** The arguments of a nagios monitor, or why it is refused or must be passive. */
export function checkOf(plugin: string, params: readonly string[]): Check {
  if (!PLUGIN.test(plugin)) return { refused: `plugin name ${JSON.stringify(plugin)}` };
  const args: string[] = [];
  for (const param of params) {
    const eq = param.indexOf("=");
    const option = eq < 0 ? param : param.slice(0, eq);
    let value = eq < 0 ? "" : param.slice(eq + 1);
    if (!OPTION.test(option)) return { refused: `option ${JSON.stringify(option)}` };
    if (option === "H") {
      const ip = value.replace(/^\[|\]$/g, "");
      if (loopback(ip)) return { passive: "the service listens on loopback only" };
      // A wildcard listener is checked on the host's address.
      if (!unspecified(ip) && isIP(ip) === 0 && safeArgument(ip) === null) {
        return { refused: `value of -H ${JSON.stringify(value)}` };
      }
      value = unspecified(ip) ? "$HOSTADDRESS$" : ip;
    } else if (safeArgument(value) === null) {
      return { refused: `value of ${option} ${JSON.stringify(value)}` };
    }
    if (option.length === 1) args.push(`-${option}`, value);
    else args.push(`--${option}=${value}`);
  }
  if (args.length > MAX_ARGS) return { refused: `${args.length} arguments (at most ${MAX_ARGS})` };
  return { plugin, args };
}

export interface ServicesResult {
  services: NagiosService[];
  commands: NagiosCommand[];
}

export function nagiosServices(
  records: readonly ExportRecord[],
  hosts: readonly NagiosHost[],
  warn: (message: string) => void,
): ServicesResult {
  const hostName = new Map(hosts.map((h) => [h.id, h.name]));
  const argCount = new Map<string, number>();
  const wanted: (Omit<NagiosService, "description"> & { base: string })[] = [];
  for (const host of hosts) {
    wanted.push({
      id: `${host.id}#status`,
      host: host.name,
      base: STATUS_SERVICE,
      checkCommand: PASSIVE_COMMAND,
      passive: true,
      notes: "the CMA's view of the host (heartbeats), passive",
      cmdbId: host.cmdbId,
      role: null,
    });
  }
  for (const r of records) {
    if (r.kind !== "service") continue;
    const host = hostName.get(str(r.fields.host) ?? "");
    const monitor = r.fields.monitor;
    const name = str(r.fields.name);
    if (!host || monitor === null || typeof monitor !== "object" || Array.isArray(monitor))
      continue;
    const cls = str(monitor.class);
    const rule = str(monitor.rule);
    if (cls === null || cls === "nomon") continue;
    const label = `service ${JSON.stringify(name)} on ${host} (${r.id})`;
    let checkCommand = PASSIVE_COMMAND;
    let passive = true;
    let notes = `${cls} monitor run by the assim probe, passive`;
    if (cls === "nagios") {
      const params = Array.isArray(monitor.params)
        ? monitor.params.filter((p): p is string => typeof p === "string")
        : [];
      const check = checkOf(str(monitor.type) ?? "", params);
      if ("refused" in check) {
        warn(`nagios: ${label} left out: unsafe ${check.refused}`);
        continue;
      }
      if ("plugin" in check) {
        checkCommand = [`assim_${check.plugin}`, ...check.args].join("!");
        passive = false;
        notes = `${check.plugin} from rule ${rule ?? "?"}`;
        argCount.set(check.plugin, Math.max(argCount.get(check.plugin) ?? 0, check.args.length));
      } else {
        notes = `${str(monitor.type) ?? "nagios check"} run by the assim probe: ${check.passive}, passive`;
      }
    }
    wanted.push({
      id: r.id,
      host,
      base: safeName(rule ?? name, "service"),
      checkCommand,
      passive,
      notes: safeText(notes, "assim monitor"),
      cmdbId: safeText(r.id, "unknown"),
      role: safeName(rule ?? name, "service"),
    });
  }
  // Descriptions are unique per host; the status service keeps its name.
  const byHost = new Map<string, typeof wanted>();
  for (const w of wanted) {
    const list = byHost.get(w.host);
    if (list) list.push(w);
    else byHost.set(w.host, [w]);
  }
  const services: NagiosService[] = [];
  for (const host of hosts) {
    const own = byHost.get(host.name) ?? [];
    // A rule that happens to be called like the status service does not take its name.
    const names = uniqueNames(
      own.map((w) => ({
        key: w.id,
        name:
          !w.id.endsWith("#status") && w.base.toLowerCase() === STATUS_SERVICE
            ? `svc-${w.base}`
            : w.base,
      })),
    );
    for (const { base: _base, ...w } of own) {
      services.push({ ...w, description: names.get(w.id) as string });
    }
  }
  const commands = [...argCount]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([plugin, n]) => ({
      name: `assim_${plugin}`,
      line: [`$USER1$/${plugin}`, ...Array.from({ length: n }, (_, i) => `$ARG${i + 1}$`)].join(
        " ",
      ),
    }));
  return { services, commands };
}
