import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { planServices, SSHD, serviceRecord, serviceUnavailable } from "./services.js";
import type { LabState } from "./state.js";
import { planTopology } from "./topology.js";

const topology = planTopology({ name: "svc", hosts: 3, switches: 1, subnet: "10.250.0.0/24" });
const scratch = mkdtempSync(join(tmpdir(), "assim-lab-services-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const state = {
  version: 1,
  name: "svc",
  dir: scratch,
  phase: "building",
  createdAt: new Date().toISOString(),
  topology,
  settings: { enabled: true, intervalMs: 1000, warnMs: 3000, deadMs: 10_000, discoveryTypes: null },
  namespaces: [],
  links: [],
  daemons: {},
} satisfies LabState;

describe("the lab's services", () => {
  it("puts sshd on every host and the unmonitored web server on h1 only", () => {
    expect(planServices(topology.hosts).map((plan) => [plan.key, plan.port])).toEqual([
      ["h1/sshd", 22],
      ["h1/web", 8080],
      ["h2/sshd", 22],
      ["h3/sshd", 22],
    ]);
  });

  const sshdMissing =
    serviceUnavailable("sshd") ??
    (process.getuid?.() === 0 ? undefined : "sshd's privilege separation directory needs root");
  it.skipIf(sshdMissing !== undefined)(
    `gives each host's sshd its own key and a configuration sshd -t accepts${sshdMissing ? ` (skipped: ${sshdMissing})` : ""}`,
    () => {
      const [h2] = planServices(topology.hosts).filter((plan) => plan.key === "h2/sshd");
      if (!h2) throw new Error("no h2/sshd in the plan");
      const record = serviceRecord(state, h2);
      expect(record.command.slice(0, 4)).toEqual(["netns", "exec", "svc-h2", SSHD]);
      const config = record.command.at(-1) as string;
      const text = readFileSync(config, "utf8");
      expect(text).toContain("ListenAddress 10.250.0.12:22");
      expect(text).toMatch(/^PasswordAuthentication no$/m);
      const key = join(scratch, "h2", "sshd", "ssh_host_ed25519_key");
      expect(statSync(key).mode & 0o077).toBe(0);
      // sshd's own test mode parses the configuration and loads the host key.
      const checked = spawnSync(SSHD, ["-t", "-f", config], { encoding: "utf8" });
      expect(checked.stderr).toBe("");
      expect(checked.status).toBe(0);
    },
  );

  it("serves h1's web root from the lab directory, bound to h1's address only", () => {
    const [web] = planServices(topology.hosts).filter((plan) => plan.key === "h1/web");
    if (!web) throw new Error("no h1/web in the plan");
    const record = serviceRecord(state, web);
    expect(record.command).toEqual([
      "netns",
      "exec",
      "svc-h1",
      "python3",
      "-m",
      "http.server",
      "8080",
      "--bind",
      "10.250.0.11",
      "--directory",
      join(scratch, "h1", "web", "www"),
    ]);
    expect(readFileSync(join(scratch, "h1", "web", "www", "index.html"), "utf8")).toContain("h1");
  });
});
