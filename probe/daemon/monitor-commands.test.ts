/**
 * MONITOR commands as the probe carries them out, with a real resource
 * manager, real Nagios plugins and the real OCF Dummy agent: what comes back
 * in MONITOR_RESULT, and what is refused.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MessageRefusedError } from "../../protocol/transport.js";
import { closeServer, listen, portOf } from "../../test/support/monitor.js";
import { waitUntil } from "../../test/support/wait-until.js";
import { ResourceManager } from "../monitor/resource-manager.js";
import { MonitorCommands, type MonitorResultBody } from "./monitor-commands.js";

const CHECK_TCP = "/usr/lib/nagios/plugins/check_tcp";
const DUMMY = "/usr/lib/ocf/resource.d/heartbeat/Dummy";
const missing = [CHECK_TCP, DUMMY].filter((file) => !existsSync(file));
const skipReason = missing.length
  ? `${missing.join(", ")} not installed (monitoring-plugins-basic, resource-agents)`
  : "";

describe.skipIf(skipReason !== "")(
  skipReason ? `MONITOR commands (skipped: ${skipReason})` : "MONITOR commands",
  () => {
    let dir: string;
    let manager: ResourceManager;
    let results: MonitorResultBody[];
    let commands: MonitorCommands;

    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), "assim-monitor-commands-"));
      results = [];
      const report = (body: MonitorResultBody) => results.push(body);
      manager = new ResourceManager({ onChange: MonitorCommands.changeReporter(report) });
      commands = new MonitorCommands(manager, report);
    });
    afterEach(async () => {
      await manager.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const tcpCheck = (port: number) => ({
      id: "web:tcp",
      agent: {
        class: "nagios" as const,
        plugin: "check_tcp",
        args: ["-H", "127.0.0.1", "-p", String(port)],
      },
      interval_ms: 1000,
      timeout_ms: 5000,
    });

    it("reports the first state and then only changes; a repeated add changes nothing", async () => {
      const server = await listen();
      const port = portOf(server);
      await commands.handle({ action: "add", resource: tcpCheck(port) });
      await waitUntil(() => results.length === 1, 10_000);
      expect(results[0]).toMatchObject({ kind: "change", id: "web:tcp", previous: null });
      expect((results[0] as { current: { state: string } }).current.state).toBe("ok");
      // The CMA retransmitted its add: harmless.
      await commands.handle({ action: "add", resource: tcpCheck(port) });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(results).toHaveLength(1);
      await closeServer(server);
      await waitUntil(() => results.length === 2, 5000);
      const failure = results[1] as Extract<MonitorResultBody, { kind: "change" }>;
      expect(failure.previous?.state).toBe("ok");
      expect(failure.current).toMatchObject({ class: "nagios", state: "critical" });

      await commands.handle({ action: "status" });
      const status = results[2] as Extract<MonitorResultBody, { kind: "status" }>;
      expect(status.kind).toBe("status");
      expect(status.resources["web:tcp"]?.last?.state).toBe("critical");

      await commands.handle({ action: "remove", id: "web:tcp" });
      await commands.handle({ action: "status" });
      expect((results[3] as Extract<MonitorResultBody, { kind: "status" }>).resources).toEqual({});
    });

    it("starts and stops an OCF resource on command and says how it went", async () => {
      const state = join(dir, "dummy.state");
      await commands.handle({
        action: "add",
        resource: {
          id: "dummy",
          agent: { class: "ocf", provider: "heartbeat", type: "Dummy", params: { state } },
          interval_ms: 60_000,
          timeout_ms: 10_000,
        },
      });
      await waitUntil(() => results.length === 1, 10_000);
      await commands.handle({ action: "start", id: "dummy" });
      expect(existsSync(state)).toBe(true);
      const started = results.find((r) => r.kind === "operation" && r.action === "start");
      expect(started).toMatchObject({ id: "dummy", result: { class: "ocf", code: 0 } });
      await commands.handle({ action: "stop", id: "dummy" });
      expect(existsSync(state)).toBe(false);
    });

    it.each([
      [{ action: "format-disk" }, /unknown action/],
      [{ action: "add" }, /need a resource/],
      [{ action: "add", resource: { ...tcpCheck(1), id: "x; rm -rf /" } }, /bad resource id/],
      [{ action: "add", resource: { ...tcpCheck(1), interval_ms: 5 } }, /interval_ms must be/],
      [
        {
          action: "add",
          resource: { ...tcpCheck(1), agent: { class: "nagios", plugin: "../../../bin/sh" } },
        },
        /MONITOR: .*plugin/i,
      ],
      [{ action: "start", id: "nothing-here" }, /no resource nothing-here/],
      [{ action: "update", resource: tcpCheck(1) }, /MONITOR: /],
    ])("refuses %j", async (body, message) => {
      const refusal = commands.handle(body);
      await expect(refusal).rejects.toBeInstanceOf(MessageRefusedError);
      await expect(refusal).rejects.toThrow(message);
      expect(manager.fullStatus()).toEqual({});
    });
  },
);
