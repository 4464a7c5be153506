import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { logFormatFromEnv } from "./log.js";
import { packageRoot } from "./package-root.js";

/** Logs one line through the built logger in a child process, as a service would. */
function logOnce(env: NodeJS.ProcessEnv): string {
  const module = pathToFileURL(join(packageRoot(), "dist", "lib", "log.js")).href;
  const script = `import(${JSON.stringify(module)}).then((m) => m.createLogger({ service: "svc" }).info({ probes: 3 }, "ring repaired"))`;
  const result = spawnSync(process.execPath, ["-e", script], {
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  expect(result.status).toBe(0);
  return result.stderr;
}

describe("service logs", () => {
  it("are one JSON object per line by default", () => {
    const line = JSON.parse(logOnce({ ASSIM_LOG_FORMAT: "" }).trim());
    expect(line).toMatchObject({ level: "info", service: "svc", probes: 3, msg: "ring repaired" });
    expect(Date.parse(line.time)).not.toBeNaN();
  });

  it("are one human line each with ASSIM_LOG_FORMAT=pretty", () => {
    const output = logOnce({ ASSIM_LOG_FORMAT: "pretty" });
    const lines = output.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: svc: ring repaired /);
    expect(lines[0]).toContain('"probes":3');
    expect(() => JSON.parse(lines[0] ?? "")).toThrow();
  });

  it("take only pretty or JSON from the environment", () => {
    expect(logFormatFromEnv({ ASSIM_LOG_FORMAT: "pretty" })).toBe("pretty");
    expect(logFormatFromEnv({ ASSIM_LOG_FORMAT: "xml" })).toBe("json");
    expect(logFormatFromEnv({})).toBe("json");
  });
});
