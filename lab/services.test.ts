import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { freeTcpPort, waitFor } from "../test/support/daemons.js";
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

/** Whether a client holds an established connection to 127.0.0.1:port (ss). */
function established(port: number): boolean {
  const result = spawnSync("ss", ["-Htn", "state", "established", `dport = :${port}`], {
    encoding: "utf8",
  });
  return result.stdout.trim() !== "";
}

describe("the lab's services", () => {
  it("puts sshd on every host, the web app on h1 and its database on h2", () => {
    expect(planServices(topology.hosts).map((plan) => [plan.key, plan.port])).toEqual([
      ["h1/sshd", 22],
      ["h1/web", 8080],
      ["h2/sshd", 22],
      ["h2/db", 5433],
      ["h3/sshd", 22],
    ]);
  });

  it("runs no database and gives the web app none on a one-host lab", () => {
    const single = planTopology({ name: "one", hosts: 1, switches: 1, subnet: "10.250.1.0/24" });
    expect(planServices(single.hosts).map((plan) => plan.key)).toEqual(["h1/sshd", "h1/web"]);
    const [web] = planServices(single.hosts).filter((plan) => plan.name === "web");
    if (!web) throw new Error("no h1/web in the plan");
    const record = serviceRecord({ ...state, topology: single }, web);
    expect(record.command.slice(-3)).toEqual([
      "10.250.1.11",
      "8080",
      join(scratch, "h1", "web", "www"),
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

  it("serves h1's web root from the lab directory, bound to h1's address, using h2's database", () => {
    const [web] = planServices(topology.hosts).filter((plan) => plan.key === "h1/web");
    if (!web) throw new Error("no h1/web in the plan");
    const record = serviceRecord(state, web);
    const script = join(scratch, "h1", "web", "webapp.py");
    expect(record.command).toEqual([
      "netns",
      "exec",
      "svc-h1",
      "python3",
      script,
      "10.250.0.11",
      "8080",
      join(scratch, "h1", "web", "www"),
      "10.250.0.12:5433",
    ]);
    expect(readFileSync(join(scratch, "h1", "web", "www", "index.html"), "utf8")).toContain("h1");
    // The scripts are valid Python (compiled, not run).
    const [db] = planServices(topology.hosts).filter((plan) => plan.key === "h2/db");
    if (!db) throw new Error("no h2/db in the plan");
    const dbScript = serviceRecord(state, db).command[4] as string;
    const compiled = spawnSync("python3", ["-m", "py_compile", script, dbScript], {
      encoding: "utf8",
    });
    expect(compiled.stderr).toBe("");
    expect(compiled.status).toBe(0);
  });

  it("serves HTTP and holds a connection to its database, reconnecting when it comes back", async () => {
    const dbPort = await freeTcpPort();
    const webPort = await freeTcpPort();
    const [web] = planServices(topology.hosts).filter((plan) => plan.key === "h1/web");
    const [db] = planServices(topology.hosts).filter((plan) => plan.key === "h2/db");
    if (!web || !db) throw new Error("no web or db in the plan");
    const webScript = serviceRecord(state, web).command[4] as string;
    const dbScript = serviceRecord(state, db).command[4] as string;
    const children: ChildProcess[] = [];
    const start = (args: string[]) => {
      const child = spawn("python3", args, { stdio: "ignore" });
      children.push(child);
      return child;
    };
    try {
      start([
        webScript,
        "127.0.0.1",
        String(webPort),
        join(scratch, "h1", "web", "www"),
        `127.0.0.1:${dbPort}`,
      ]);
      // The database starts after the web app: the app keeps trying.
      await sleep(500);
      const database = start([dbScript, "127.0.0.1", String(dbPort)]);
      await waitFor("the web app's connection to the database", () => established(dbPort), 15_000);
      const page = await waitFor(
        "the web app's page",
        async () => {
          const response = await fetch(`http://127.0.0.1:${webPort}/`).catch(() => null);
          return response?.ok ? response.text() : undefined;
        },
        15_000,
      );
      expect(page).toContain("<h1>h1</h1>");
      database.kill("SIGKILL");
      await waitFor("the connection gone with the database", () => !established(dbPort), 15_000);
      start([dbScript, "127.0.0.1", String(dbPort)]);
      await waitFor("the web app reconnected", () => established(dbPort), 15_000);
    } finally {
      for (const child of children) child.kill("SIGKILL");
    }
  }, 30_000);
});
