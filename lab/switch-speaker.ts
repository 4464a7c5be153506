/**
 * Each lab switch speaks LLDP and CDP on its host ports, as a data-center
 * switch does: lldpd inside the switch's namespace, announcing system name
 * sw<s>, port IDs swp<i> (the interface name; CDP sends the port's
 * description as its port ID, so the description stays the name too) and the
 * switch's management address.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { lldpcli, prepareLldpd } from "./lldpd.js";
import { isAlive, logTail } from "./processes.js";
import type { DaemonRecord, LabState } from "./state.js";
import type { SwitchPlan } from "./topology.js";

/** Seconds between frames: fast, so a host hears its switch soon after it starts listening. */
export const LAB_TX_INTERVAL = 5;
/** A Unix socket's path must fit in sun_path (108 bytes with the terminating NUL). */
const MAX_SOCKET_PATH = 107;

export function switchDir(state: LabState, sw: SwitchPlan): string {
  return join(state.dir, sw.name);
}

/** The lldpd command for a switch (also writes its -O configuration file). */
export function lldpdRecord(state: LabState, sw: SwitchPlan): DaemonRecord {
  const dir = switchDir(state, sw);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const ports = state.topology.hosts.filter((h) => h.switch === sw.name).map((h) => h.port);
  const { args, socket } = prepareLldpd({
    ns: { name: sw.ns },
    iface: ports.join(","),
    dir,
    name: "lldpd",
    config: [
      `configure system hostname ${sw.name}`,
      `configure system description "assim lab switch ${sw.name} (lldpd)"`,
      `configure system platform "assim-lab"`,
      `configure lldp tx-interval ${LAB_TX_INTERVAL}`,
      "configure lldp portidsubtype ifname",
    ],
    // LLDP and CDPv2 both forced (CDPv1 off), as current Cisco switches send: without -l,
    // lldpd sends LLDP only when no other protocol went out. No smart filter; this address.
    flags: ["-l", "-ccccc", "-H", "0", "-m", sw.address],
  });
  if (socket.length > MAX_SOCKET_PATH) {
    throw new Error(
      `lldpd's control socket ${socket} is longer than ${MAX_SOCKET_PATH} bytes: choose a shorter --dir`,
    );
  }
  return {
    kind: "lldpd",
    ns: sw.ns,
    command: args,
    log: join(dir, "lldpd.log"),
    pid: null,
    startedAt: null,
  };
}

export function lldpdSocket(state: LabState, sw: SwitchPlan): string {
  return join(switchDir(state, sw), "lldpd.socket");
}

/** Waits (at most timeoutMs) until the switch's lldpd answers on its control socket. */
export async function waitForLldpd(
  state: LabState,
  sw: SwitchPlan,
  record: DaemonRecord,
  timeoutMs = 15_000,
): Promise<void> {
  const socket = lldpdSocket(state, sw);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(record.pid)) {
      throw new Error(
        `lldpd on ${sw.name} exited at start; ${record.log}:\n${logTail(record.log)}`,
      );
    }
    if (lldpcli(sw.ns, socket, ["show", "configuration"]).status === 0) return;
    await sleep(100);
  }
  throw new Error(
    `lldpd on ${sw.name} did not answer on ${socket} within ${timeoutMs} ms; ${record.log}:\n${logTail(record.log)}`,
  );
}
