import { hostname } from "node:os";
import {
  assertValidDiscoveryDocument,
  type DiscoveryDocument,
} from "../../protocol/discovery-document.js";
import type { CollectContext, DiscoveryAgent } from "./agent.js";
import { boundedErrors, messageOf } from "./error-list.js";
import { readMachineIdSync } from "./os/machine-id.js";
import { runCommand } from "./run-command.js";

export const LOCAL_PROXY = "local/local";

export function liveContext(): CollectContext {
  return {
    hostname: hostname(),
    machineId: readMachineIdSync("/").id,
    procRoot: "/proc",
    sysRoot: "/sys",
    fsRoot: "/",
    run: runCommand,
  };
}

/**
 * Runs one agent and wraps its result in the envelope. The document is
 * validated before it leaves: an invalid one is an error here, never sent.
 */
export async function discover<D>(
  agent: DiscoveryAgent<D>,
  context: CollectContext,
): Promise<DiscoveryDocument<D>> {
  const collected = await agent.collect(context);
  const document: DiscoveryDocument<D> = {
    discovertype: agent.type,
    description: agent.description,
    host: context.hostname,
    ...(context.machineId ? { machine_id: context.machineId } : {}),
    source: collected.source,
    proxy: LOCAL_PROXY,
    collected_at: new Date().toISOString(),
    data: collected.data,
    errors: boundedErrors(collected.errors),
  };
  assertValidDiscoveryDocument(document);
  return document;
}

export type DiscoveryOutcome =
  | { type: string; ok: true; document: DiscoveryDocument; summary: string; elapsedMs: number }
  | { type: string; ok: false; error: string; elapsedMs: number };

/** Runs agents one after another (they are I/O-light; running in series keeps the host quiet). */
export async function* discoverAll(
  agents: readonly DiscoveryAgent[],
  context: CollectContext,
): AsyncGenerator<DiscoveryOutcome> {
  for (const agent of agents) {
    const started = performance.now();
    try {
      const document = await discover(agent, context);
      const elapsedMs = performance.now() - started;
      yield {
        type: agent.type,
        ok: true,
        document,
        summary: agent.summarize(document.data),
        elapsedMs,
      };
    } catch (error) {
      yield {
        type: agent.type,
        ok: false,
        error: messageOf(error),
        elapsedMs: performance.now() - started,
      };
    }
  }
}
