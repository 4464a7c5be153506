import { decodeHeartbeat, encodeHeartbeat } from "../../probe/heartbeat/heartbeat-packet.js";
import { HeartbeatMonitor } from "../../probe/heartbeat/monitor.js";
import { RingPartners } from "../../probe/heartbeat/ring-partners.js";
import { parseAddress } from "../../protocol/address.js";
import type {
  ConfigBody,
  HeartbeatTimers,
  PeerReportBody,
  SendExpectHbBody,
  StartupBody,
  StopSendExpectHbBody,
} from "../../protocol/messages.js";
import type { ProtocolStack } from "../../protocol/stack.js";
import { MessageRefusedError, type UdpAddress } from "../../protocol/transport.js";
import { simulatedSwitchDocument } from "./switch-document.js";

/**
 * A probe reduced to what the rings need: it registers, obeys ring commands
 * with the real versioned partner sets, answers checks, and (when asked)
 * heartbeats its partners with the real failure detector. No discovery.
 */
export class SimulatedProbe {
  readonly rings = new RingPartners();
  readonly received = new Map<string, number>();
  private monitor: HeartbeatMonitor | null = null;
  private timer: NodeJS.Timeout | null = null;
  private sequence = 0n;

  constructor(
    readonly stack: ProtocolStack,
    readonly machineId: string,
    private readonly cma: { key: string; address: UdpAddress },
  ) {
    stack.messenger.onMessage(async (peer, type, body) => {
      if (peer.key !== cma.key) throw new MessageRefusedError("not my CMA");
      this.received.set(type, (this.received.get(type) ?? 0) + 1);
      if (type === "SEND_EXPECT_HB" && this.rings.apply(body as SendExpectHbBody)) this.changed();
      if (type === "STOP_SEND_EXPECT_HB" && this.rings.stop(body as StopSendExpectHbBody))
        this.changed();
      if (type === "CONFIG" && this.monitor) this.monitor.setTimers((body as ConfigBody).heartbeat);
    });
    stack.onHeartbeat((packet) => {
      if (decodeHeartbeat(packet.plaintext) !== null)
        this.monitor?.heard(packet.sender, `${packet.from.address}:${packet.from.port}`);
    });
  }

  register(): Promise<void> {
    const body: StartupBody = {
      machine_id: this.machineId,
      hostname: `sim-${this.machineId.slice(-8)}`,
      start_id: this.stack.endpoint.startId,
      port: this.stack.endpoint.address().port,
      version: "simulated",
    };
    return this.stack.messenger.send(this.cma.key, this.cma.address, "STARTUP", body);
  }

  /** Sends the switch document of a host wired to this switch and port. */
  reportSwitch(switchNumber: number, portNumber: number): Promise<void> {
    const document = simulatedSwitchDocument(
      this.machineId,
      `sim-${this.machineId.slice(-8)}`,
      switchNumber,
      portNumber,
    );
    return this.stack.messenger.send(this.cma.key, this.cma.address, "DISCOVERY", document);
  }

  /** Sends HB_DEAD about a partner, as the real probe does when it goes silent. */
  reportDead(peer: PeerReportBody["peer"], rings: string[]): Promise<void> {
    const body: PeerReportBody = { peer, rings, silent_ms: null };
    return this.stack.messenger.send(this.cma.key, this.cma.address, "HB_DEAD", body);
  }

  /** Starts real heartbeats and failure detection with these timers. */
  startHeartbeats(timers: HeartbeatTimers): void {
    this.monitor = new HeartbeatMonitor({
      timers,
      now: () => performance.now(),
      report: (type, body) => {
        void this.stack.messenger
          .send(this.cma.key, this.cma.address, type, body)
          .catch(() => undefined);
      },
    });
    this.monitor.setPartners(this.rings.partners());
    this.timer = setInterval(() => {
      this.heartbeatRound();
      this.monitor?.tick();
    }, timers.interval_ms);
  }

  /** One heartbeat to each partner; returns how many packets that took. */
  heartbeatRound(): number {
    this.sequence += 1n;
    const payload = encodeHeartbeat(this.sequence);
    let sent = 0;
    for (const partner of this.rings.partners().values()) {
      this.stack.endpoint.send(
        partner.peer.key,
        parseAddress(partner.peer.addr),
        "heartbeat",
        payload,
      );
      sent++;
    }
    return sent;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.stack.close();
  }

  private changed(): void {
    this.monitor?.setPartners(this.rings.partners());
  }
}
