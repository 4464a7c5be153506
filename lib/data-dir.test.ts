import { describe, expect, it } from "vitest";
import { eventsLogOf, resolveDataDir } from "./data-dir.js";

describe("resolveDataDir", () => {
  it("prefers the option, then the environment, then ./.assim", () => {
    const env = { ASSIM_DATA_DIR: "/srv/assim-env" };
    expect(resolveDataDir("/srv/from-flag", env, "/work")).toBe("/srv/from-flag");
    expect(resolveDataDir(undefined, env, "/work")).toBe("/srv/assim-env");
    expect(resolveDataDir(undefined, {}, "/work")).toBe("/work/.assim");
  });

  it("resolves a relative choice against the working directory and ignores blanks", () => {
    expect(resolveDataDir("state", {}, "/work")).toBe("/work/state");
    expect(resolveDataDir("  ", { ASSIM_DATA_DIR: "" }, "/work")).toBe("/work/.assim");
  });
});

describe("eventsLogOf", () => {
  it("is events.jsonl in the data directory", () => {
    expect(eventsLogOf("/var/lib/assim")).toBe("/var/lib/assim/events.jsonl");
  });
});
