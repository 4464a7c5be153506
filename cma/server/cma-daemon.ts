import type { Logger } from "../../lib/log.js";
import { formatAddress } from "../../protocol/address.js";
import type {
  ConfigBody,
  PeerRef,
  PeerReportBody,
  ShutdownBody,
  StartupBody,
} from "../../protocol/messages.js";
import type { ProtocolStack } from "../../protocol/stack.js";
import { MessageRefusedError, type PeerInfo } from "../../protocol/transport.js";
import { hostSystemKey } from "../graph/keys.js";
import type { GraphStore } from "../graph/store.js";
import { DocumentRejectedError } from "../ingest/errors.js";
import { INGESTED_TYPES, ingestDocument } from "../ingest/ingest.js";
import { MonitorDirector } from "../monitoring/director.js";
import type { ExplainOptions } from "../monitoring/match.js";
import type { Rule } from "../monitoring/types.js";
import type { CmaSettings } from "./config.js";
import { OutageJudge } from "./outage.js";
import type { CmaMetricsPort, EventSink, RingCommand, Rings } from "./ports.js";
import { type ProbeRecord, ProbeRegistry } from "./registry.js";
import { Serial } from "./serial.js";
import { switchOfHost } from "./switch-of.js";

/** The refusal a probe gets when the CMA does not know it; the probe then sends STARTUP. */
export const NOT_REGISTERED = "not registered: send STARTUP first";

const MACHINE_ID = /^[0-9a-f]{32}$/;

/** "trusted": go on; "pending": wait for `assim keys approve`; "refused". */
export type TrustDecision = (key: string, from: string) => "trusted" | "pending" | "refused";

export interface CmaOptions {
  stack: ProtocolStack;
  store: GraphStore;
  rings: Rings;
  events: EventSink;
  settings: CmaSettings;
  trust: TrustDecision;
  log: Logger;
  now?: () => number;
  /** Auto-monitoring rules; without them the CMA sets up no monitors. */
  monitoring?: { rules: readonly Rule[]; explain?: ExplainOptions };
  /** Counters and timings for /metrics (lib/metrics/cma-metrics.ts); none when absent. */
  metrics?: CmaMetricsPort;
}

/** Documents whose change can change what a host's monitors should be. */
const MONITORING_INPUTS = new Set(["tcpdiscovery", "packages", "monitoringagents"]);

interface Suspicion {
  reporters: Set<string>;
  checking: boolean;
}

const iso = () => new Date().toISOString();

/** Above this many probes the status (written every second) leaves out each probe and ring member. */
export const STATUS_DETAIL_LIMIT = 10_000;

/**
 * The CMA: registers probes, keeps the rings, tells each probe whom to
 * heartbeat, confirms deaths before announcing them, ingests discovery
 * documents (acknowledged only once stored), and raises events.
 */
export class CmaDaemon {
  readonly registry = new ProbeRegistry();
  private readonly serial = new Serial();
  private readonly suspicions = new Map<string, Suspicion>();
  private readonly lastLate = new Map<string, number>();
  private readonly outages: OutageJudge;
  private tickTimer: NodeJS.Timeout | null = null;
  private readonly now: () => number;
  /** options.events, counted by the metrics when there are any. */
  private readonly events: EventSink;
  private closed = false;
  readonly monitors: MonitorDirector | null;
  readonly counters = {
    registrations: 0,
    reregistrations: 0,
    deaths: 0,
    shutdowns: 0,
    revivals: 0,
    documents_stored: 0,
    documents_refused: 0,
    reports_ignored: 0,
    checks: 0,
  };

  constructor(private readonly options: CmaOptions) {
    this.now = options.now ?? (() => performance.now());
    const { metrics } = options;
    this.events = metrics
      ? {
          emit: (event) => {
            metrics.event(event.type);
            options.events.emit(event);
          },
          close: () => options.events.close(),
        }
      : options.events;
    metrics?.watch({
      probeStates: () => [...this.registry.all()].map((probe) => probe.state),
      ringSizes: () => options.rings.sizes(),
    });
    this.outages = new OutageJudge(options.settings.outageWindowMs, (event) => {
      this.events.emit(event);
    });
    this.monitors = options.monitoring
      ? new MonitorDirector({
          store: options.store,
          rules: options.monitoring.rules,
          ...(options.monitoring.explain ? { explain: options.monitoring.explain } : {}),
          send: (system, body) => this.sendMonitor(system, body),
          events: this.events,
          log: options.log,
        })
      : null;
  }

  /** Loads the probes the graph knows, so a restarted CMA resumes without re-registration. */
  restore(probes: readonly ProbeRecord[]): void {
    for (const probe of probes) this.registry.add(probe);
  }

  /** Sends every given member its current partner sets again (after rings were repaired on load). */
  async restate(members: readonly string[]): Promise<void> {
    await this.serial.run(async () => {
      for (const member of members) this.dispatch(await this.options.rings.restate(member));
    });
  }

  /**
   * Takes probes whose keys may no longer be used (revoked) off the rings: they are
   * down from now on, and their packets are dropped unopened.
   */
  async evict(keyAllowed: (key: string) => boolean): Promise<void> {
    const evicted = [...this.registry.all()].filter(
      (probe) => probe.state === "up" && !keyAllowed(probe.key),
    );
    for (const probe of evicted) {
      await this.serial.run(async () => {
        if (probe.state !== "up") return;
        probe.state = "down";
        this.suspicions.delete(probe.system);
        this.options.metrics?.death("revoked");
        await this.setStatus(probe.system, "down", "probe key revoked");
        this.dispatch(await this.options.rings.leave(probe.system));
        this.events.emit({
          type: "host_down",
          system: probe.system,
          hostname: probe.hostname,
          reason: "probe key revoked",
        });
        this.options.log.warn({ system: probe.system, key: probe.key }, "probe key revoked");
      });
    }
  }

  start(): void {
    const { stack } = this.options;
    stack.onHeartbeat(() => undefined);
    stack.messenger.onMessage((peer, type, body) => this.handle(peer, type, body));
    this.tickTimer = setInterval(() => this.outages.tick(this.now()), 250);
    this.tickTimer.unref();
    this.options.log.info(
      { listen: formatAddress(stack.endpoint.address()), probes: this.registry.size },
      "CMA started",
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.tickTimer) clearInterval(this.tickTimer);
    await this.options.stack.close();
    await this.serial.run(async () => undefined);
  }

  /**
   * What the status file shows. Every probe with its partners, and every ring's
   * members, only up to STATUS_DETAIL_LIMIT probes: it is written every second,
   * and a large fleet is better followed through /metrics and the API.
   */
  status(): Record<string, unknown> {
    return {
      listen: formatAddress(this.options.stack.endpoint.address()),
      public_key: this.options.stack.endpoint.publicKey,
      probe_count: this.registry.size,
      ring_sizes: this.options.rings.sizes(),
      ...this.statusDetail(),
      counters: this.counters,
      monitors: this.monitors?.counters ?? null,
      suspects: [...this.suspicions.keys()],
      stats: {
        packets: this.options.stack.endpoint.stats(),
        messages: this.options.stack.messenger.stats(),
      },
    };
  }

  /** Each probe with its partners and each ring's members, or why they are left out. */
  private statusDetail(): Record<string, unknown> {
    if (this.registry.size > STATUS_DETAIL_LIMIT) {
      return {
        detail: `probes and ring members are left out above ${STATUS_DETAIL_LIMIT} probes; see /metrics and the API`,
      };
    }
    const probes = [...this.registry.all()].map((probe) => ({
      system: probe.system,
      hostname: probe.hostname,
      address: formatAddress(probe.address),
      state: probe.state,
      switch: probe.switchKey,
      partners: this.options.rings.partnersOf(probe.system),
    }));
    return { probes, rings: this.options.rings.view() };
  }

  private async handle(peer: PeerInfo, type: string, body: unknown): Promise<void> {
    if (type === "STARTUP") return this.serial.run(() => this.startup(peer, body as StartupBody));
    const probe = this.registry.withKey(peer.key);
    if (!probe) throw new MessageRefusedError(NOT_REGISTERED);
    probe.address = peer.from;
    if (probe.state === "down" && type !== "SHUTDOWN") {
      await this.serial.run(() => this.revive(probe, `heard from it again (${type})`));
    }
    switch (type) {
      case "DISCOVERY":
        return this.discovery(probe, body);
      case "HB_DEAD":
        return this.serial.run(() => this.deadReport(probe, body as PeerReportBody));
      case "HB_LATE":
        return this.lateReport(probe, body as PeerReportBody);
      case "HB_BACK":
      case "HB_MARTIAN":
        return this.serial.run(() => this.heardReport(probe, type, body as PeerReportBody));
      case "SHUTDOWN":
        return this.serial.run(() => this.shutdown(probe, body as ShutdownBody));
      case "MONITOR_RESULT":
        if (!this.monitors) throw new MessageRefusedError("this CMA sets up no monitors");
        return this.monitors.result(probe.system, probe.hostname, body);
      default:
        throw new MessageRefusedError(`the CMA does not take ${type.slice(0, 40)} messages`);
    }
  }

  private async startup(peer: PeerInfo, body: StartupBody): Promise<void> {
    if (!body || typeof body.machine_id !== "string" || !MACHINE_ID.test(body.machine_id)) {
      this.options.metrics?.registration("refused");
      throw new MessageRefusedError("STARTUP needs machine_id: 32 lowercase hex digits");
    }
    const from = formatAddress(peer.from);
    const trust = this.options.trust(peer.key, from);
    if (trust !== "trusted") {
      this.options.metrics?.registration("refused");
      this.options.log.warn(
        { key: peer.key, from, trust },
        "STARTUP from a key that is not trusted",
      );
      throw new MessageRefusedError(
        trust === "pending"
          ? "this probe's key awaits approval (assim keys approve)"
          : "this probe's key is refused",
      );
    }
    const system = hostSystemKey(body.machine_id);
    const known = this.registry.ofSystem(system);
    if (known && known.key !== peer.key && known.state === "up") {
      this.options.log.warn(
        { system, from, registered_key: known.key, new_key: peer.key },
        "STARTUP for a machine registered with another key",
      );
    }
    const hostname = typeof body.hostname === "string" ? body.hostname.slice(0, 253) : "";
    const restarted =
      known !== undefined && (known.startId !== body.start_id || known.key !== peer.key);
    const duplicate = known !== undefined && !restarted && known.state === "up";
    const record: ProbeRecord = {
      system,
      machineId: body.machine_id,
      hostname,
      key: peer.key,
      address: peer.from,
      startId: String(body.start_id ?? "").slice(0, 64),
      state: "up",
      switchKey: known?.switchKey ?? null,
    };
    const at = iso();
    await this.options.store.write(async (tx) => {
      await tx.upsertSystem(
        {
          key: system,
          kind: "host",
          props: {
            hostname,
            machine_id: body.machine_id,
            probe_key: peer.key,
            probe_address: from,
            probe_start_id: record.startId,
            probe_version: String(body.version ?? "").slice(0, 64),
          },
        },
        at,
      );
      await tx.setSystemStatus(system, "up", restarted ? "probe restarted" : "registered", at);
    });
    this.registry.add(record);
    this.suspicions.delete(system);
    this.sendConfig(record);
    if (duplicate) {
      this.options.metrics?.registration("repeated");
      this.dispatch(await this.options.rings.restate(system));
      return;
    }
    if (known) this.counters.reregistrations++;
    else this.counters.registrations++;
    this.options.metrics?.registration(known ? "reregistered" : "new");
    const commands = this.options.rings.isMember(system)
      ? await this.options.rings.restate(system)
      : await this.options.rings.join(system, record.switchKey);
    this.dispatch(commands);
    this.afterMonitoring(this.monitors?.resend(system));
    if (known?.state !== "up") this.outages.back(system, record.switchKey);
    this.events.emit({
      type: "host_up",
      system,
      hostname,
      reason: known ? (restarted ? "probe restarted" : "registered again") : "registered",
      details: { address: from },
    });
    this.options.log.info({ system, hostname, from, restarted }, "probe registered");
  }

  private sendConfig(probe: ProbeRecord): void {
    const { settings } = this.options;
    const config: ConfigBody = { heartbeat: settings.heartbeat, discovery: settings.discovery };
    this.send(probe, "CONFIG", config);
  }

  private async discovery(probe: ProbeRecord, document: unknown): Promise<void> {
    const machineId = (document as { machine_id?: unknown } | null)?.machine_id;
    const started = performance.now();
    if (machineId !== probe.machineId) {
      this.counters.documents_refused++;
      this.measureIngest(document, "rejected", started);
      throw new MessageRefusedError(
        `a probe sends documents about its own machine only (${probe.machineId}), got ${String(machineId).slice(0, 40)}`,
      );
    }
    try {
      const outcome = await ingestDocument(this.options.store, document);
      this.measureIngest(document, outcome.status, started);
      this.counters.documents_stored++;
      this.options.log.info(
        { system: probe.system, type: outcome.discovertype, status: outcome.status },
        "discovery document stored",
      );
      if (MONITORING_INPUTS.has(outcome.discovertype) && outcome.status === "stored") {
        this.afterMonitoring(this.monitors?.plan(probe.system));
      }
      if (outcome.discovertype === "switch" && outcome.status === "stored") {
        const switchKey = switchOfHost((document as { data?: unknown }).data);
        if (switchKey !== probe.switchKey) {
          await this.serial.run(async () => {
            probe.switchKey = switchKey;
            if (probe.state === "up")
              this.dispatch(await this.options.rings.moveSwitch(probe.system, switchKey));
          });
        }
      }
    } catch (error) {
      if (error instanceof DocumentRejectedError) {
        this.counters.documents_refused++;
        this.measureIngest(document, "rejected", started);
        throw new MessageRefusedError(error.message);
      }
      throw error;
    }
  }

  private measureIngest(
    document: unknown,
    outcome: "stored" | "stale" | "rejected",
    started: number,
  ): void {
    const { metrics } = this.options;
    if (!metrics) return;
    const type = (document as { discovertype?: unknown } | null)?.discovertype;
    // Only the types the graph takes become labels: a probe cannot invent new series.
    const label = typeof type === "string" && INGESTED_TYPES.has(type) ? type : "other";
    metrics.ingested(label, outcome, (performance.now() - started) / 1000);
  }

  private async deadReport(reporter: ProbeRecord, report: PeerReportBody): Promise<void> {
    const suspect = this.registry.withKey(String(report?.peer?.key));
    if (suspect?.state !== "up" || suspect.system === reporter.system) {
      this.counters.reports_ignored++;
      return;
    }
    const partners = Object.values(this.options.rings.partnersOf(reporter.system)).flat();
    if (!partners.includes(suspect.system)) {
      // A report about someone who is no longer its partner: the reporter's rings are stale.
      this.counters.reports_ignored++;
      this.dispatch(await this.options.rings.restate(reporter.system));
      return;
    }
    const suspicion = this.suspicions.get(suspect.system) ?? {
      reporters: new Set(),
      checking: false,
    };
    this.suspicions.set(suspect.system, suspicion);
    suspicion.reporters.add(reporter.system);
    this.options.log.info(
      { suspect: suspect.system, reporter: reporter.system, reports: suspicion.reporters.size },
      "death reported",
    );
    if (suspicion.reporters.size >= 2) {
      await this.declareDead(suspect, "two ring neighbours stopped hearing it");
      return;
    }
    if (!suspicion.checking) this.directCheck(suspect, suspicion);
  }

  /** Pings a suspect; no acknowledgement in time confirms the death. */
  private directCheck(suspect: ProbeRecord, suspicion: Suspicion): void {
    suspicion.checking = true;
    this.counters.checks++;
    this.options.stack.messenger
      .send(
        suspect.key,
        suspect.address,
        "PING",
        {},
        { timeoutMs: this.options.settings.checkTimeoutMs },
      )
      .then(
        () => {
          this.outages.alive(suspect.system, suspect.switchKey);
          if (this.suspicions.get(suspect.system) === suspicion) {
            this.suspicions.delete(suspect.system);
            this.options.log.info({ suspect: suspect.system }, "suspect answered a direct check");
          }
        },
        () =>
          this.serial.run(async () => {
            if (this.suspicions.get(suspect.system) !== suspicion || suspect.state !== "up") return;
            await this.declareDead(suspect, "silent to its ring neighbour and to a direct check");
          }),
      )
      .catch((error: unknown) =>
        this.options.log.error({ err: String(error) }, "direct check failed"),
      );
  }

  private async declareDead(probe: ProbeRecord, reason: string): Promise<void> {
    this.suspicions.delete(probe.system);
    if (probe.state !== "up") return;
    const switchMembers = probe.switchKey
      ? this.options.rings
          .membersOfSwitch(probe.switchKey)
          .filter((member) => member !== probe.system)
      : [];
    probe.state = "down";
    this.counters.deaths++;
    this.options.metrics?.death("confirmed");
    await this.setStatus(probe.system, "down", reason);
    this.dispatch(await this.options.rings.leave(probe.system));
    this.options.log.warn({ system: probe.system, hostname: probe.hostname, reason }, "host down");
    const upMembers = switchMembers.filter(
      (member) => this.registry.ofSystem(member)?.state === "up",
    );
    this.outages.died(
      { member: probe.system, hostname: probe.hostname, reason },
      probe.switchKey,
      [...upMembers, probe.system],
      this.now(),
    );
    // Whoever shares its switch may be cut off too, with no one left outside to notice.
    for (const member of upMembers) {
      const other = this.registry.ofSystem(member);
      if (!other || this.suspicions.has(member)) continue;
      const suspicion: Suspicion = { reporters: new Set(), checking: false };
      this.suspicions.set(member, suspicion);
      this.directCheck(other, suspicion);
    }
  }

  private async revive(probe: ProbeRecord, reason: string): Promise<void> {
    if (probe.state !== "down") return;
    probe.state = "up";
    this.counters.revivals++;
    await this.setStatus(probe.system, "up", reason);
    this.sendConfig(probe);
    this.dispatch(await this.options.rings.join(probe.system, probe.switchKey));
    const switchWasDown = this.outages.isSwitchDown(probe.switchKey);
    this.outages.back(probe.system, probe.switchKey);
    this.events.emit({
      type: "host_back",
      system: probe.system,
      hostname: probe.hostname,
      reason,
      ...(switchWasDown && probe.switchKey ? { switch: probe.switchKey } : {}),
    });
    this.options.log.info({ system: probe.system, reason }, "host back");
  }

  private async heardReport(
    reporter: ProbeRecord,
    type: string,
    report: PeerReportBody,
  ): Promise<void> {
    const subject = this.registry.withKey(String(report?.peer?.key));
    if (!subject) {
      this.counters.reports_ignored++;
      return;
    }
    if (subject.state === "down") {
      // Heard by a peer: check it ourselves before taking it back.
      this.options.stack.messenger
        .send(
          subject.key,
          subject.address,
          "PING",
          {},
          { timeoutMs: this.options.settings.checkTimeoutMs },
        )
        .then(
          () =>
            this.serial.run(() => this.revive(subject, `heard by ${reporter.hostname} (${type})`)),
          () => undefined,
        )
        .catch(() => undefined);
      return;
    }
    this.suspicions.delete(subject.system);
    if (type === "HB_MARTIAN" && subject.state === "up") {
      // One of the two holds stale partner sets: the reporter if the CMA's rings
      // pair them (it missed a command), the sender otherwise.
      const partners = Object.values(this.options.rings.partnersOf(reporter.system)).flat();
      const stale = partners.includes(subject.system) ? reporter : subject;
      this.dispatch(await this.options.rings.restate(stale.system));
    }
  }

  private lateReport(reporter: ProbeRecord, report: PeerReportBody): void {
    const subject = this.registry.withKey(String(report?.peer?.key));
    if (subject?.state !== "up") return;
    const silentMs = report.silent_ms;
    if (typeof silentMs === "number" && Number.isFinite(silentMs) && silentMs >= 0) {
      this.options.metrics?.lateHeartbeat(silentMs);
    }
    const now = this.now();
    const last = this.lastLate.get(subject.system);
    if (last !== undefined && now - last < this.options.settings.lateQuietMs) return;
    this.lastLate.set(subject.system, now);
    this.events.emit({
      type: "host_late",
      system: subject.system,
      hostname: subject.hostname,
      reason: `heartbeat ${report.silent_ms ?? "?"} ms apart, heard by ${reporter.hostname}`,
      details: { silent_ms: report.silent_ms, reporter: reporter.system },
    });
  }

  private async shutdown(probe: ProbeRecord, body: ShutdownBody): Promise<void> {
    if (probe.state === "shutdown") return;
    const wasUp = probe.state === "up";
    probe.state = "shutdown";
    this.suspicions.delete(probe.system);
    this.counters.shutdowns++;
    if (wasUp) this.options.metrics?.death("shutdown");
    const reason = `shutdown: ${String(body?.reason ?? "").slice(0, 200)}`;
    await this.setStatus(probe.system, "down", reason);
    if (wasUp) this.dispatch(await this.options.rings.leave(probe.system));
    this.events.emit({
      type: "host_shutdown",
      system: probe.system,
      hostname: probe.hostname,
      reason,
    });
    this.options.log.info({ system: probe.system, hostname: probe.hostname }, "probe shut down");
  }

  private async setStatus(system: string, status: "up" | "down", reason: string): Promise<void> {
    const at = iso();
    await this.options.store.write((tx) => tx.setSystemStatus(system, status, reason, at));
  }

  /** Sends ring commands; each names whole partner sets, so a lost one is repaired by the next. */
  private dispatch(commands: readonly RingCommand[]): void {
    for (const command of commands) {
      const probe = this.registry.ofSystem(command.to);
      if (probe?.state !== "up") continue;
      if (command.type === "SEND_EXPECT_HB") {
        const partners = (command.body.partners ?? [])
          .map((member) => this.registry.peerRef(member))
          .filter((peer): peer is PeerRef => peer !== null);
        this.send(probe, command.type, {
          ring: command.body.ring,
          version: command.body.version,
          partners,
        });
      } else {
        this.send(probe, command.type, { ring: command.body.ring, version: command.body.version });
      }
    }
  }

  /** Monitoring runs beside the daemon's decisions; its failures are logged, never thrown at a probe. */
  private afterMonitoring(work: Promise<void> | undefined): void {
    work?.catch((error: unknown) => {
      if (!this.closed) this.options.log.error({ err: String(error) }, "monitoring plan failed");
    });
  }

  private sendMonitor(system: string, body: unknown): Promise<void> {
    const probe = this.registry.ofSystem(system);
    if (probe?.state !== "up") return Promise.resolve();
    return this.options.stack.messenger
      .send(probe.key, probe.address, "MONITOR", body, {
        timeoutMs: this.options.settings.commandTimeoutMs,
      })
      .then(() => undefined);
  }

  private send(probe: ProbeRecord, type: string, body: unknown): void {
    this.options.stack.messenger
      .send(probe.key, probe.address, type, body, {
        timeoutMs: this.options.settings.commandTimeoutMs,
      })
      .catch((error: unknown) => {
        if (!this.closed)
          this.options.log.warn(
            { to: probe.system, type, err: String(error) },
            "command not delivered",
          );
      });
  }
}
