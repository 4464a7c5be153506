import type { OsRelease } from "./parse-os-release.js";
import type { Virtualization } from "./virtualization.js";

/** The `data` of an `os` discovery document (schemas/discovery/os.schema.json). */
export interface OsData {
  /** /proc/sys/kernel/hostname. */
  hostname: string | null;
  /** The hostname when it holds a dot, else "<hostname>.<domain>" from /etc/hosts; no DNS. */
  fqdn: string | null;
  /** The NIS/YP domain (/proc/sys/kernel/domainname), null when "(none)". */
  nis_domain: string | null;
  /** /etc/machine-id (or /var/lib/dbus/machine-id): the System's key in the graph. */
  machine_id: string | null;
  os_release: OsRelease | null;
  kernel: {
    /** uname -s ("Linux"). */
    name: string | null;
    /** uname -r. */
    release: string | null;
    /** uname -v. */
    version: string | null;
  };
  /** uname -m ("x86_64", "aarch64"). */
  architecture: string | null;
  /** When the system booted (ISO 8601, UTC), from /proc/stat btime. */
  boot_time: string | null;
  boot_time_epoch: number | null;
  memory_total_bytes: number | null;
  /** tz database name ("Europe/Paris") from /etc/timezone or the /etc/localtime link. */
  timezone: string | null;
  virtualization: Virtualization;
  /** /sys/class/dmi/id values that could be read (serial and uuid need root). */
  dmi: Record<string, string>;
}
