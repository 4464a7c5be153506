/**
 * The `nagios` format: Nagios Core 4 object definitions (OUT/nagios/*.cfg) for
 * the hosts, switches, monitored services and service dependencies of the
 * graph, to include with cfg_dir. See README.md beside this file.
 */
import type { Exporter } from "../exporter.js";
import type { ExportRecord } from "../records.js";
import { nagiosDependencies } from "./dependencies.js";
import { nagiosHostgroups } from "./hostgroups.js";
import { nagiosHosts } from "./hosts.js";
import { renderTemplate, TEMPLATE_FILES } from "./render.js";
import { nagiosServices } from "./services.js";

/** Everything the templates show, every value already Nagios-safe. */
export function nagiosModel(records: readonly ExportRecord[], warn: (message: string) => void) {
  const hosts = nagiosHosts(records);
  const { services, commands } = nagiosServices(records, hosts, warn);
  const { groups, ofHost } = nagiosHostgroups(records, hosts, services);
  return {
    hosts: hosts.map((host) => ({ ...host, hostgroups: ofHost.get(host.name) ?? [] })),
    hostgroups: groups,
    services,
    commands,
    dependencies: nagiosDependencies(records, services, warn),
  };
}

export const nagiosExporter: Exporter = {
  name: "nagios",
  description: "Nagios Core 4 objects: hosts, switches, groups, services, dependencies (*.cfg)",
  render(records, _changes, context) {
    const model = nagiosModel(records, (message) => context.warn?.(message));
    return Object.fromEntries(TEMPLATE_FILES.map((file) => [file, renderTemplate(file, model)]));
  },
};
