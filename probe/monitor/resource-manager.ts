/**
 * The probe's resource manager: runs each monitored resource's check at its interval,
 * one operation per resource at a time and at most `maxConcurrent` across resources,
 * and reports only transitions ("no news is good news").
 */
import { type Logger, silentLogger } from "../../lib/log.js";
import { type AgentResult, operationFailed } from "./agent-result.js";
import {
  type AgentPaths,
  type AgentSpec,
  buildCommand,
  DEFAULT_PATHS,
  type Operation,
  runAgent,
} from "./run-agent.js";

export interface ResourceConfig {
  id: string;
  agent: AgentSpec;
  intervalMs: number;
  timeoutMs: number;
  /** Operations slower than this are flagged `slow` and logged. */
  warnMs?: number;
}

export type ChangeListener = (
  resourceId: string,
  previous: AgentResult | null,
  current: AgentResult,
) => void;

export interface ResourceManagerOptions {
  onChange: ChangeListener;
  /** Operations running at once across all resources; the rest wait in a queue. */
  maxConcurrent?: number;
  killGraceMs?: number;
  paths?: Partial<AgentPaths>;
  log?: Logger;
}

export interface ResourceStatus {
  config: ResourceConfig;
  /** Last monitor result; null before the first one. */
  last: AgentResult | null;
  lastAt: number | null;
  /** An operation of this resource is running or queued. */
  busy: boolean;
}

interface Resource {
  config: ResourceConfig;
  last: AgentResult | null;
  lastAt: number | null;
  timer: NodeJS.Timeout | null;
  /** Serialises this resource's operations. */
  tail: Promise<void>;
  pending: number;
  abort: AbortController;
  removed: boolean;
}

export const DEFAULT_MAX_CONCURRENT = 4;

export class ResourceManager {
  readonly #resources = new Map<string, Resource>();
  readonly #onChange: ChangeListener;
  readonly #maxConcurrent: number;
  readonly #killGraceMs: number | undefined;
  readonly #paths: Partial<AgentPaths> | undefined;
  readonly #log: Logger;
  #running = 0;
  readonly #queue: (() => void)[] = [];
  #closed = false;

  constructor(options: ResourceManagerOptions) {
    this.#onChange = options.onChange;
    this.#maxConcurrent = Math.max(1, options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT);
    this.#killGraceMs = options.killGraceMs;
    this.#paths = options.paths;
    this.#log = options.log ?? silentLogger;
  }

  /** Adds a resource and runs its first check now; throws on an invalid agent spec or duplicate id. */
  add(config: ResourceConfig): void {
    if (this.#closed) throw new Error("resource manager is closed");
    if (this.#resources.has(config.id)) throw new Error(`resource ${config.id} already exists`);
    checkConfig(config, this.#paths);
    const resource: Resource = {
      config,
      last: null,
      lastAt: null,
      timer: null,
      tail: Promise.resolve(),
      pending: 0,
      abort: new AbortController(),
      removed: false,
    };
    this.#resources.set(config.id, resource);
    this.#schedule(resource, 0);
  }

  /** Replaces a resource's config; a different agent starts its history afresh. */
  update(config: ResourceConfig): void {
    const resource = this.#get(config.id);
    checkConfig(config, this.#paths);
    const agentChanged = JSON.stringify(resource.config.agent) !== JSON.stringify(config.agent);
    resource.config = config;
    if (agentChanged) {
      resource.last = null;
      resource.lastAt = null;
    }
    this.#schedule(resource, agentChanged ? 0 : config.intervalMs);
  }

  /** Stops monitoring; a running operation of the resource is killed. */
  async remove(id: string): Promise<void> {
    const resource = this.#get(id);
    this.#resources.delete(id);
    resource.removed = true;
    if (resource.timer) clearTimeout(resource.timer);
    resource.abort.abort();
    await resource.tail;
  }

  has(id: string): boolean {
    return this.#resources.has(id);
  }

  fullStatus(): Record<string, ResourceStatus> {
    const out: Record<string, ResourceStatus> = {};
    for (const [id, r] of this.#resources) {
      out[id] = { config: r.config, last: r.last, lastAt: r.lastAt, busy: r.pending > 0 };
    }
    return out;
  }

  /** Runs the agent's start (OCF start, systemctl start, init script start), then checks at once. */
  start(id: string): Promise<AgentResult> {
    return this.#command(id, "start");
  }

  stop(id: string): Promise<AgentResult> {
    return this.#command(id, "stop");
  }

  /** Stop then start; the start is skipped when the stop failed. */
  async restart(id: string): Promise<AgentResult> {
    const stopped = await this.#command(id, "stop", false);
    if (stopped.state !== "stopped") {
      this.#schedule(this.#get(id), 0);
      return stopped;
    }
    return this.#command(id, "start");
  }

  /** Stops every timer and kills running operations; queued ones do not run. */
  async close(): Promise<void> {
    this.#closed = true;
    const tails: Promise<void>[] = [];
    for (const resource of this.#resources.values()) {
      resource.removed = true;
      if (resource.timer) clearTimeout(resource.timer);
      resource.abort.abort();
      tails.push(resource.tail);
    }
    this.#resources.clear();
    await Promise.all(tails);
  }

  #get(id: string): Resource {
    const resource = this.#resources.get(id);
    if (!resource) throw new Error(`no resource ${id}`);
    return resource;
  }

  #schedule(resource: Resource, delayMs: number): void {
    if (resource.timer) clearTimeout(resource.timer);
    if (resource.removed) return;
    resource.timer = setTimeout(() => {
      resource.timer = null;
      void this.#tick(resource);
    }, delayMs);
  }

  async #tick(resource: Resource): Promise<void> {
    // A command (start/stop) in progress reschedules the check when it ends.
    if (resource.pending > 0) return;
    const started = Date.now();
    const agent = resource.config.agent;
    const result = await this.#exclusive(resource, "monitor");
    // A result of the agent an update() replaced meanwhile is dropped.
    if (result && resource.config.agent === agent) this.#record(resource, result);
    if (!resource.removed && resource.timer === null && resource.pending === 0) {
      // The interval counts from when the agent started, not from when the check was due: a
      // check that waited for a free slot is not due again early, so resources added together
      // spread over the interval instead of queueing together every round.
      const ranMs = result?.run?.durationMs ?? Date.now() - started;
      this.#schedule(resource, Math.max(0, resource.config.intervalMs - ranMs));
    }
  }

  async #command(id: string, operation: Operation, checkAfter = true): Promise<AgentResult> {
    const resource = this.#get(id);
    if (resource.timer) {
      clearTimeout(resource.timer);
      resource.timer = null;
    }
    const result =
      (await this.#exclusive(resource, operation)) ??
      operationFailed(resource.config.agent.class, operation, `${operation} cancelled`);
    this.#log.info(
      { resource: id, operation, state: result.state, reason: result.reason },
      "resource command",
    );
    if (checkAfter) this.#schedule(resource, 0);
    return result;
  }

  /** Runs an operation after the resource's previous one and once a global slot is free. */
  #exclusive(resource: Resource, operation: Operation): Promise<AgentResult | null> {
    resource.pending++;
    const run = async (): Promise<AgentResult | null> => {
      if (resource.removed) return null;
      await this.#acquire();
      try {
        if (resource.removed) return null;
        const { config } = resource;
        const result = await runAgent(config.agent, operation, {
          timeoutMs: config.timeoutMs,
          ...(config.warnMs !== undefined ? { warnMs: config.warnMs } : {}),
          ...(this.#killGraceMs !== undefined ? { killGraceMs: this.#killGraceMs } : {}),
          ...(this.#paths ? { paths: this.#paths } : {}),
          signal: resource.abort.signal,
        });
        if (result.run?.slow)
          this.#log.warn(
            { resource: config.id, operation, durationMs: result.run.durationMs },
            "slow agent operation",
          );
        return result;
      } catch (err) {
        return operationFailed(resource.config.agent.class, operation, (err as Error).message);
      } finally {
        this.#release();
      }
    };
    const p = resource.tail.then(run);
    resource.tail = p.then(
      () => {
        resource.pending--;
      },
      () => {
        resource.pending--;
      },
    );
    return p;
  }

  #record(resource: Resource, current: AgentResult): void {
    if (resource.removed) return;
    const previous = resource.last;
    resource.last = current;
    resource.lastAt = Date.now();
    if (previous && previous.state === current.state && previous.code === current.code) return;
    this.#log.info(
      {
        resource: resource.config.id,
        from: previous?.state ?? null,
        to: current.state,
        reason: current.reason,
      },
      "resource state change",
    );
    try {
      this.#onChange(resource.config.id, previous, current);
    } catch (err) {
      this.#log.error({ err, resource: resource.config.id }, "onChange listener failed");
    }
  }

  #acquire(): Promise<void> {
    if (this.#running < this.#maxConcurrent) {
      this.#running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#queue.push(resolve));
  }

  #release(): void {
    const next = this.#queue.shift();
    // The slot passes straight to the next waiter.
    if (next) next();
    else this.#running--;
  }
}

function checkConfig(config: ResourceConfig, paths: Partial<AgentPaths> | undefined): void {
  buildCommand(config.agent, "monitor", { ...DEFAULT_PATHS, ...paths });
  for (const key of ["intervalMs", "timeoutMs"] as const) {
    if (!Number.isFinite(config[key]) || config[key] <= 0)
      throw new Error(`resource ${config.id}: ${key} must be a positive number`);
  }
}
