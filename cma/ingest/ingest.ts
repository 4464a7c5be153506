/**
 * Discovery documents into the graph: each document is validated against its
 * schema, mapped to facts, and applied in ONE store transaction. A document
 * that fails validation is rejected whole (DocumentRejectedError) and writes
 * nothing; so does one whose transaction fails.
 */
import {
  assertValidDiscoveryDocument,
  type DiscoveryDocument,
  InvalidDocumentError,
} from "../../protocol/discovery-document.js";
import { hostSystemKey } from "../graph/keys.js";
import type { GraphStore } from "../graph/store.js";
import { DocumentRejectedError } from "./errors.js";
import { mapArpcache } from "./map/arpcache.js";
import type { DocumentContext, Mapper } from "./map/context.js";
import { mapCpu } from "./map/cpu.js";
import { mapMonitoringAgents } from "./map/monitoringagents.js";
import { mapNetconfig } from "./map/netconfig.js";
import { mapOs } from "./map/os.js";
import { mapPackages } from "./map/packages.js";
import { mapSwitch } from "./map/switch.js";
import { mapTcpdiscovery } from "./map/tcpdiscovery.js";

const MAPPERS: Readonly<Record<string, Mapper>> = {
  os: mapOs,
  cpu: mapCpu,
  netconfig: mapNetconfig,
  arpcache: mapArpcache,
  tcpdiscovery: mapTcpdiscovery,
  packages: mapPackages,
  monitoringagents: mapMonitoringAgents,
  switch: mapSwitch,
};

/** The discovery types the graph takes. */
export const INGESTED_TYPES: ReadonlySet<string> = new Set(Object.keys(MAPPERS));

export interface IngestOutcome {
  /** "stored", or "stale": older than the last document of its type from this host (nothing written). */
  status: "stored" | "stale";
  discovertype: string;
  host: string;
  system: string;
  at: string;
  /** Parts of the document that were skipped, and why. */
  warnings: string[];
}

const field = (doc: unknown, name: string): string => {
  const value =
    typeof doc === "object" && doc !== null ? (doc as Record<string, unknown>)[name] : undefined;
  return typeof value === "string" && value !== "" ? value.slice(0, 255) : "(unknown)";
};

/** Validates a document and resolves who and when it describes; throws DocumentRejectedError. */
export function checkDocument(doc: unknown): {
  document: DiscoveryDocument;
  context: DocumentContext;
} {
  const reject = (problems: string[]): never => {
    throw new DocumentRejectedError(field(doc, "discovertype"), field(doc, "host"), problems);
  };
  try {
    assertValidDiscoveryDocument(doc);
  } catch (error) {
    if (error instanceof InvalidDocumentError) return reject(error.problems);
    throw error;
  }
  if (!Object.hasOwn(MAPPERS, doc.discovertype)) {
    return reject([`the graph does not take "${doc.discovertype}" documents`]);
  }
  const machineId = doc.machine_id;
  if (!machineId) {
    return reject([
      "no machine_id in the envelope: the graph names each host by its machine id, not its hostname (run a probe that fills machine_id)",
    ]);
  }
  if (doc.discovertype === "os") {
    const reported = (doc.data as { machine_id: string | null }).machine_id;
    if (reported !== null && reported !== machineId) {
      return reject([
        `the envelope's machine_id ${machineId} differs from data.machine_id ${reported}`,
      ]);
    }
  }
  const at = new Date(doc.collected_at);
  if (Number.isNaN(at.getTime()))
    return reject([`collected_at "${doc.collected_at}" is not a time`]);
  return {
    document: doc,
    context: {
      system: hostSystemKey(machineId),
      machineId,
      host: doc.host,
      at: at.toISOString(),
    },
  };
}

/** Stores one discovery document (see the module comment). */
export async function ingestDocument(store: GraphStore, doc: unknown): Promise<IngestOutcome> {
  const { document, context } = checkDocument(doc);
  const mapper = MAPPERS[document.discovertype] as Mapper;
  let mapped: ReturnType<Mapper>;
  try {
    mapped = mapper(document, context);
  } catch (error) {
    // The schema let through something the mapper cannot take: a bug, but still one document's fault.
    throw new DocumentRejectedError(document.discovertype, document.host, [
      `cannot map: ${error instanceof Error ? error.message : String(error)}`,
    ]);
  }
  const outcome = (status: IngestOutcome["status"]): IngestOutcome => ({
    status,
    discovertype: document.discovertype,
    host: context.host,
    system: context.system,
    at: context.at,
    warnings: mapped.warnings,
  });
  return store.write(async (tx) => {
    const previous = await tx.documentSeenAt(context.system, document.discovertype);
    if (previous !== null && context.at < previous) return outcome("stale");
    await tx.upsertSystem(
      {
        key: context.system,
        kind: "host",
        props: { name: context.host, machine_id: context.machineId },
      },
      context.at,
    );
    await mapped.apply(tx);
    await tx.recordDocument(context.system, document.discovertype, context.at);
    return outcome("stored");
  });
}
