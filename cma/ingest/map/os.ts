/** os → properties of the host's System. */
import type { Props } from "../../graph/store.js";
import type { Mapper } from "./context.js";

interface OsData {
  hostname: string | null;
  fqdn: string | null;
  nis_domain: string | null;
  machine_id: string | null;
  os_release: Record<string, string | string[]> | null;
  kernel: { name: string | null; release: string | null; version: string | null };
  architecture: string | null;
  boot_time: string | null;
  memory_total_bytes: number | null;
  timezone: string | null;
  virtualization: { hypervisor: string | null; container: string | null };
  dmi: Record<string, string>;
}

const DMI_FIELDS = [
  "sys_vendor",
  "product_name",
  "product_version",
  "product_serial",
  "product_uuid",
  "board_vendor",
  "board_name",
  "chassis_vendor",
  "chassis_type",
  "bios_vendor",
  "bios_version",
  "bios_date",
] as const;

const text = (value: unknown): string | null => (typeof value === "string" ? value : null);

export const mapOs: Mapper = (document, context) => {
  const data = document.data as OsData;
  const release = data.os_release ?? {};
  const props: Record<string, Props[string]> = {
    hostname: data.hostname,
    fqdn: data.fqdn,
    nis_domain: data.nis_domain,
    os_name: text(release.PRETTY_NAME) ?? text(release.NAME),
    os_id: text(release.ID),
    os_version: text(release.VERSION_ID),
    os_codename: text(release.VERSION_CODENAME),
    kernel_name: data.kernel.name,
    kernel_release: data.kernel.release,
    kernel_version: data.kernel.version,
    architecture: data.architecture,
    boot_time: data.boot_time,
    memory_total_bytes: data.memory_total_bytes,
    timezone: data.timezone,
    virtualization: data.virtualization.hypervisor,
    container: data.virtualization.container,
  };
  // Every DMI field is set, null when absent now, so a replaced board leaves no stale value.
  for (const field of DMI_FIELDS) props[`dmi_${field}`] = data.dmi[field] ?? null;
  return {
    warnings: [],
    apply: (tx) => tx.upsertSystem({ key: context.system, kind: "host", props }, context.at),
  };
};
