import { describe, expect, it } from "vitest";
import { parseDuration } from "./duration.js";

describe("parseDuration", () => {
  it.each([
    ["30s", 30_000],
    ["5m", 300_000],
    ["1h", 3_600_000],
    ["1h30m", 5_400_000],
    ["250ms", 250],
    ["2d", 172_800_000],
    [" 10S ", 10_000],
  ])("%j is %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "5", "m", "5 m", "-5m", "1.5h", "5min", "5m30", "h1"])(
    "%j is not a duration",
    (text) => {
      expect(parseDuration(text)).toBeNull();
    },
  );
});
