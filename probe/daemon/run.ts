import { randomBytes } from "node:crypto";
import { hostname as osHostname } from "node:os";
import { join } from "node:path";
import { UsageError } from "../../cli/errors.js";
import { keyDirOf } from "../../lib/data-dir.js";
import { ListenError } from "../../lib/listen.js";
import { createLogger } from "../../lib/log.js";
import { packageVersion } from "../../lib/package-root.js";
import type { ProtocolStack } from "../../protocol/stack.js";
import type { UdpAddress } from "../../protocol/transport.js";
import { openUdpStack, readPinnedKey } from "../../protocol/udp-stack.js";
import { liveContext } from "../discovery/discover.js";
import { checkHostname, checkMachineId, type ProbeIdentity } from "./identity.js";
import { ProbeDaemon } from "./probe-daemon.js";

export interface RunProbeOptions {
  cma: UdpAddress;
  cmaKeyFile: string;
  bind: UdpAddress;
  dataDir: string;
  machineId: string | null;
  hostname: string | null;
  statusFile: string | null;
}

function identityOf(
  options: RunProbeOptions,
  hostMachineId: string | null | undefined,
): ProbeIdentity {
  try {
    if (options.machineId !== null || options.hostname !== null) {
      return {
        machineId: checkMachineId(options.machineId ?? hostMachineId ?? "", "--machine-id"),
        hostname: checkHostname(options.hostname ?? osHostname(), "--hostname"),
        overridden: true,
      };
    }
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (!hostMachineId) {
    throw new UsageError("this host has no readable /etc/machine-id: give one with --machine-id");
  }
  return { machineId: hostMachineId, hostname: osHostname(), overridden: false };
}

const isMulticast = (address: string) => {
  const first = Number(address.split(".")[0]);
  return first >= 224 && first <= 239;
};

/** Runs the probe until SIGTERM or SIGINT. */
export async function runProbe(options: RunProbeOptions): Promise<void> {
  const log = createLogger({ service: "probe" });
  const context = liveContext();
  const identity = identityOf(options, context.machineId);
  let cmaKey: string;
  try {
    cmaKey = readPinnedKey(options.cmaKeyFile);
  } catch (error) {
    throw new UsageError(`--cma-key: ${(error as Error).message}`);
  }
  let stack: ProtocolStack;
  try {
    stack = await openUdpStack({
      keyDir: keyDirOf(options.dataDir),
      keyName: "probe",
      bind: options.bind,
      // Sessions only with the pinned CMA; heartbeats from anyone (a martian is worth reporting).
      admission: (key, kind) => kind === "heartbeat" || key === cmaKey,
      // Looking for the CMA by multicast: send it out of the interface we are bound to.
      ...(isMulticast(options.cma.address) && options.bind.address !== "0.0.0.0"
        ? { multicastInterface: options.bind.address }
        : {}),
    });
  } catch (error) {
    if (!(error instanceof ListenError)) throw error;
    throw new UsageError(`--bind: ${error.message}`, { cause: error });
  }
  const daemon = new ProbeDaemon({
    stack,
    cma: { key: cmaKey, address: options.cma },
    identity,
    context: { ...context, hostname: identity.hostname, machineId: identity.machineId },
    startId: randomBytes(8).toString("hex"),
    version: packageVersion(),
    log,
    statusFile: options.statusFile ?? join(options.dataDir, "probe-status.json"),
  });
  daemon.start();
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, "stopping");
      daemon.stop(`${signal} received`).then(resolve, (error: unknown) => {
        log.error({ err: String(error) }, "stop failed");
        resolve();
      });
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
}
