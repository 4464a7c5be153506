import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../cli/main.js";
import { applyConfig } from "./apply.js";
import { applyNeo4jConfig } from "./neo4j-env.js";
import { type ConfigSection, configOptionNames, YIELDS_TO } from "./options.js";
import type { AssimConfig } from "./types.js";

/** A command with options like assim cma's, parsed from argv, with the config applied. */
function cma(argv: string[], config: AssimConfig, env: NodeJS.ProcessEnv = {}) {
  const command = new Command("cma")
    .exitOverride()
    .option("--bind <address>", "", "0.0.0.0:1984")
    .option("--data-dir <dir>")
    .option("--interval <ms>", "", "1000")
    .option("--discovery-interval <s>", "", "300")
    .option("--discovery-types <list>")
    .option("--webhook <url>", "", (value: string, previous: string[]) => [...previous, value], [])
    .option("--multicast [interface-ip]")
    .option("--no-monitoring")
    .action(() => {});
  command.parse(argv, { from: "user" });
  applyConfig(command, "cma", config, env);
  return command.opts();
}

describe("applyConfig", () => {
  const config: AssimConfig = {
    data_dir: "/var/lib/assim",
    cma: {
      bind: "10.0.0.1:1984",
      heartbeat: { interval: "500ms" },
      discovery: { interval: "10m", types: ["os", "cpu"] },
      events: { webhooks: ["http://127.0.0.1:9000/"] },
      multicast: true,
      monitoring: { enabled: false },
    },
  };

  it("gives the configured values, in the options' own forms, to options not on the command line", () => {
    expect(cma([], config)).toEqual({
      bind: "10.0.0.1:1984",
      dataDir: "/var/lib/assim",
      interval: "500",
      discoveryInterval: "600",
      discoveryTypes: "os,cpu",
      webhook: ["http://127.0.0.1:9000/"],
      multicast: true,
      monitoring: false,
    });
  });

  it("lets the command line win", () => {
    const options = cma(
      ["--bind", "0.0.0.0:2000", "--interval", "250", "--webhook", "http://x/"],
      config,
    );
    expect(options).toMatchObject({
      bind: "0.0.0.0:2000",
      interval: "250",
      webhook: ["http://x/"],
      discoveryTypes: "os,cpu",
    });
  });

  it("leaves data_dir to ASSIM_DATA_DIR when it is set", () => {
    expect(cma([], config, { ASSIM_DATA_DIR: "/srv/assim" }).dataDir).toBeUndefined();
  });

  it("leaves the defaults alone when the file says nothing", () => {
    expect(cma([], {})).toEqual({
      bind: "0.0.0.0:1984",
      interval: "1000",
      discoveryInterval: "300",
      webhook: [],
      monitoring: true,
    });
  });

  it("gives assim export its schedule, unless --once is on the command line", () => {
    const exporter = (argv: string[]) => {
      const command = new Command("export")
        .option("--once")
        .option("--every <duration>")
        .option("--push <target_and_url...>")
        .action(() => {});
      command.parse(argv, { from: "user" });
      applyConfig(command, "export", {
        exporters: { every: "5m", push: { target: "glpi", url: "https://glpi/" } },
      });
      return command.opts();
    };
    expect(exporter([])).toEqual({ every: "5m", push: ["glpi", "https://glpi/"] });
    expect(exporter(["--once"])).toEqual({ once: true, push: ["glpi", "https://glpi/"] });
  });
});

describe("the options a configuration gives", () => {
  const sections: ConfigSection[] = ["cma", "probe", "up", "export", "api"];

  it.each(sections)("are options of the real assim %s", (section) => {
    const command = buildProgram().commands.find((c) => c.name() === section);
    const options = command?.options.map((option) => option.attributeName()) ?? [];
    const names = [...configOptionNames(section), ...Object.values(YIELDS_TO[section] ?? {})];
    expect(names.filter((name) => !options.includes(name))).toEqual([]);
  });
});

describe("applyNeo4jConfig", () => {
  it("sets the variables the store reads, unless the environment has them", () => {
    const env: NodeJS.ProcessEnv = { NEO4J_USER: "admin" };
    applyNeo4jConfig({ uri: "neo4j://db:7687", user: "neo4j" }, env);
    expect(env).toEqual({ NEO4J_URI: "neo4j://db:7687", NEO4J_USER: "admin" });
  });

  it("leaves an empty NEO4J_URI alone: it asks for the embedded store", () => {
    const env: NodeJS.ProcessEnv = { NEO4J_URI: "" };
    applyNeo4jConfig({ uri: "neo4j://db:7687" }, env);
    expect(env).toEqual({ NEO4J_URI: "" });
  });
});
