/**
 * What a configuration means for each command, as commander option values
 * (the attribute names and string forms the commands' own options have).
 */

import { parseAddress } from "../../protocol/address.js";
import { DATA_DIR_ENV } from "../data-dir.js";
import { parseDuration } from "../duration.js";
import type { AssimConfig } from "./types.js";

export type ConfigSection = "cma" | "probe" | "up" | "export" | "api";

type Values = Record<string, unknown>;

const ms = (text: string | undefined) =>
  text === undefined ? undefined : String(parseDuration(text));
const seconds = (text: string | undefined) =>
  text === undefined ? undefined : String((parseDuration(text) as number) / 1000);
const list = (items: string[] | undefined) => items?.join(",");
const text = (value: number | undefined) => (value === undefined ? undefined : String(value));

function cmaValues({ cma = {} }: AssimConfig): Values {
  return {
    bind: cma.bind,
    trust: cma.trust,
    interval: ms(cma.heartbeat?.interval),
    warn: ms(cma.heartbeat?.warn),
    dead: ms(cma.heartbeat?.dead),
    discoveryInterval: seconds(cma.discovery?.interval),
    discoveryTypes: list(cma.discovery?.types),
    switchSeconds: text(cma.discovery?.switch_seconds),
    // false means no --multicast, which is the option's absence.
    multicast: cma.multicast === false ? undefined : cma.multicast,
    monitoring: cma.monitoring?.enabled,
    rulesDir: cma.monitoring?.rules_dir,
    enableRules: cma.monitoring?.enable_rules,
    eventsLog: cma.events?.log,
    webhook: cma.events?.webhooks,
    execDir: cma.events?.exec_dir,
    statusFile: cma.status_file,
    metrics: cma.metrics,
    exportEvery: cma.exports?.every,
    exportOut: cma.exports?.out,
    exportFormat: list(cma.exports?.formats),
  };
}

function probeValues({ probe = {} }: AssimConfig): Values {
  return {
    cma: probe.cma,
    cmaKey: probe.cma_key,
    bind: probe.bind,
    statusFile: probe.status_file,
  };
}

function upValues({ up = {}, exporters, cma }: AssimConfig): Values {
  return {
    out: exporters?.out,
    port: text(up.port),
    api: up.api,
    exportEvery: up.export_every,
    lab: text(up.lab?.hosts),
    switches: text(up.lab?.switches),
    name: up.lab?.name,
    monitoring: cma?.monitoring?.enabled,
  };
}

function exportValues({ exporters = {} }: AssimConfig): Values {
  return {
    out: exporters.out,
    every: exporters.every,
    format: list(exporters.formats),
    rulesDir: exporters.rules_dir,
    enableRules: exporters.enable_rules,
    push: exporters.push && [exporters.push.target, exporters.push.url],
    dryRun: exporters.push?.dry_run,
  };
}

function apiValues({ api = {} }: AssimConfig): Values {
  const listen = api.listen === undefined ? undefined : parseAddress(api.listen);
  return {
    host: listen?.address,
    port: text(listen?.port),
    eventsLog: api.events_log,
    exportDir: api.export_dir,
  };
}

const SECTIONS: Record<ConfigSection, (config: AssimConfig) => Values> = {
  cma: cmaValues,
  probe: probeValues,
  up: upValues,
  export: exportValues,
  api: apiValues,
};

/** Options the command line gives that a configured option yields to (--once over every). */
export const YIELDS_TO: Partial<Record<ConfigSection, Record<string, string>>> = {
  export: { every: "once" },
};

/** The attribute names of every option the configuration may give the command `section`. */
export function configOptionNames(section: ConfigSection): string[] {
  return ["dataDir", ...Object.keys(SECTIONS[section]({}))];
}

/**
 * The option values `config` gives the command `section`, unset keys left out.
 * data_dir yields to ASSIM_DATA_DIR: the environment wins over the file.
 */
export function configOptionValues(
  config: AssimConfig,
  section: ConfigSection,
  env: NodeJS.ProcessEnv = process.env,
): Values {
  const dataDir = env[DATA_DIR_ENV]?.trim() ? undefined : config.data_dir;
  const values: Values = { dataDir, ...SECTIONS[section](config) };
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
}
