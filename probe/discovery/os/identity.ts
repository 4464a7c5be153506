/** Pure helpers for who the host is: machine id, fully qualified name, time zone. */

const MACHINE_ID = /^[0-9a-f]{32}$/;

export type MachineIdCheck = { ok: true; id: string } | { ok: false; problem: string };

/**
 * machine-id(5): one line of 32 lowercase hex digits. "uninitialized" (systemd's
 * first-boot marker), an empty file or anything else is not an identity.
 */
export function checkMachineId(text: string): MachineIdCheck {
  const id = text.endsWith("\n") ? text.slice(0, -1) : text;
  if (MACHINE_ID.test(id)) return { ok: true, id };
  if (id.trim() === "") return { ok: false, problem: "empty" };
  if (id.trim() === "uninitialized") return { ok: false, problem: "uninitialized (first boot)" };
  return { ok: false, problem: "not 32 lowercase hex digits" };
}

const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\.?$/;

export function isHostName(name: string): boolean {
  return name.length <= 253 && HOST_NAME.test(name);
}

/**
 * The host's fully qualified name, found without any lookup on the network:
 * the hostname itself when it holds a dot, else the first "<hostname>.<domain>"
 * name in /etc/hosts (what `hostname -f` finds there before asking DNS).
 */
export function fqdnFromHosts(hostname: string, hostsText: string | undefined): string | undefined {
  if (hostname.includes(".")) return isHostName(hostname) ? hostname.replace(/\.$/, "") : undefined;
  if (hostsText === undefined) return undefined;
  const prefix = `${hostname.toLowerCase()}.`;
  for (const rawLine of hostsText.split("\n")) {
    const names = rawLine.replace(/#.*/, "").trim().split(/\s+/).slice(1);
    const fqdn = names.find((name) => name.toLowerCase().startsWith(prefix) && isHostName(name));
    if (fqdn) return fqdn.replace(/\.$/, "");
  }
  return undefined;
}

const ZONE = /^[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+)*$/;

/** /etc/timezone (Debian): its first line, when it looks like a tz database name. */
export function zoneFromTimezoneFile(text: string): string | undefined {
  const zone = (text.split("\n")[0] ?? "").trim();
  return zone.length <= 128 && ZONE.test(zone) ? zone : undefined;
}

/** The zone an /etc/localtime symlink points to (".../zoneinfo/Europe/Paris" → "Europe/Paris"). */
export function zoneFromLocaltimeLink(target: string): string | undefined {
  const match = /(?:^|\/)zoneinfo\/(.+)$/.exec(target);
  const zone = match?.[1]?.replace(/^(posix|right)\//, "");
  return zone && zone.length <= 128 && ZONE.test(zone) ? zone : undefined;
}
