/** Configuration values as defaults of a commander command: the command line wins. */
import type { Command } from "commander";
import { type ConfigSection, configOptionValues, YIELDS_TO } from "./options.js";
import type { AssimConfig } from "./types.js";

/**
 * Sets each option the configuration gives unless it came from the command
 * line or the environment; returns the names of the options it set.
 */
export function applyConfig(
  command: Command,
  section: ConfigSection,
  config: AssimConfig,
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  const fromCommandLine = (name: string) => {
    const source = command.getOptionValueSource(name);
    return source === "cli" || source === "env";
  };
  const applied: string[] = [];
  for (const [name, value] of Object.entries(configOptionValues(config, section, env))) {
    const rival = YIELDS_TO[section]?.[name];
    if (fromCommandLine(name) || (rival !== undefined && fromCommandLine(rival))) continue;
    command.setOptionValueWithSource(name, value, "config");
    applied.push(name);
  }
  return applied;
}
