/** Durations in a configuration file: parsed, in range, and (on request) the heartbeat's order. */
import { DISCOVERY_INTERVAL_LIMITS } from "../../cma/server/discovery-limits.js";
import { HEARTBEAT_TIMERS } from "../../cma/server/heartbeat-limits.js";
import { MIN_EXPORT_EVERY_MS } from "../../exporters/schedule.js";
import { parseDuration } from "../duration.js";
import type { KeyPath } from "../yaml-position.js";
import type { AssimConfig } from "./types.js";

export type Report = (path: KeyPath, message: string) => void;

const SECOND = 1000;
const UNITS: [number, string][] = [
  [86_400_000, "d"],
  [3_600_000, "h"],
  [60_000, "m"],
  [SECOND, "s"],
];

/** 90_000 → "1m30s", 500 → "500ms": how the file would say it. */
export function formatDuration(ms: number): string {
  let rest = ms;
  let text = "";
  for (const [size, unit] of UNITS) {
    if (rest >= size) {
      text += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return rest > 0 || text === "" ? `${text}${rest}ms` : text;
}

interface DurationRule {
  min: number;
  max?: number;
  wholeSeconds?: boolean;
}

const EXAMPLE = "a duration such as 500ms, 1s, 5m or 1h30m";

/** Milliseconds of the duration at path, or null after reporting why it is not usable. */
export function checkDuration(
  text: string,
  path: KeyPath,
  rule: DurationRule,
  report: Report,
): number | null {
  const ms = parseDuration(text);
  if (ms === null) {
    const hint = /^\s*\d+\s*$/.test(text) ? `; a number needs a unit, e.g. "${text.trim()}s"` : "";
    report(path, `"${text}" is not a duration (expected ${EXAMPLE}${hint})`);
    return null;
  }
  const range =
    rule.max === undefined
      ? `at least ${formatDuration(rule.min)}`
      : `from ${formatDuration(rule.min)} to ${formatDuration(rule.max)}`;
  if (ms < rule.min || (rule.max !== undefined && ms > rule.max)) {
    report(path, `${text} is out of range (expected ${range})`);
    return null;
  }
  if (rule.wholeSeconds && ms % SECOND !== 0) {
    report(path, `${text} is not a whole number of seconds (expected ${range}, in seconds)`);
    return null;
  }
  return ms;
}

function checkHeartbeat(config: AssimConfig, order: boolean, report: Report): void {
  const given = config.cma?.heartbeat ?? {};
  const values: { key: string; ms: number; explicit: boolean }[] = [];
  let usable = true;
  for (const [key, { defaultMs, minMs, maxMs }] of HEARTBEAT_TIMERS) {
    const text = given[key];
    if (text === undefined) {
      values.push({ key, ms: defaultMs, explicit: false });
      continue;
    }
    const ms = checkDuration(text, ["cma", "heartbeat", key], { min: minMs, max: maxMs }, report);
    if (ms === null) {
      usable = false;
      continue;
    }
    values.push({ key, ms, explicit: true });
  }
  if (!usable || !order) return;
  for (let i = 1; i < values.length; i++) {
    const before = values[i - 1] as (typeof values)[number];
    const after = values[i] as (typeof values)[number];
    if (before.ms < after.ms) continue;
    const at = after.explicit ? after : before;
    const describe = (v: typeof before) =>
      `${v.key} ${formatDuration(v.ms)}${v.explicit ? "" : " (the default)"}`;
    report(
      ["cma", "heartbeat", at.key],
      `${describe(before)} is not shorter than ${describe(after)} (expected interval < warn < dead)`,
    );
  }
}

/**
 * Every duration of the file, and with `heartbeatOrder` interval < warn < dead,
 * the defaults standing in for the timers the file leaves out.
 */
export function checkTiming(config: AssimConfig, heartbeatOrder: boolean, report: Report): void {
  checkHeartbeat(config, heartbeatOrder, report);
  const exportEvery = { min: MIN_EXPORT_EVERY_MS };
  const durations: [string | undefined, KeyPath, DurationRule][] = [
    [
      config.cma?.discovery?.interval,
      ["cma", "discovery", "interval"],
      {
        min: DISCOVERY_INTERVAL_LIMITS.minS * SECOND,
        max: DISCOVERY_INTERVAL_LIMITS.maxS * SECOND,
        wholeSeconds: true,
      },
    ],
    [config.cma?.exports?.every, ["cma", "exports", "every"], exportEvery],
    [config.exporters?.every, ["exporters", "every"], exportEvery],
    [config.up?.export_every, ["up", "export_every"], exportEvery],
  ];
  for (const [text, path, rule] of durations) {
    if (text !== undefined) checkDuration(text, path, rule, report);
  }
}
