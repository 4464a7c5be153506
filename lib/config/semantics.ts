/** What the schema cannot say about a configuration: durations, addresses, names, URLs. */
import { isIP } from "node:net";
import { DEFAULT_API_PORT } from "../../cma/api/defaults.js";
import { parseAddress } from "../../protocol/address.js";
import { DEFAULT_PORT } from "../../protocol/messages.js";
import type { KeyPath } from "../yaml-position.js";
import type { KnownNames } from "./known.js";
import { closest } from "./suggest.js";
import { checkTiming, type Report } from "./timing.js";
import type { AssimConfig } from "./types.js";

function checkAddress(
  text: string | undefined,
  path: KeyPath,
  defaultPort: number | undefined,
  report: Report,
): ReturnType<typeof parseAddress> | null {
  if (text === undefined) return null;
  try {
    return parseAddress(text, defaultPort);
  } catch (error) {
    const form = defaultPort === undefined ? "IP:PORT" : "IP[:PORT]";
    report(path, `${(error as Error).message} (expected ${form}, IPv6 as [IP]:PORT)`);
    return null;
  }
}

function checkAddresses(config: AssimConfig, report: Report): void {
  const { cma, probe } = config;
  const bind = checkAddress(cma?.bind, ["cma", "bind"], DEFAULT_PORT, report);
  checkAddress(cma?.metrics, ["cma", "metrics"], undefined, report);
  if (probe?.cma !== undefined && probe.cma.trim() !== "multicast") {
    checkAddress(probe.cma, ["probe", "cma"], DEFAULT_PORT, report);
  }
  checkAddress(probe?.bind, ["probe", "bind"], DEFAULT_PORT, report);
  checkAddress(config.api?.listen, ["api", "listen"], DEFAULT_API_PORT, report);
  checkAddress(config.up?.api, ["up", "api"], DEFAULT_API_PORT, report);

  const multicast = cma?.multicast;
  if (multicast === undefined || multicast === false) return;
  if (typeof multicast === "string" && isIP(multicast) !== 4) {
    report(
      ["cma", "multicast"],
      `"${multicast}" is not an IPv4 address (expected true, false or the IPv4 address of an interface of this host)`,
    );
  }
  if (bind !== null && bind.address !== "0.0.0.0") {
    report(
      ["cma", "multicast"],
      `needs cma.bind 0.0.0.0:PORT, not ${bind.address} (a socket bound to one address hears no multicast)`,
    );
  }
}

function checkNames(
  names: readonly string[] | undefined,
  path: KeyPath,
  knownList: () => readonly string[],
  what: string,
  report: Report,
): void {
  names?.forEach((name, index) => {
    const known = knownList();
    if (known.includes(name)) return;
    const suggestion = closest(name, known);
    const hint = suggestion ? `; did you mean "${suggestion}"?` : "";
    report(
      [...path, index],
      `unknown ${what} "${name}"${hint} (expected one of: ${known.join(", ")})`,
    );
  });
}

function isHttpUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
}

function checkUrls(config: AssimConfig, report: Report): void {
  config.cma?.events?.webhooks?.forEach((url, index) => {
    if (!isHttpUrl(url)) {
      report(
        ["cma", "events", "webhooks", index],
        `"${url}" is not an http(s) URL (expected http://… or https://…)`,
      );
    }
  });
  const push = config.exporters?.push;
  if (push !== undefined && !isHttpUrl(push.url)) {
    report(
      ["exporters", "push", "url"],
      `"${push.url}" is not an http(s) URL (expected http://… or https://…)`,
    );
  }
  const uri = config.neo4j?.uri;
  if (uri !== undefined && !/^(neo4j|bolt)(\+s|\+ssc)?:\/\/[^/\s]+/.test(uri)) {
    report(
      ["neo4j", "uri"],
      `"${uri}" is not a Neo4j URI (expected neo4j://HOST:7687 or bolt://HOST:7687, +s or +ssc for TLS)`,
    );
  }
}

function checkFlags(
  flags: readonly string[] | undefined,
  rulesDir: string | undefined,
  path: KeyPath,
  knownList: () => readonly string[],
  report: Report,
): void {
  // Operator rules may need flags of their own: only without rules_dir is the list closed.
  if (rulesDir !== undefined) return;
  flags?.forEach((flag, index) => {
    const known = knownList();
    if (!known.includes(flag)) {
      report(
        [...path, index],
        `no shipped monitoring rule needs the flag "${flag}" (expected one of: ${known.join(", ") || "none"}; or set rules_dir beside it for operator rules)`,
      );
    }
  });
}

function checkPushFormat(config: AssimConfig, report: Report): void {
  const exporters = config.exporters;
  if (exporters?.push === undefined || exporters.formats === undefined) return;
  const format = exporters.push.target === "servicenow" ? "itil" : "glpi";
  if (!exporters.formats.includes(format)) {
    report(
      ["exporters", "push", "target"],
      `${exporters.push.target} sends the ${format} format (expected "${format}" in exporters.formats)`,
    );
  }
}

/** Every semantic problem of a configuration that passed the schema. */
export function checkSemantics(
  config: AssimConfig,
  known: KnownNames,
  heartbeatOrder: boolean,
  report: Report,
): void {
  checkTiming(config, heartbeatOrder, report);
  checkAddresses(config, report);
  checkNames(
    config.cma?.discovery?.types,
    ["cma", "discovery", "types"],
    () => known.discoveryTypes,
    "discovery type",
    report,
  );
  checkNames(
    config.cma?.exports?.formats,
    ["cma", "exports", "formats"],
    () => known.formats,
    "export format",
    report,
  );
  checkNames(
    config.exporters?.formats,
    ["exporters", "formats"],
    () => known.formats,
    "export format",
    report,
  );
  checkUrls(config, report);
  const monitoring = config.cma?.monitoring;
  checkFlags(
    monitoring?.enable_rules,
    monitoring?.rules_dir,
    ["cma", "monitoring", "enable_rules"],
    () => known.ruleFlags,
    report,
  );
  checkFlags(
    config.exporters?.enable_rules,
    config.exporters?.rules_dir,
    ["exporters", "enable_rules"],
    () => known.ruleFlags,
    report,
  );
  checkPushFormat(config, report);
}
