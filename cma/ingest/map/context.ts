import type { DiscoveryDocument } from "../../../protocol/discovery-document.js";
import type { GraphTransaction } from "../../graph/store.js";

/** Who and when a document describes, as ingest resolved it. */
export interface DocumentContext {
  /** System key of the host ("host:<machine id>"). */
  system: string;
  machineId: string;
  /** The envelope's host name. */
  host: string;
  /** Normalized observation time (ISO with milliseconds). */
  at: string;
}

/** Applies one document to the graph inside the ingest transaction. */
export type Apply = (tx: GraphTransaction) => Promise<void>;

export interface Mapped {
  apply: Apply;
  /** Parts of the document that were skipped, with why (the rest is stored). */
  warnings: string[];
}

/** One mapper per discovery type: pure computation of facts, then the operations that store them. */
export type Mapper = (document: DiscoveryDocument, context: DocumentContext) => Mapped;
