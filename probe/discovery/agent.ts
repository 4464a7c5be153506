import type { DiscoveryError } from "../../protocol/discovery-document.js";
import type { CommandRunner } from "./run-command.js";

/** Where a collector reads the live system; tests point the roots at fixtures. */
export interface CollectContext {
  hostname: string;
  procRoot: string;
  sysRoot: string;
  /** Root of /etc and /usr-style paths (os-release, init.d, OCF agents); "/" live. */
  fsRoot: string;
  run: CommandRunner;
  /**
   * The host's machine id, put on every document's envelope: the CMA names the
   * System by it (hostnames are not identities). Absent or null when unknown.
   */
  machineId?: string | null;
}

export interface Collected<D> {
  data: D;
  /** Human-readable origin of the data: files and commands read. */
  source: string;
  errors: DiscoveryError[];
}

/** One discovery type: a collector that reads the live system through a pure parser. */
export interface DiscoveryAgent<D = unknown> {
  readonly type: string;
  readonly description: string;
  collect(context: CollectContext): Promise<Collected<D>>;
  /** A few words on what was found, for progress output ("4 interfaces, 7 addresses"). */
  summarize(data: D): string;
}
