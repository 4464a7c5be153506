import { type ChildProcess, spawn } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { liveContext } from "../../probe/discovery/discover.js";
import { collectMonitoringAgents } from "../../probe/discovery/monitoringagents/collect.js";
import type { MonitoringAgentsData } from "../../probe/discovery/monitoringagents/types.js";
import type { PackagesData } from "../../probe/discovery/packages/types.js";
import { collectTcpDiscovery } from "../../probe/discovery/tcpdiscovery/collect.js";
import type { ProcessGroup, TcpDiscoveryData } from "../../probe/discovery/tcpdiscovery/types.js";
import { loadRules, parseRulesFile } from "./load.js";
import { explainHost } from "./match.js";
import { flagValue } from "./template.js";

const scratch = mkdtempSync(join(tmpdir(), "assim-rules-match-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const agents: MonitoringAgentsData = {
  ocf: { heartbeat: ["Dummy", "nginx", "pgsql"] },
  lsb: [],
  nagios: ["check_ssh", "check_tcp"],
  systemd: {},
  systemd_running: false,
};

function packages(...names: string[]): PackagesData {
  const out: PackagesData = { managers: ["dpkg"], packages: {} };
  for (const name of names) {
    out.packages[name] = {
      name,
      version: "1",
      arch: "amd64",
      source: null,
      source_version: null,
      manager: "dpkg",
    };
  }
  return out;
}

/** The tcpdiscovery fixture host (see probe/discovery/tcpdiscovery/fixtures/README.md). */
function fixtureDiscovery(): TcpDiscoveryData {
  const fixtures = join(import.meta.dirname, "../../probe/discovery/tcpdiscovery/fixtures");
  const root = join(scratch, "host");
  cpSync(join(fixtures, "host"), root, { recursive: true });
  const layout = JSON.parse(readFileSync(join(fixtures, "layout.json"), "utf8")) as {
    directories: string[];
    links: Record<string, string>;
  };
  for (const dir of layout.directories) mkdirSync(join(root, dir), { recursive: true });
  for (const [path, target] of Object.entries(layout.links)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    symlinkSync(target, join(root, path));
  }
  return collectTcpDiscovery(
    {
      hostname: "fixture-host",
      procRoot: join(root, "proc"),
      sysRoot: join(root, "sys"),
      fsRoot: join(root, "root"),
      run: () => Promise.reject(new Error("no commands")),
    },
    true,
  ).data;
}

function postgres(argv: string[]): TcpDiscoveryData {
  const group: ProcessGroup = {
    exe: "/usr/lib/postgresql/15/bin/postgres",
    exe_deleted: false,
    cmdline: argv,
    pids: [500],
    uid: 105,
    gid: 111,
    user: "postgres",
    group: "postgres",
    cwd: "/var/lib/postgresql/15/main",
    listen: [{ proto: "tcp", addr: "127.0.0.1", port: 5432 }],
    clients: [],
  };
  return { "postgres:0123456789ab": group };
}

describe("explainHost on the fixture host's sshd and nginx", () => {
  const tcp = fixtureDiscovery();
  const { rules, errors } = loadRules();

  it("applies the shipped sshd and nginx rules with resolved parameters", () => {
    expect(errors).toEqual([]);
    const result = explainHost(rules, { tcpdiscovery: tcp, monitoringagents: agents });
    const sshd = result.find((s) => s.exe === "/usr/sbin/sshd");
    expect(sshd?.verdict).toBe("applied");
    expect(sshd?.applied).toMatchObject({
      rule: "sshd",
      agent: { class: "nagios", type: "check_ssh" },
      params: { H: "127.0.0.1", p: "22" },
    });
    const nginx = result.find((s) => s.exe === "/usr/sbin/nginx");
    expect(nginx?.applied).toMatchObject({
      rule: "nginx",
      agent: { class: "ocf", provider: "heartbeat", type: "nginx" },
      params: { port: "80" },
    });
  });

  it("does not apply a rule whose agent is missing on the host, and says so", () => {
    const result = explainHost(rules, {
      tcpdiscovery: tcp,
      monitoringagents: { ...agents, ocf: {} },
    });
    const nginx = result.find((s) => s.exe === "/usr/sbin/nginx");
    expect(nginx?.verdict).toBe("agent-missing");
    expect(nginx?.applied).toBeNull();
    expect(nginx?.reason).toMatch(/nginx matched but ocf:heartbeat:nginx is not installed/);
    const unknown = explainHost(rules, { tcpdiscovery: tcp, monitoringagents: null });
    expect(unknown.find((s) => s.exe === "/usr/sbin/nginx")?.reason).toBe(
      "rule nginx matched but the host has no monitoringagents document",
    );
  });

  it("uses the generic TCP check only when the operator enables it", () => {
    const off = explainHost(rules, { tcpdiscovery: tcp, monitoringagents: agents });
    const other = off.find((s) => s.verdict === "no-rule");
    expect(other?.reason).toBe("no rule matched");
    const on = explainHost(
      rules,
      { tcpdiscovery: tcp, monitoringagents: agents },
      { flags: new Set(["generic-tcp"]) },
    );
    const same = on.find((s) => s.key === other?.key);
    expect(same?.applied?.rule).toBe("generic-tcp");
    expect(same?.applied?.params.p).toBe(String(other?.listen[0]?.port));
    // A specific rule still wins over the generic one.
    expect(on.find((s) => s.exe === "/usr/sbin/sshd")?.applied?.rule).toBe("sshd");
  });
});

describe("explainHost on postgres shapes", () => {
  const { rules } = loadRules();

  it("takes the data directory from -D as a capture group", () => {
    const argv = ["/usr/lib/postgresql/15/bin/postgres", "-D", "/var/lib/postgresql/15/main"];
    const [pg] = explainHost(rules, { tcpdiscovery: postgres(argv), monitoringagents: agents });
    expect(pg?.applied).toMatchObject({
      rule: "postgresql",
      params: { pgdata: "/var/lib/postgresql/15/main", pgport: "5432" },
    });
  });

  it("lists a partial match with its missing parameter and does not apply it", () => {
    const { rules: partialRules } = parseRulesFile(
      `rules:
  - name: pg-conf
    match: { basename: "^postgres$" }
    agent:
      class: ocf
      provider: heartbeat
      type: pgsql
      params:
        config: "{{flag:--config-file}}"
        pgport: "{{port}}"
`,
      "pg.yaml",
      "operator",
    );
    const [pg] = explainHost(partialRules, {
      tcpdiscovery: postgres(["postgres"]),
      monitoringagents: agents,
    });
    expect(pg?.verdict).toBe("partial");
    expect(pg?.applied).toBeNull();
    expect(pg?.partial[0]).toMatchObject({
      rule: "pg-conf",
      params: { pgport: "5432" },
      missing: { config: ["{{flag:--config-file}}"] },
    });
    expect(pg?.reason).toBe("rule pg-conf lacks config");
  });

  it("matches on an installed package and on uid", () => {
    const { rules: pkgRules } = parseRulesFile(
      `rules:
  - name: by-package
    match: { package: [postgresql-15], uid: 105 }
    agent: { class: nagios, type: check_tcp, params: { p: "{{port}}" } }
`,
      "p.yaml",
      "operator",
    );
    const tcpdiscovery = postgres(["postgres"]);
    const without = explainHost(pkgRules, { tcpdiscovery, monitoringagents: agents });
    expect(without[0]?.verdict).toBe("no-rule");
    const withPkg = explainHost(pkgRules, {
      tcpdiscovery,
      packages: packages("postgresql-15"),
      monitoringagents: agents,
    });
    expect(withPkg[0]?.applied?.rule).toBe("by-package");
  });
});

describe("best match", () => {
  it("applies a rule with every parameter over a more preferred one that lacks some", () => {
    const { rules } = loadRules();
    const tcpdiscovery = postgres(["/usr/sbin/mariadbd"]);
    const group = tcpdiscovery["postgres:0123456789ab"] as ProcessGroup;
    group.exe = "/usr/sbin/mariadbd";
    group.listen = [{ proto: "tcp", addr: "::", port: 3306 }];
    const withOcf = { ...agents, ocf: { heartbeat: ["mysql"] } };
    const [result] = explainHost(rules, { tcpdiscovery, monitoringagents: withOcf });
    expect(result?.verdict).toBe("applied");
    expect(result?.applied).toMatchObject({ rule: "mysql-tcp", params: { H: "::1", p: "3306" } });
    expect(result?.partial.map((m) => [m.rule, Object.keys(m.missing)])).toEqual([
      ["mysql", ["datadir", "socket"]],
    ]);
    group.cmdline = ["/usr/sbin/mariadbd", "--datadir=/var/lib/mysql", "--socket", "/run/m.sock"];
    const [full] = explainHost(rules, { tcpdiscovery, monitoringagents: withOcf });
    expect(full?.applied).toMatchObject({
      rule: "mysql",
      params: { datadir: "/var/lib/mysql", socket: "/run/m.sock" },
    });
  });
});

describe("nomon", () => {
  it("marks a desktop program as deliberately unmonitored", () => {
    const { rules } = loadRules();
    const tcpdiscovery = postgres(["/usr/bin/pipewire"]);
    const group = tcpdiscovery["postgres:0123456789ab"] as ProcessGroup;
    group.exe = "/usr/bin/pipewire";
    const [result] = explainHost(rules, { tcpdiscovery, monitoringagents: null });
    expect(result?.verdict).toBe("nomon");
    expect(result?.applied?.rule).toBe("desktop-audio");
  });

  it("leaves assim's own probe and CMA to the heartbeat ring, but not any other node program", () => {
    const { rules } = loadRules();
    const verdictOf = (argv: string[]) => {
      const tcpdiscovery = postgres(argv);
      const group = tcpdiscovery["postgres:0123456789ab"] as ProcessGroup;
      group.exe = "/usr/bin/node";
      return explainHost(rules, { tcpdiscovery, monitoringagents: null })[0];
    };
    const probe = verdictOf([
      "/usr/bin/node",
      "/opt/assim/bin/assim.js",
      "probe",
      "--cma",
      "10.0.0.1",
    ]);
    expect(probe?.verdict).toBe("nomon");
    expect(probe?.applied?.rule).toBe("assim-daemons");
    expect(
      verdictOf(["node", "/usr/local/bin/assim", "cma", "--bind", "0.0.0.0:1984"])?.verdict,
    ).toBe("nomon");
    expect(verdictOf(["node", "server.js", "--name", "assimilate-probe"])?.verdict).toBe("no-rule");
  });
});

describe("flagValue", () => {
  it("reads --flag value, --flag=value and -fvalue", () => {
    expect(flagValue(["x", "--port", "1"], "--port")).toBe("1");
    expect(flagValue(["x", "--port=2"], "--port")).toBe("2");
    expect(flagValue(["x", "-p3"], "-p")).toBe("3");
    expect(flagValue(["x", "--port"], "--port")).toBeNull();
  });
});

describe("explainHost on a real listener found by the real collectors", () => {
  const hostile = "a;b\n$(touch /tmp/assim-pwned) `id` {{port}} {{flag:--port}}";
  let port = 0;
  let child: ChildProcess;

  beforeAll(async () => {
    // A port free a moment ago, so that the child's argv can name it.
    port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const { port: free } = probe.address() as AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    const script =
      "const s=require('net').createServer().listen(Number(process.argv[process.argv.indexOf('--port')+1]),'127.0.0.1',()=>console.log('up'));";
    child = spawn(
      process.execPath,
      ["-e", script, "--", "--port", String(port), "--name", hostile],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout?.once("data", () => resolve());
      child.once("exit", (code) => reject(new Error(`listener exited ${code}`)));
    });
  });
  afterAll(() => {
    child.kill();
  });

  it("resolves IP, port, flag values and capture groups, keeping hostile argv literal", async () => {
    const tcpdiscovery = collectTcpDiscovery(liveContext()).data;
    const monitoringagents = (await collectMonitoringAgents(liveContext())).data;
    const { rules, errors } = parseRulesFile(
      `rules:
  - name: test-listener
    match:
      basename: "^node$"
      argv: "--port (\\\\d+)"
      port: ${port}
    agent:
      class: nomon
      params:
        ip: "{{ip}}"
        port: "{{port}}"
        flag: "{{flag:--port}}"
        group: "{{group:1}}"
        name: "{{flag:--name}}"
        mixed: "x={{flag:--name}};y={{port}}"
`,
      "t.yaml",
      "operator",
    );
    expect(errors).toEqual([]);
    const result = explainHost(rules, { tcpdiscovery, monitoringagents });
    const mine = result.find((s) => s.cmdline.includes(hostile));
    expect(mine?.verdict).toBe("nomon");
    expect(mine?.listen).toContainEqual({ proto: "tcp", addr: "127.0.0.1", port });
    expect(mine?.applied?.params).toEqual({
      ip: "127.0.0.1",
      port: String(port),
      flag: String(port),
      group: String(port),
      name: hostile,
      mixed: `x=${hostile};y=${port}`,
    });
    expect(existsSync("/tmp/assim-pwned")).toBe(false);

    // With the agents this host really has: check_tcp applies only where it is installed.
    const { rules: tcpRules } = parseRulesFile(
      `rules:
  - name: test-tcp
    match: { argv: "--port ${port}" }
    agent: { class: nagios, type: check_tcp, params: { H: "{{ip}}", p: "{{port}}" } }
`,
      "u.yaml",
      "operator",
    );
    const real = explainHost(tcpRules, { tcpdiscovery, monitoringagents }).find((s) =>
      s.cmdline.includes(hostile),
    );
    if (monitoringagents.nagios.includes("check_tcp")) {
      expect(real?.applied?.params).toEqual({ H: "127.0.0.1", p: String(port) });
    } else {
      expect(real?.verdict).toBe("agent-missing");
    }
  });
});
