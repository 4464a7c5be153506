import { describe, expect, it } from "vitest";
import type { MonitoringView } from "../graph/store.js";
import { parseRulesFile } from "./load.js";
import { monitorKey, planMonitors, viewDocuments } from "./plan.js";

const rules = parseRulesFile(
  `rules:
  - name: web
    match: { basename: "^web$" }
    agent:
      class: nagios
      type: check_http
      interval_seconds: 5
      timeout_seconds: 2
      params: { H: "{{ip}}", p: "{{port}}", url: "/health", S: true, v: false }
  - name: cache
    match: { basename: "^cache$" }
    agent: { class: ocf, provider: heartbeat, type: redis, params: { port: "{{port}}" } }
  - name: desktop
    match: { basename: "^toy$" }
    agent: { class: nomon }
  - name: anything
    requires_flag: generic-tcp
    match: { any: true }
    agent: { class: nagios, type: check_tcp, params: { H: "{{ip}}", p: "{{port}}" } }
`,
  "test.yaml",
  "operator",
).rules;

const view: MonitoringView = {
  processes: [
    {
      key: "proc:web",
      exe: "/srv/web",
      argv: ["/srv/web"],
      uid: 1000,
      listen: [{ proto: "tcp", ip: "::", port: 8443 }],
    },
    {
      key: "proc:cache",
      exe: "/usr/bin/cache",
      argv: ["cache"],
      uid: 100,
      listen: [{ proto: "tcp", ip: "10.0.0.5", port: 6379 }],
    },
    {
      key: "proc:toy",
      exe: "/usr/bin/toy",
      argv: ["toy"],
      uid: 1000,
      listen: [{ proto: "udp", ip: "0.0.0.0", port: 5000 }],
    },
    // The stand-in for sockets of no visible process.
    {
      key: "proc:unowned",
      exe: null,
      argv: [],
      uid: null,
      listen: [{ proto: "tcp", ip: "0.0.0.0", port: 111 }],
    },
  ],
  packages: ["cache-server"],
  system: {
    agents_ocf: ["heartbeat/Dummy", "heartbeat/redis"],
    agents_nagios: ["check_http", "check_tcp"],
    agents_lsb: [],
    systemd_services: ["cache.service"],
    systemd_running: true,
  },
  monitors: [],
};

describe("planMonitors", () => {
  it("turns applied rules into monitors and the exact agent command for the probe", () => {
    const plan = planMonitors(rules, "host:h", view);
    expect(plan.monitors.map((m) => [m.process, m.props.rule, m.props.class])).toEqual([
      ["proc:cache", "cache", "ocf"],
      ["proc:toy", "desktop", "nomon"],
      ["proc:web", "web", "nagios"],
    ]);
    const web = plan.resources.get(monitorKey("proc:web", "web"));
    expect(web).toEqual({
      id: `web@${monitorKey("proc:web", "web").split(":")[1]}`,
      // Short options as "-H value", long ones as "--url=value", true as a bare flag, false left out.
      agent: {
        class: "nagios",
        plugin: "check_http",
        args: ["-H", "::1", "-p", "8443", "--url=/health", "-S"],
      },
      interval_ms: 5000,
      timeout_ms: 2000,
    });
    expect(plan.resources.get(monitorKey("proc:cache", "cache"))?.agent).toEqual({
      class: "ocf",
      provider: "heartbeat",
      type: "redis",
      params: { port: "6379" },
    });
    // A nomon decision is stored but sends nothing.
    expect(plan.resources.has(monitorKey("proc:toy", "desktop"))).toBe(false);
    const toy = plan.monitors.find((m) => m.process === "proc:toy");
    expect(toy?.props).toMatchObject({ class: "nomon", resource: null, agent: null });
  });

  it("never monitors the unowned stand-in, even with the generic TCP rule on", () => {
    const plan = planMonitors(rules, "host:h", view, { flags: new Set(["generic-tcp"]) });
    expect(plan.monitors.map((m) => m.process)).not.toContain("proc:unowned");
    expect(Object.keys(viewDocuments(view).tcpdiscovery)).not.toContain("proc:unowned");
  });

  it("applies nothing but nomon before the host's agents are known", () => {
    const plan = planMonitors(rules, "host:h", { ...view, system: {} });
    expect(plan.monitors.map((m) => m.props.class)).toEqual(["nomon"]);
    const web = plan.explanations.find((e) => e.key === "proc:web");
    expect(web?.verdict).toBe("agent-missing");
  });

  it("reads the agents from the System's properties as the monitoringagents mapper stored them", () => {
    expect(viewDocuments(view).monitoringagents).toEqual({
      ocf: { heartbeat: ["Dummy", "redis"] },
      lsb: [],
      nagios: ["check_http", "check_tcp"],
      systemd: { "cache.service": { type: "service", state: null } },
      systemd_running: true,
    });
  });

  it("keys a monitor by process and rule, and names the probe's resource after both", () => {
    expect(monitorKey("proc:a", "web")).toMatch(/^monitor:[0-9a-f]{16}:web$/);
    expect(monitorKey("proc:a", "web")).not.toBe(monitorKey("proc:b", "web"));
    expect(monitorKey("proc:a", "web")).not.toBe(monitorKey("proc:a", "web2"));
  });
});
