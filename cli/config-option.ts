/** `--config FILE` for a command: the file's values are its defaults, the command line wins. */
import { type Command, Option } from "commander";
import type { ConfigSection } from "../lib/config/options.js";
import { UsageError } from "./errors.js";

export const CONFIG_ENV = "ASSIM_CONFIG";

export function withConfigFile(command: Command, section: ConfigSection): Command {
  return command
    .addOption(
      new Option(
        "--config <file>",
        "YAML file whose values are these options' defaults (see assim config example)",
      ).env(CONFIG_ENV),
    )
    .hook("preAction", async (thisCommand) => {
      const file = thisCommand.getOptionValue("config") as string | undefined;
      if (file === undefined || file.trim() === "") return;
      // Loaded only with --config: the checks import every exporter and discovery type.
      const { ConfigFileError, loadConfig } = await import("../lib/config/load.js");
      const { applyConfig } = await import("../lib/config/apply.js");
      const { applyNeo4jConfig } = await import("../lib/config/neo4j-env.js");
      try {
        const config = loadConfig(file);
        applyConfig(thisCommand, section, config);
        applyNeo4jConfig(config.neo4j, process.env);
      } catch (error) {
        if (error instanceof ConfigFileError) {
          throw new UsageError(`--config: ${file} is not valid:\n${error.message}`);
        }
        throw error;
      }
    });
}
