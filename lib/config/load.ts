/** A configuration file for a command: loaded whole, or refused with every error. */
import { checkConfigFile } from "./check.js";
import { resolveConfigPaths } from "./paths.js";
import { type AssimConfig, type ConfigError, formatConfigError } from "./types.js";

export class ConfigFileError extends Error {
  override name = "ConfigFileError";
  constructor(readonly errors: readonly ConfigError[]) {
    super(errors.map(formatConfigError).join("\n"));
  }
}

/**
 * The configuration in `file`, its paths made absolute; throws ConfigFileError
 * listing every problem. The heartbeat timers are checked each on its own: the
 * command checks their order once its command line is merged in.
 */
export function loadConfig(file: string): AssimConfig {
  const { config, errors } = checkConfigFile(file, { heartbeatOrder: false });
  if (config === null) throw new ConfigFileError(errors);
  return resolveConfigPaths(config, file);
}
