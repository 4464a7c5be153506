import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../../lib/log.js";
import type { DiscoveryDocument } from "../../protocol/discovery-document.js";
import type { ConfigBody } from "../../protocol/messages.js";
import { MessageRefusedError } from "../../protocol/transport.js";
import type { CollectContext } from "../discovery/agent.js";
import { discover } from "../discovery/discover.js";
import { isDiscoveryType, loadAgent } from "../discovery/registry.js";
import { SECONDS_VARIABLE } from "../discovery/switch/options.js";

export interface DiscoveryLoopOptions {
  context: CollectContext;
  /** Stamps the probe's identity on each document (see identity.ts). */
  stamp: (document: DiscoveryDocument) => DiscoveryDocument;
  /** Sends one document; resolves once the CMA has stored it. */
  send: (document: DiscoveryDocument) => Promise<void>;
  log: Logger;
}

/** What a document says, without when it was collected: equal digests mean nothing changed. */
function contentDigest(document: DiscoveryDocument): string {
  return createHash("sha256")
    .update(JSON.stringify([document.host, document.machine_id, document.data]))
    .digest("hex");
}

/**
 * Runs the discovery types the CMA configured, one after another, again every
 * interval, and sends a document only when its content changed since the last
 * one the CMA acknowledged (or refused: resending a refused document as it is
 * would be refused again).
 */
export class DiscoveryLoop {
  private readonly sent = new Map<string, string>();
  private config: ConfigBody["discovery"] | null = null;
  private readonly controller = new AbortController();
  private running: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(private readonly options: DiscoveryLoopOptions) {}

  configure(config: ConfigBody["discovery"]): void {
    this.config = config;
    if (!this.running) this.running = this.loop();
    else this.wake?.();
  }

  /** Forget what was sent, so everything is sent again (the CMA lost it). */
  resendAll(): void {
    this.sent.clear();
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.controller.abort();
    this.wake?.();
    await this.running;
  }

  private async loop(): Promise<void> {
    const { signal } = this.controller;
    while (!signal.aborted) {
      const config = this.config;
      if (config) await this.pass(config, signal);
      if (signal.aborted) break;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        sleep((config?.interval_s ?? 60) * 1000, undefined, { signal, ref: false }).then(
          () => resolve(),
          () => resolve(),
        );
      });
      this.wake = null;
    }
  }

  private async pass(config: ConfigBody["discovery"], signal: AbortSignal): Promise<void> {
    process.env[SECONDS_VARIABLE] = String(config.switch_seconds);
    for (const type of config.types) {
      if (signal.aborted) return;
      if (!isDiscoveryType(type)) {
        this.options.log.warn({ type }, "the CMA asked for an unknown discovery type");
        continue;
      }
      let document: DiscoveryDocument;
      try {
        document = this.options.stamp(await discover(await loadAgent(type), this.options.context));
      } catch (error) {
        this.options.log.error({ type, err: String(error) }, "discovery failed");
        continue;
      }
      const digest = contentDigest(document);
      if (this.sent.get(type) === digest) continue;
      try {
        await this.options.send(document);
        this.options.log.info({ type }, "discovery document stored by the CMA");
      } catch (error) {
        if (signal.aborted) return;
        if (!(error instanceof MessageRefusedError)) {
          this.options.log.warn({ type, err: String(error) }, "discovery document not delivered");
          continue;
        }
        this.options.log.error(
          { type, reason: error.message },
          "the CMA refused a discovery document",
        );
      }
      this.sent.set(type, digest);
    }
  }
}
