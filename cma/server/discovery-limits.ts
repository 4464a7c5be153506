/**
 * The discovery settings as `assim cma` takes them, from its options or from
 * cma.discovery in a configuration file: their defaults and limits, in seconds.
 */
import { DEFAULT_SECONDS, MAX_SECONDS } from "../../probe/discovery/switch/options.js";

export interface SecondsLimits {
  defaultS: number;
  minS: number;
  maxS: number;
}

/** How often probes rediscover: --discovery-interval, cma.discovery.interval (1s to 1d). */
export const DISCOVERY_INTERVAL_LIMITS: SecondsLimits = { defaultS: 300, minS: 1, maxS: 86_400 };

/**
 * How long one LLDP/CDP capture listens: --switch-seconds,
 * cma.discovery.switch_seconds. The probe refuses more than MAX_SECONDS.
 */
export const SWITCH_SECONDS_LIMITS: SecondsLimits = {
  defaultS: DEFAULT_SECONDS,
  minS: 1,
  maxS: MAX_SECONDS,
};
