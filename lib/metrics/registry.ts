/**
 * A registry of its own per process part (never prom-client's global one), so
 * tests and several instances in one process do not clash over metric names.
 */
import { collectDefaultMetrics, Registry } from "prom-client";

export const METRIC_PREFIX = "assim_";

interface MetricsRegistryOptions {
  /** Node.js process metrics (CPU, memory, event loop lag, GC) as assim_process_* and assim_nodejs_*; default true. */
  processMetrics?: boolean;
}

export function createMetricsRegistry(options: MetricsRegistryOptions = {}): Registry {
  const registry = new Registry();
  if (options.processMetrics ?? true) {
    collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  }
  return registry;
}
