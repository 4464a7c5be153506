import { describe, expect, it } from "vitest";
import { checkConfigFile, checkConfigText } from "./check.js";
import { EXAMPLE_CONFIG } from "./example.js";
import { formatConfigError } from "./types.js";

/** The error lines for `text`, as `assim config check` prints them. */
function lines(text: string): string[] {
  return checkConfigText(text, "assim.yaml").errors.map(formatConfigError);
}

describe("checkConfigText", () => {
  it("passes the example configuration, and an empty file", () => {
    const result = checkConfigText(EXAMPLE_CONFIG, "example.yaml");
    expect(result.errors).toEqual([]);
    expect(result.config?.cma?.heartbeat?.warn).toBe("3s");
    expect(checkConfigText("", "empty.yaml")).toEqual({ config: {}, errors: [] });
  });

  it.each([
    [
      "an unknown key, with a suggestion",
      "cma:\n  bnd: 0.0.0.0:1984\n",
      'assim.yaml:2:3: cma.bnd: unknown key "bnd"; did you mean "bind"?',
    ],
    [
      "a command-line spelling of a key",
      "cma:\n  status-file: /tmp/s.json\n",
      'assim.yaml:2:3: cma.status-file: unknown key "status-file"; did you mean "status_file"?',
    ],
    [
      "an unknown section, with the known ones",
      "exporter_settings: {}\n",
      'assim.yaml:1:1: exporter_settings: unknown key "exporter_settings" (expected one of: data_dir, cma, probe, exporters, api, up, neo4j)',
    ],
    [
      "a wrong type",
      "up:\n  port: high\n",
      'assim.yaml:2:9: up.port: is "high" (expected a UDP port from 1 to 65535)',
    ],
    [
      "a number where a duration belongs",
      "cma:\n  heartbeat:\n    warn: 3000\n",
      "assim.yaml:3:11: cma.heartbeat.warn: is the number 3000 (expected a duration such as 500ms, 1s, 5m or 1h30m)",
    ],
    [
      "a bad duration",
      "exporters:\n  every: soon\n",
      'assim.yaml:2:10: exporters.every: "soon" is not a duration (expected a duration such as 500ms, 1s, 5m or 1h30m)',
    ],
    [
      "interval >= warn",
      "cma:\n  heartbeat:\n    interval: 3s\n    warn: 2s\n",
      "assim.yaml:4:11: cma.heartbeat.warn: interval 3s is not shorter than warn 2s (expected interval < warn < dead)",
    ],
    [
      "warn >= the default dead",
      "cma:\n  heartbeat:\n    warn: 1m\n",
      "assim.yaml:3:11: cma.heartbeat.warn: warn 1m is not shorter than dead 10s (the default) (expected interval < warn < dead)",
    ],
    [
      "a bad address",
      "cma:\n  bind: nowhere:1984\n",
      'assim.yaml:2:9: cma.bind: "nowhere:1984" is not an IP address (with an optional :port) (expected IP[:PORT], IPv6 as [IP]:PORT)',
    ],
    [
      "an unknown discovery type",
      "cma:\n  discovery:\n    types: [os, cpuu]\n",
      'assim.yaml:3:17: cma.discovery.types[1]: unknown discovery type "cpuu"; did you mean "cpu"? (expected one of: os, cpu, netconfig, arpcache, tcpdiscovery, packages, monitoringagents, switch)',
    ],
    [
      "an unknown export format",
      "exporters:\n  formats:\n    - json\n    - excel\n",
      'assim.yaml:4:7: exporters.formats[1]: unknown export format "excel" (expected one of: ansible, glpi, itil, json, nagios, reports)',
    ],
    [
      "a webhook that is not http(s)",
      "cma:\n  events:\n    webhooks: [ftp://host/x]\n",
      'assim.yaml:3:16: cma.events.webhooks[0]: "ftp://host/x" is not an http(s) URL (expected http://… or https://…)',
    ],
    [
      "an unknown rule flag",
      "cma:\n  monitoring:\n    enable_rules: [generic-udp]\n",
      'assim.yaml:3:20: cma.monitoring.enable_rules[0]: no shipped monitoring rule needs the flag "generic-udp" (expected one of: generic-tcp; or set rules_dir beside it for operator rules)',
    ],
    [
      "a Neo4j password",
      "neo4j:\n  password: secret\n",
      "assim.yaml:2:3: neo4j.password: the Neo4j password is never read from a file (expected the environment variable NEO4J_PASSWORD)",
    ],
    [
      "a missing required key",
      "cma:\n  exports:\n    out: /srv/out\n",
      'assim.yaml:3:5: cma.exports: missing key "every"',
    ],
    [
      "a tab for indentation",
      "cma:\n\tbind: 0.0.0.0\n",
      "assim.yaml:2:1: a tab indents this line (expected spaces: YAML does not allow tabs for indentation)",
    ],
    [
      "a duplicate key",
      "cma:\n  trust: tofu\n  trust: approve\n",
      'assim.yaml:3:3: cma.trust: duplicate key "trust" (expected each key once in a mapping)',
    ],
    [
      "an empty section, at its key",
      "cma:\nprobe: {}\n",
      "assim.yaml:1:1: cma: is empty (expected a mapping of CMA settings)",
    ],
    [
      "a file that is not a mapping",
      "- cma\n",
      "assim.yaml:1:1: is a list (expected a mapping of sections: data_dir, cma, probe, exporters, api, up, neo4j)",
    ],
  ])("reports %s at its line and column", (_, text, expected) => {
    expect(lines(text)).toEqual([expected]);
  });

  it("reports every bad heartbeat timer, and no order among them", () => {
    expect(lines("cma:\n  heartbeat:\n    interval: soon\n    warn: 2h\n    dead: 5s\n")).toEqual([
      'assim.yaml:3:15: cma.heartbeat.interval: "soon" is not a duration (expected a duration such as 500ms, 1s, 5m or 1h30m)',
      "assim.yaml:4:11: cma.heartbeat.warn: 2h is out of range (expected from 1ms to 1h)",
    ]);
  });

  it("reports a YAML syntax error with its line and column", () => {
    const [first] = lines("probe:\n  cma: [10.0.0.1\n");
    expect(first).toMatch(/^assim\.yaml:\d+:\d+: YAML syntax error: /);
    expect(lines("cma:\n  bind: 1.2.3.4\n   trust: tofu\n")[0]).toMatch(
      /^assim\.yaml:2:9: YAML syntax error: /,
    );
  });

  it("reports every error of a file at once, in the order of the file", () => {
    const text = [
      "cma:",
      "  trust: maybe",
      "  heartbeat:",
      "    interval: 1 second",
      "  discovery:",
      "    types: [os, teleport]",
      "  exports:",
      "    every: 5m",
      "    formats: [json, excel]",
      "probe:",
      "  cma: here",
      "  cma: there",
      "up:",
      "  lab: { hosts: 100 }",
    ].join("\n");
    expect(lines(text).map((line) => line.split(": ").slice(0, 2).join(": "))).toEqual([
      "assim.yaml:2:10: cma.trust",
      "assim.yaml:4:15: cma.heartbeat.interval",
      "assim.yaml:6:17: cma.discovery.types[1]",
      "assim.yaml:9:21: cma.exports.formats[1]",
      "assim.yaml:11:8: probe.cma",
      "assim.yaml:12:3: probe.cma",
      "assim.yaml:14:17: up.lab.hosts",
    ]);
  });

  it("says when a file cannot be read, without a position", () => {
    const { errors } = checkConfigFile("/nonexistent/assim.yaml");
    expect(errors.map(formatConfigError)).toEqual([
      "/nonexistent/assim.yaml: cannot read the configuration file: no such file",
    ]);
  });
});
