import { describe, expect, it, vi } from "vitest";
import { checkConfigText } from "./check.js";

const loadRules = vi.hoisted(() => vi.fn());
vi.mock("../../cma/monitoring/load.js", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../cma/monitoring/load.js")>();
  loadRules.mockImplementation(actual.loadRules);
  return { ...actual, loadRules };
});

describe("knownNames", () => {
  it("loads the shipped rules only for a file that names rule flags, and once", () => {
    expect(checkConfigText("cma:\n  bind: 10.0.0.1\n", "a.yaml").errors).toEqual([]);
    expect(loadRules).not.toHaveBeenCalled();
    const flags = "cma:\n  monitoring:\n    enable_rules: [generic-tcp]\n";
    expect(checkConfigText(flags, "b.yaml").errors).toEqual([]);
    expect(checkConfigText(flags, "c.yaml").errors).toEqual([]);
    expect(loadRules).toHaveBeenCalledTimes(1);
  });
});
