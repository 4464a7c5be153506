import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ingestFixtureWorld, SYSTEM } from "../../cma/graph/contract/support.js";
import { openEmbeddedStore } from "../../cma/graph/embedded/store.js";
import { MonitorDirector } from "../../cma/monitoring/director.js";
import { loadRules } from "../../cma/monitoring/load.js";
import { silentLogger } from "../../lib/log.js";
import { runAssim } from "../../test/support/cli.js";

const scratch = mkdtempSync(join(tmpdir(), "assim-rules-cli-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function document(host: string, discovertype: string, data: unknown): string {
  return JSON.stringify({ discovertype, host, source: "test", errors: [], data });
}

const sshd = {
  "sshd:0123456789ab": {
    exe: "/usr/sbin/sshd",
    exe_deleted: false,
    cmdline: ["sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups"],
    pids: [101],
    uid: 0,
    gid: 0,
    user: "root",
    group: "root",
    cwd: "/",
    listen: [{ proto: "tcp", addr: "0.0.0.0", port: 22 }],
    clients: [],
  },
  unowned: { listen: [], clients: [] },
};
const agents = {
  ocf: {},
  lsb: [],
  nagios: ["check_ssh"],
  systemd: {},
  systemd_running: false,
};

describe("assim rules", () => {
  const rulesDir = join(scratch, "rules");
  it("lists shipped rules with their source, and a broken operator file on stderr", () => {
    rmSync(rulesDir, { recursive: true, force: true });
    writeDir(rulesDir, {
      "broken.yaml": "rules:\n  - name: x\n    match: [\n",
      "ok.yaml": "rules:\n  - name: mine\n    match: { port: 9999 }\n    agent: { class: nomon }\n",
    });
    const result = runAssim(["rules", "list", "--rules-dir", rulesDir]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^sshd\tnagios:check_ssh\t.*sshd\.yaml:2$/m);
    expect(result.stdout).toMatch(/^mine\tnomon\t.*ok\.yaml:2$/m);
    expect(result.stdout).toMatch(/^generic-tcp\t.*needs --enable generic-tcp/m);
    expect(result.stderr).toMatch(/broken\.yaml:\d+:\d+: YAML syntax error/);
    const json = runAssim(["rules", "list", "--json"]);
    expect(json.status).toBe(0);
    const parsed = JSON.parse(json.stdout) as { rules: { name: string }[]; errors: unknown[] };
    expect(parsed.rules.map((r) => r.name)).toContain("nginx");
    expect(parsed.errors).toEqual([]);
  });

  it("explains a host's services from discovery documents", () => {
    const file = join(scratch, "docs.jsonl");
    writeFileSync(
      file,
      `${[document("h1", "tcpdiscovery", sshd), document("h1", "monitoringagents", agents), document("h2", "tcpdiscovery", {})].join("\n")}\n`,
    );
    const text = runAssim(["rules", "explain", "--documents", file, "--host", "h1"]);
    expect(text.stderr).toBe("");
    expect(text.status).toBe(0);
    expect(text.stdout).toBe(
      '/usr/sbin/sshd (tcp/0.0.0.0:22): applied\n  sshd: nagios:check_ssh H="127.0.0.1" p="22"\n',
    );
    const json = runAssim(["rules", "explain", "--documents", file, "--host", "h1", "--json"]);
    const parsed = JSON.parse(json.stdout) as { services: { verdict: string }[] };
    expect(parsed.services.map((s) => s.verdict)).toEqual(["applied"]);
  });

  it("rejects bad input as a usage error (exit 2)", () => {
    const file = join(scratch, "two.jsonl");
    writeFileSync(
      file,
      `${document("h1", "tcpdiscovery", sshd)}\n${document("h2", "tcpdiscovery", sshd)}\n`,
    );
    const several = runAssim(["rules", "explain", "--documents", file]);
    expect(several.status).toBe(2);
    expect(several.stderr).toMatch(/several hosts \(h1, h2\): name one with --host/);
    const missing = runAssim(["rules", "explain", "--documents", join(scratch, "nope")]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/--documents .*nope/);
    const help = runAssim(["rules", "explain", "--help"]);
    expect(help.stdout).toMatch(/Examples:/);
  });

  it("explains a host's services from the graph, with the monitor the CMA set up", async () => {
    const dataDir = join(scratch, "graph");
    const store = await openEmbeddedStore({ dataDir });
    await ingestFixtureWorld(store);
    const director = new MonitorDirector({
      store,
      rules: loadRules().rules,
      send: async () => undefined,
      events: { emit: () => undefined, close: async () => undefined },
      log: silentLogger,
    });
    await director.plan(SYSTEM.web1);
    const nginx = (await store.write((tx) => tx.monitoringView(SYSTEM.web1))).monitors.find(
      (m) => m.props.rule === "nginx",
    );
    await director.result(SYSTEM.web1, "web1", {
      kind: "change",
      id: nginx?.props.resource,
      current: { class: "ocf", state: "stopped", reason: "monitor: OCF_NOT_RUNNING (not running)" },
    });
    await store.close();

    const text = runAssim(["rules", "explain", "--host", "web1", "--data-dir", dataDir]);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toContain(
      "/usr/sbin/nginx (tcp/0.0.0.0:80 tcp/[::]:443): applied\n" +
        '  nginx: ocf:heartbeat:nginx port="80"\n' +
        `  monitor: ${nginx?.props.resource} stopped since `,
    );
    expect(text.stdout).toMatch(/python3\.11 .*: no-rule\n {2}no rule matched\n {2}monitor: none/);
    const json = JSON.parse(
      runAssim(["rules", "explain", "--host", "web1", "--data-dir", dataDir, "--json"]).stdout,
    );
    expect(json.host).toBe("web1");
    const redis = json.services.find((s: { exe: string }) => s.exe === "/usr/bin/redis-server");
    expect(redis.monitor.props).toMatchObject({ rule: "redis", state: "pending" });

    const unnamed = runAssim(["rules", "explain", "--data-dir", dataDir]);
    expect(unnamed.status).toBe(2);
    expect(unnamed.stderr).toMatch(/3 hosts \(.*\): name one with --host/);
    const unknown = runAssim(["rules", "explain", "--host", "nope", "--data-dir", dataDir]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/no host named "nope"/);
  });
});

function writeDir(path: string, files: Record<string, string>): void {
  mkdirSync(path, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(path, name), text);
}
