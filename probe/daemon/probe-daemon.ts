import { writeFileAtomic } from "../../lib/atomic-file.js";
import type { Logger } from "../../lib/log.js";
import { formatAddress, parseAddress } from "../../protocol/address.js";
import {
  type ConfigBody,
  DEFAULT_HEARTBEAT_TIMERS,
  type HeartbeatTimers,
  type PeerReportBody,
  type SendExpectHbBody,
  type StartupBody,
  type StopSendExpectHbBody,
} from "../../protocol/messages.js";
import type { ProtocolStack } from "../../protocol/stack.js";
import {
  MessageRefusedError,
  type OpenedPacket,
  type PeerInfo,
  type UdpAddress,
} from "../../protocol/transport.js";
import type { CollectContext } from "../discovery/agent.js";
import { decodeHeartbeat, encodeHeartbeat } from "../heartbeat/heartbeat-packet.js";
import { HeartbeatMonitor, type PeerReportType } from "../heartbeat/monitor.js";
import { RingPartners } from "../heartbeat/ring-partners.js";
import { ResourceManager } from "../monitor/resource-manager.js";
import { DiscoveryLoop } from "./discovery-loop.js";
import { applyIdentity, type ProbeIdentity } from "./identity.js";
import { MonitorCommands, type MonitorResultBody } from "./monitor-commands.js";

export interface ProbeOptions {
  stack: ProtocolStack;
  cma: { key: string; address: UdpAddress };
  identity: ProbeIdentity;
  context: CollectContext;
  startId: string;
  version: string;
  log: Logger;
  /** Where the probe writes its status (rings, partners) as JSON, or null. */
  statusFile: string | null;
  /** How long SHUTDOWN may wait for the CMA's acknowledgement. */
  shutdownTimeoutMs?: number;
  /** After a refused STARTUP, how long until the next (default 10 s). */
  registerRetryMs?: number;
}

/** The refusal a CMA gives a message from a probe it does not know (it lost its state). */
export const NOT_REGISTERED = "not registered";

/**
 * The probe's main loop: registers with the CMA (STARTUP until acknowledged),
 * obeys its commands, heartbeats the partners it is given and reports on them,
 * sends discovery documents when they change, and says SHUTDOWN when stopped.
 */
export class ProbeDaemon {
  private readonly rings = new RingPartners();
  private readonly monitor: HeartbeatMonitor;
  private readonly discovery: DiscoveryLoop;
  private readonly resources: ResourceManager;
  private readonly monitorCommands: MonitorCommands;
  private timers: HeartbeatTimers = DEFAULT_HEARTBEAT_TIMERS;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private tickTimer: NodeJS.Timeout | null = null;
  private statusTimer: NodeJS.Timeout | null = null;
  private sequence = 0n;
  private registered = false;
  private stopping = false;
  private registering: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: ProbeOptions) {
    this.monitor = new HeartbeatMonitor({
      timers: this.timers,
      now: () => performance.now(),
      report: (type, body) => this.report(type, body),
    });
    const reportMonitor = (body: MonitorResultBody) => {
      void this.toCma("MONITOR_RESULT", body).catch((error: unknown) => {
        if (!this.stopping)
          options.log.warn({ err: String(error) }, "monitoring result not delivered");
      });
    };
    this.resources = new ResourceManager({
      onChange: MonitorCommands.changeReporter(reportMonitor),
      log: options.log,
    });
    this.monitorCommands = new MonitorCommands(this.resources, reportMonitor);
    this.discovery = new DiscoveryLoop({
      context: options.context,
      stamp: (document) => applyIdentity(document, options.identity),
      send: (document) => this.toCma("DISCOVERY", document),
      log: options.log,
    });
  }

  start(): void {
    const { stack, log } = this.options;
    stack.onHeartbeat((packet) => this.heartbeatArrived(packet));
    stack.messenger.onMessage((peer, type, body) => this.obey(peer, type, body));
    stack.messenger.onPeerRestart((peer) => {
      if (peer.key === this.options.cma.key) log.info("the CMA restarted: session renegotiated");
    });
    this.register();
    this.restartTimers();
    if (this.options.statusFile) {
      this.statusTimer = setInterval(() => void this.writeStatus(), 1000);
      this.statusTimer.unref();
    }
    log.info(
      {
        machine_id: this.options.identity.machineId,
        hostname: this.options.identity.hostname,
        cma: formatAddress(this.options.cma.address),
        listen: formatAddress(stack.endpoint.address()),
      },
      "probe started",
    );
  }

  /** Says SHUTDOWN, waits (bounded) for its acknowledgement, and releases everything. */
  async stop(reason: string): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.clearTimers();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const shutdown = this.toCma(
      "SHUTDOWN",
      { reason },
      this.options.shutdownTimeoutMs ?? 5000,
    ).then(
      () => this.options.log.info("shutdown acknowledged by the CMA"),
      (error: unknown) =>
        this.options.log.warn({ err: String(error) }, "shutdown not acknowledged by the CMA"),
    );
    await shutdown;
    await this.resources.close();
    await this.discovery.stop();
    await this.writeStatus();
    await this.options.stack.close();
  }

  status(): Record<string, unknown> {
    return {
      machine_id: this.options.identity.machineId,
      hostname: this.options.identity.hostname,
      public_key: this.options.stack.endpoint.publicKey,
      listen: formatAddress(this.options.stack.endpoint.address()),
      cma: { address: formatAddress(this.options.cma.address), registered: this.registered },
      timers: this.timers,
      rings: this.rings.view(),
      partners: this.monitor.status(),
      stopping: this.stopping,
      stats: {
        packets: this.options.stack.endpoint.stats(),
        messages: this.options.stack.messenger.stats(),
      },
    };
  }

  private register(): void {
    if (this.registering || this.stopping) return;
    const body: StartupBody = {
      machine_id: this.options.identity.machineId,
      hostname: this.options.identity.hostname,
      start_id: this.options.startId,
      port: this.options.stack.endpoint.address().port,
      version: this.options.version,
    };
    this.registering = this.toCma("STARTUP", body).then(
      () => {
        this.registered = true;
        this.registering = null;
        this.options.log.info("registered with the CMA");
      },
      (error: unknown) => {
        this.registering = null;
        if (this.stopping) return;
        // Refused (a key awaiting approval, say): ask again later, an operator may act.
        this.options.log.error({ err: String(error) }, "STARTUP refused: trying again later");
        this.retryTimer = setTimeout(() => this.register(), this.options.registerRetryMs ?? 10_000);
        this.retryTimer.unref();
      },
    );
  }

  private async obey(peer: PeerInfo, type: string, body: unknown): Promise<void> {
    if (peer.key !== this.options.cma.key) {
      throw new MessageRefusedError("this probe takes commands only from its CMA");
    }
    switch (type) {
      case "CONFIG": {
        const config = body as ConfigBody;
        this.timers = config.heartbeat;
        this.monitor.setTimers(config.heartbeat);
        this.restartTimers();
        this.discovery.configure(config.discovery);
        return;
      }
      case "SEND_EXPECT_HB":
        if (this.rings.apply(body as SendExpectHbBody)) this.partnersChanged();
        return;
      case "STOP_SEND_EXPECT_HB":
        if (this.rings.stop(body as StopSendExpectHbBody)) this.partnersChanged();
        return;
      case "PING":
        return;
      case "MONITOR":
        return this.monitorCommands.handle(body);
      default:
        throw new MessageRefusedError(`this probe does not handle ${type.slice(0, 40)} messages`);
    }
  }

  private partnersChanged(): void {
    this.monitor.setPartners(this.rings.partners());
    this.options.log.info({ rings: this.rings.view() }, "ring partners changed");
  }

  private heartbeatArrived(packet: OpenedPacket): void {
    if (decodeHeartbeat(packet.plaintext) === null) return;
    this.monitor.heard(packet.sender, formatAddress(packet.from));
  }

  private report(type: PeerReportType, body: PeerReportBody): void {
    this.options.log.info(
      { report: type, peer: body.peer.machine_id ?? body.peer.addr },
      "peer report",
    );
    void this.toCma(type, body).catch((error: unknown) => {
      if (!this.stopping)
        this.options.log.warn({ err: String(error), report: type }, "report not delivered");
    });
  }

  /** Sends to the CMA; a refusal because the CMA forgot this probe re-registers it. */
  private async toCma(type: string, body: unknown, timeoutMs?: number): Promise<void> {
    const { key, address } = this.options.cma;
    try {
      await this.options.stack.messenger.send(
        key,
        address,
        type,
        body,
        timeoutMs === undefined ? {} : { timeoutMs },
      );
    } catch (error) {
      if (
        error instanceof MessageRefusedError &&
        error.message.includes(NOT_REGISTERED) &&
        type !== "STARTUP"
      ) {
        this.options.log.warn({ type }, "the CMA does not know this probe: registering again");
        this.registered = false;
        this.register();
        this.discovery.resendAll();
      }
      throw error;
    }
  }

  private restartTimers(): void {
    this.clearTimers();
    if (this.stopping) return;
    this.heartbeatTimer = setInterval(() => this.sendHeartbeats(), this.timers.interval_ms);
    this.tickTimer = setInterval(() => this.monitor.tick(), Math.min(250, this.timers.interval_ms));
  }

  private clearTimers(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    if (this.tickTimer) clearInterval(this.tickTimer);
    if (this.statusTimer && this.stopping) clearInterval(this.statusTimer);
    this.heartbeatTimer = null;
    this.tickTimer = null;
  }

  private sendHeartbeats(): void {
    this.sequence += 1n;
    const payload = encodeHeartbeat(this.sequence);
    for (const peer of this.monitor.peers()) {
      let to: UdpAddress;
      try {
        to = parseAddress(peer.addr);
      } catch {
        continue;
      }
      this.options.stack.endpoint.send(peer.key, to, "heartbeat", payload);
    }
  }

  private async writeStatus(): Promise<void> {
    if (!this.options.statusFile) return;
    try {
      await writeFileAtomic(this.options.statusFile, `${JSON.stringify(this.status(), null, 2)}\n`);
    } catch (error) {
      this.options.log.warn({ err: String(error) }, "could not write the status file");
    }
  }
}
