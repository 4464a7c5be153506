/**
 * The switch agent's settings, from the environment (`assim discover` has no
 * per-type options): how long to listen, and on which interfaces.
 */
import { invalidInterfaceName } from "../../switch/interfaces.js";

export const SECONDS_VARIABLE = "ASSIM_SWITCH_SECONDS";
export const INTERFACES_VARIABLE = "ASSIM_SWITCH_INTERFACES";

/**
 * One LLDP transmit interval (802.1AB msgTxInterval, 30 s by default on
 * every major switch OS) and a little more, so each LLDP speaker is heard at
 * least once. CDP's default interval is 60 s: a CDP-only switch needs 61.
 */
export const DEFAULT_SECONDS = 32;
/** The longest capture ASSIM_SWITCH_SECONDS may ask for (the CMA's --switch-seconds limit too). */
export const MAX_SECONDS = 3600;

export interface SwitchOptions {
  seconds: number;
  /** Replaces the automatic choice of interfaces. */
  interfaces?: string[];
}

/** Reads the options; throws naming the variable when one is unusable. */
export function switchOptionsFrom(env: NodeJS.ProcessEnv): SwitchOptions {
  const options: SwitchOptions = { seconds: DEFAULT_SECONDS };
  const secondsText = env[SECONDS_VARIABLE]?.trim();
  if (secondsText !== undefined && secondsText !== "") {
    const seconds = Number(secondsText);
    if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_SECONDS) {
      throw new Error(
        `${SECONDS_VARIABLE} must be a number of seconds > 0 and <= ${MAX_SECONDS}, got ${JSON.stringify(secondsText)}`,
      );
    }
    options.seconds = seconds;
  }
  const interfacesText = env[INTERFACES_VARIABLE]?.trim();
  if (interfacesText !== undefined && interfacesText !== "") {
    const names = interfacesText
      .split(",")
      .map((name) => name.trim())
      .filter((name) => name !== "");
    for (const name of names) {
      const problem = invalidInterfaceName(name);
      if (problem) throw new Error(`${INTERFACES_VARIABLE}: ${JSON.stringify(name)} ${problem}`);
    }
    options.interfaces = [...new Set(names)];
  }
  return options;
}
