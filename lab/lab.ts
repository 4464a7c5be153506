/**
 * The lab: one CMA, S switches and N hosts in network namespaces on this
 * machine, wired like a small data center (see README "The lab"). This is the
 * programmatic API; `assim lab ...` is a thin layer over it.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import {
  cmaKeyFile,
  cmaRecord,
  cmaStatusFile,
  probeRecord,
  probeStatusFile,
  waitForCmaKey,
} from "./daemons.js";
import { lldpdAvailable } from "./lldpd.js";
import { listNamespaces } from "./netns.js";
import { buildNetwork, type Progress, setBridge } from "./network.js";
import { isOurs, spawnDetached, terminate } from "./processes.js";
import {
  type LabServicePlan,
  planServices,
  serviceRecord,
  serviceUnavailable,
  waitForDependency,
  waitForService,
} from "./services.js";
import { checkDiscoveryTypes, checkTimers } from "./settings.js";
import {
  type DaemonRecord,
  DEFAULT_ROOT,
  defaultLabDir,
  type LabState,
  readState,
  statePath,
  writeState,
} from "./state.js";
import { type LabStatus, labStatus, readJson } from "./status.js";
import { lldpdRecord, waitForLldpd } from "./switch-speaker.js";
import { type TeardownReport, tearDown } from "./teardown.js";
import {
  checkName,
  DEFAULT_HOSTS,
  DEFAULT_NAME,
  DEFAULT_SUBNET,
  DEFAULT_SWITCHES,
  type HostPlan,
  LabOptionError,
  labNamespacePattern,
  planTopology,
  type SwitchPlan,
} from "./topology.js";

/** Something about the lab itself went wrong (not a mistake in the options). */
export class LabError extends Error {
  override name = "LabError";
}

export interface LabUpOptions {
  name?: string;
  hosts?: number;
  switches?: number;
  subnet?: string;
  /** Default /run/assim-lab/<name>. */
  dir?: string;
  /** Start the CMA and the probes (default true); lldpd always runs. */
  daemons?: boolean;
  /** Start the hosts' services: sshd everywhere, a web server on h1 (default true). */
  services?: boolean;
  /** Remove an existing lab of that name first. */
  replace?: boolean;
  intervalMs?: number;
  warnMs?: number;
  deadMs?: number;
  /** Passed to the CMA as --discovery-types. */
  discoveryTypes?: string;
  /** Probes find the CMA by multicast (the CMA runs with --multicast). */
  multicast?: boolean;
  /** How long to wait for the CMA's public key (default 30 s). */
  cmaKeyTimeoutMs?: number;
  progress?: Progress;
}

export type { DaemonStatus, LabStatus } from "./status.js";

export type Signal = "TERM" | "KILL";

export function requireRoot(): void {
  if (process.getuid?.() !== 0) {
    throw new LabError(
      "the lab needs root (it creates network namespaces, veth pairs and bridges): run it with sudo",
    );
  }
}

/** Whether a lab of this name exists: its state file, or any namespace with its prefix. */
function existing(name: string, dir: string): string | undefined {
  if (existsSync(statePath(dir))) return `its state is in ${statePath(dir)}`;
  const pattern = labNamespacePattern(name);
  const namespaces = listNamespaces().filter((ns) => pattern.test(ns));
  if (namespaces.length > 0) return `namespaces ${namespaces.join(", ")} exist`;
  return undefined;
}

export class Lab {
  private constructor(private current: LabState) {}

  get state(): LabState {
    return this.current;
  }

  get name(): string {
    return this.current.name;
  }

  get dir(): string {
    return this.current.dir;
  }

  /** Builds the lab; on failure the partial lab stays (for its logs) until down(). */
  static async up(options: LabUpOptions = {}): Promise<Lab> {
    const progress = options.progress ?? (() => undefined);
    const name = checkName(options.name ?? DEFAULT_NAME);
    const topology = planTopology({
      name,
      hosts: options.hosts ?? DEFAULT_HOSTS,
      switches: options.switches ?? DEFAULT_SWITCHES,
      subnet: options.subnet ?? DEFAULT_SUBNET,
    });
    const intervalMs = options.intervalMs ?? 1000;
    const warnMs = options.warnMs ?? 3000;
    const deadMs = options.deadMs ?? 10_000;
    checkTimers(intervalMs, warnMs, deadMs);
    const discoveryTypes = checkDiscoveryTypes(options.discoveryTypes);
    // Absolute: the daemons and lldpd's socket must not depend on a working directory.
    const dir = resolve(options.dir ?? defaultLabDir(name));
    requireRoot();
    const lldpd = lldpdAvailable();
    if (!lldpd.ok) throw new LabError(`the lab's switches need lldpd: ${lldpd.reason}`);

    const found = existing(name, dir);
    if (found) {
      if (!options.replace) {
        throw new LabError(
          `a lab named "${name}" already exists (${found}); remove it with "assim lab down --name ${name}" or pass --replace`,
        );
      }
      progress(`replacing the existing lab "${name}"`);
      await tearDown(name, dir, progress);
    }
    if (existsSync(dir) && readdirSync(dir).length > 0) {
      throw new LabError(`${dir} exists and is not empty, but holds no lab: choose another --dir`);
    }
    mkdirSync(dir, { recursive: true });
    // lldpd drops privileges: its user must reach the control socket under here.
    chmodSync(dir, 0o755);
    if (dirname(dir) === DEFAULT_ROOT) chmodSync(DEFAULT_ROOT, 0o755);

    const lab = new Lab({
      version: 1,
      name,
      dir,
      phase: "building",
      createdAt: new Date().toISOString(),
      topology,
      settings: {
        enabled: options.daemons ?? true,
        intervalMs,
        warnMs,
        deadMs,
        discoveryTypes,
        multicast: options.multicast === true,
        services: options.services ?? true,
      },
      namespaces: [],
      links: [],
      daemons: {},
    });
    lab.save();
    try {
      buildNetwork(lab.current, () => lab.save(), progress);
      await lab.startSwitches(progress);
      if (lab.current.settings.services) await lab.startServices(progress);
      if (lab.current.settings.enabled) await lab.startDaemons(progress, options.cmaKeyTimeoutMs);
    } catch (error) {
      lab.current.phase = "failed";
      lab.save();
      throw new LabError(
        `lab up failed: ${(error as Error).message}\nthe partial lab is left for inspection; "assim lab down --name ${name}${options.dir ? ` --dir ${dir}` : ""}" removes it`,
      );
    }
    lab.current.phase = "up";
    lab.save();
    progress(
      `lab "${name}" is up: ${topology.hosts.length} hosts on ${topology.switches.length} switches, CMA at ${topology.cma.address}, state in ${statePath(dir)}`,
    );
    return lab;
  }

  /** The lab whose state is in dir. */
  static open(dir: string): Lab {
    const state = readState(resolve(dir));
    if (!state) throw new LabError(`no lab in ${dir} (no ${statePath(dir)})`);
    return new Lab(state);
  }

  /** The lab by name (its default directory unless dir is given). */
  static openByName(name: string = DEFAULT_NAME, dir?: string): Lab {
    return Lab.open(dir ?? defaultLabDir(checkName(name)));
  }

  /** Removes a lab by name and directory, with or without a state file. */
  static async destroy(
    options: { name?: string; dir?: string; progress?: Progress } = {},
  ): Promise<TeardownReport> {
    const name = checkName(options.name ?? DEFAULT_NAME);
    requireRoot();
    return tearDown(name, resolve(options.dir ?? defaultLabDir(name)), options.progress);
  }

  async down(progress?: Progress): Promise<TeardownReport> {
    requireRoot();
    return tearDown(this.name, this.dir, progress);
  }

  hosts(): HostPlan[] {
    return this.current.topology.hosts;
  }

  switches(): SwitchPlan[] {
    return this.current.topology.switches;
  }

  /** The namespace of a host (h3), a switch (sw1) or the CMA (cma). */
  nsOf(host: string): string {
    if (host === "cma") return this.current.topology.cma.ns;
    const found =
      this.hosts().find((h) => h.name === host) ?? this.switches().find((s) => s.name === host);
    if (!found) throw new LabOptionError(`no host ${JSON.stringify(host)} in ${this.knownNames()}`);
    return found.ns;
  }

  host(name: string): HostPlan {
    const host = this.hosts().find((h) => h.name === name);
    if (!host) throw new LabOptionError(`no host ${JSON.stringify(name)} in ${this.knownNames()}`);
    return host;
  }

  private knownNames(): string {
    const hosts = this.hosts().map((h) => h.name);
    const switches = this.switches().map((s) => s.name);
    return `lab "${this.name}" (cma, ${hosts[0]}..${hosts.at(-1)}, ${switches[0]}..${switches.at(-1)})`;
  }

  /** The services the hosts run (none when the lab was made with --no-services). */
  services(): LabServicePlan[] {
    return this.current.settings.services ? planServices(this.hosts()) : [];
  }

  /** A daemon by key: h3 (its probe), cma, sw1 (its lldpd), h1/sshd (a service). */
  private daemon(key: string): DaemonRecord {
    const [host = key, service] = key.split("/", 2);
    this.nsOf(host);
    const record = this.current.daemons[key];
    if (record) return record;
    if (service !== undefined) {
      const known = this.services()
        .filter((plan) => plan.host === host)
        .map((plan) => plan.key);
      throw new LabOptionError(
        `${host} runs no service ${JSON.stringify(service)}${known.length ? ` (it runs ${known.join(", ")})` : " (the lab was made with --no-services?)"}`,
      );
    }
    throw new LabError(`${host} has no daemon in this lab (started with --no-daemons?)`);
  }

  private save(): void {
    writeState(this.current);
  }

  private launch(host: string, record: DaemonRecord): number {
    this.current.daemons[host] = record;
    this.save();
    const pid = spawnDetached(record.command, record.log);
    record.pid = pid;
    record.startedAt = new Date().toISOString();
    this.save();
    return pid;
  }

  private async startSwitches(progress: Progress): Promise<void> {
    const speaking = this.switches().filter((sw) => sw.hosts.length > 0);
    progress(`starting lldpd (LLDP and CDP) on ${speaking.length} switch(es)`);
    for (const sw of speaking) this.launch(sw.name, lldpdRecord(this.current, sw));
    for (const sw of speaking) {
      const record = this.current.daemons[sw.name] as DaemonRecord;
      await waitForLldpd(this.current, sw, record);
    }
  }

  /** Starts each host's services and waits until they listen; one that cannot run here is skipped. */
  private async startServices(progress: Progress): Promise<void> {
    const plans = this.services();
    const unavailable = new Map<string, string>();
    for (const plan of plans) {
      if (unavailable.has(plan.name)) continue;
      const reason = serviceUnavailable(plan.name);
      if (reason) unavailable.set(plan.name, reason);
    }
    for (const [name, reason] of unavailable)
      progress(`not starting ${name} on the hosts: ${reason}`);
    const runnable = plans.filter((plan) => !unavailable.has(plan.name));
    if (runnable.length === 0) return;
    progress(`starting ${runnable.length} service(s) on the hosts (sshd, a web server on h1)`);
    for (const plan of runnable) this.launch(plan.key, serviceRecord(this.current, plan));
    for (const plan of runnable) {
      await waitForService(plan, this.current.daemons[plan.key] as DaemonRecord);
    }
    // A service whose peer runs too: connected before the probes' first discovery.
    for (const plan of runnable) {
      const { uses } = plan;
      if (uses && runnable.some((o) => o.host === uses.host && o.port === uses.port)) {
        await waitForDependency(plan, this.current.daemons[plan.key] as DaemonRecord);
      }
    }
  }

  private async startDaemons(progress: Progress, keyTimeoutMs?: number): Promise<void> {
    progress(`starting the CMA in ${this.current.topology.cma.ns}`);
    const cma = cmaRecord(this.current);
    this.launch("cma", cma);
    await waitForCmaKey(this.current, cma, keyTimeoutMs);
    progress(`starting ${this.hosts().length} probe(s)`);
    for (const host of this.hosts()) this.launch(host.name, probeRecord(this.current, host));
  }

  /** Sends TERM or KILL to a daemon (h3, cma, sw1, h1/sshd) and waits (bounded) for it to end. */
  async kill(host: string, signal: Signal = "TERM"): Promise<{ pid: number; exited: boolean }> {
    requireRoot();
    const record = this.daemon(host);
    if (!isOurs(record.pid, record.ns, this.dir)) throw new LabError(`${host} is not running`);
    const pid = record.pid;
    const left = await terminate([pid], `SIG${signal}`, 10_000);
    return { pid, exited: !left.includes(pid) };
  }

  /** Restarts a stopped daemon with the arguments it was first started with. */
  async start(host: string): Promise<number> {
    requireRoot();
    const record = this.daemon(host);
    if (isOurs(record.pid, record.ns, this.dir)) {
      throw new LabError(`${host} is already running (pid ${record.pid})`);
    }
    if (record.kind === "probe" && !existsSync(cmaKeyFile(this.current))) {
      throw new LabError(`the CMA has not written ${cmaKeyFile(this.current)} yet`);
    }
    const pid = this.launch(host, record);
    const sw = this.switches().find((s) => s.name === host);
    if (sw) await waitForLldpd(this.current, sw, record);
    const service = this.services().find((plan) => plan.key === host);
    if (service) await waitForService(service, record);
    return pid;
  }

  /** Sets a switch's bridge down (its hosts are cut off) or up. */
  setSwitch(sw: string, up: boolean): void {
    requireRoot();
    const plan = this.switches().find((s) => s.name === sw);
    if (!plan) {
      throw new LabOptionError(
        `no switch ${JSON.stringify(sw)} in lab "${this.name}" (${this.switches()
          .map((s) => s.name)
          .join(", ")})`,
      );
    }
    setBridge(plan.ns, plan.bridge, up);
  }

  /** Runs a program inside a host's (or the CMA's, or a switch's) namespace. */
  exec(
    host: string,
    command: string[],
    options: { stdio?: "inherit" | "pipe"; timeoutMs?: number; input?: string } = {},
  ) {
    requireRoot();
    return spawnSync("ip", ["netns", "exec", this.nsOf(host), ...command], {
      encoding: "utf8",
      stdio: options.stdio ?? "pipe",
      ...(options.input !== undefined ? { input: options.input } : {}),
      ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
    });
  }

  /** The CMA's status file, parsed; undefined when absent or unreadable (mid-write). */
  cmaStatus(): unknown {
    return readJson(cmaStatusFile(this.current));
  }

  probeStatus(host: string): unknown {
    return readJson(probeStatusFile(this.current, this.host(host)));
  }

  status(): LabStatus {
    return labStatus(this.current);
  }
}
