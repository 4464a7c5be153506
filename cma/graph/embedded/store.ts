/**
 * The embedded graph store: SQLite through better-sqlite3, in
 * <data-dir>/graph.sqlite, the zero-setup default.
 *
 * Durability: WAL journal. A transaction is committed when its commit record
 * is written to the WAL; the write() call returns after that. With
 * synchronous=NORMAL (the default) the WAL is written but not fsynced at each
 * commit: the bytes are in the kernel's page cache, so a kill -9 of this
 * process loses nothing committed (the kernel still writes them out), while a
 * power cut or kernel crash may lose the last commits, never corrupting the
 * database (WAL frames are checksummed; an incomplete tail is ignored on
 * recovery). With synchronous "full" every commit is fsynced before write()
 * returns, which also survives power loss, at the price of one fsync per
 * document. The choice is `durability` here and ASSIM_GRAPH_SYNC for the CLI.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { prepareQuery } from "../../queries/params.js";
import type {
  CountPair,
  GraphCounts,
  GraphSnapshot,
  GraphStore,
  GraphTransaction,
  Label,
  NodeRecord,
  QueryResult,
  RelationshipRecord,
  RelationshipType,
} from "../store.js";
import { Elements, readProps } from "./elements.js";
import { runEmbeddedQuery } from "./queries.js";
import { migrate } from "./schema.js";
import { EmbeddedTransaction } from "./transaction.js";

export const GRAPH_FILE = "graph.sqlite";

export type Durability = "normal" | "full";

export interface EmbeddedStoreOptions {
  /** The data directory (see lib/data-dir.ts); created when missing. */
  dataDir: string;
  /** "normal" (default): survives kill -9; "full": also survives power loss. */
  durability?: Durability;
}

export async function openEmbeddedStore(options: EmbeddedStoreOptions): Promise<EmbeddedStore> {
  mkdirSync(options.dataDir, { recursive: true });
  return new EmbeddedStore(join(options.dataDir, GRAPH_FILE), options.durability ?? "normal");
}

export class EmbeddedStore implements GraphStore {
  readonly adapter = "embedded";
  private readonly writer: Database.Database;
  private readonly reader: Database.Database;
  private readonly elements: Elements;
  /** Writes run one after another: they share the one write connection. */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    readonly file: string,
    durability: Durability,
  ) {
    this.writer = new Database(file);
    try {
      this.writer.pragma("journal_mode = WAL");
      this.writer.pragma(`synchronous = ${durability === "full" ? "FULL" : "NORMAL"}`);
      this.writer.pragma("busy_timeout = 10000");
      migrate(this.writer, file);
      this.elements = new Elements(this.writer);
      // Queries read committed data on their own connection, never a write in progress.
      this.reader = new Database(file, { readonly: true });
      this.reader.pragma("busy_timeout = 10000");
    } catch (error) {
      this.writer.close();
      throw error;
    }
  }

  write<T>(work: (tx: GraphTransaction) => Promise<T>): Promise<T> {
    const run = async () => {
      this.assertOpen();
      this.writer.exec("BEGIN IMMEDIATE");
      try {
        const result = await work(new EmbeddedTransaction(this.elements));
        this.writer.exec("COMMIT");
        return result;
      } catch (error) {
        if (this.writer.inTransaction) this.writer.exec("ROLLBACK");
        throw error;
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  async runQuery(
    name: string,
    params: Readonly<Record<string, unknown>> = {},
  ): Promise<QueryResult> {
    const prepared = prepareQuery(name, params);
    this.assertOpen();
    return runEmbeddedQuery(this.reader, prepared);
  }

  async counts(): Promise<GraphCounts> {
    this.assertOpen();
    const tally = (table: "nodes" | "rels", column: "label" | "type") =>
      this.reader
        .prepare(
          `SELECT ${column} AS name, count(*) FILTER (WHERE gone_since IS NULL) AS active,
                  count(*) FILTER (WHERE gone_since IS NOT NULL) AS retired
           FROM ${table} GROUP BY ${column} ORDER BY ${column}`,
        )
        .all() as ({ name: string } & CountPair)[];
    const pairs = (rows: ({ name: string } & CountPair)[]) =>
      Object.fromEntries(rows.map((r) => [r.name, { active: r.active, retired: r.retired }]));
    return {
      nodes: pairs(tally("nodes", "label")) as GraphCounts["nodes"],
      relationships: pairs(tally("rels", "type")) as GraphCounts["relationships"],
    };
  }

  async snapshot(): Promise<GraphSnapshot> {
    return this.readSnapshot(false);
  }

  async liveSnapshot(): Promise<GraphSnapshot> {
    return this.readSnapshot(true);
  }

  private readSnapshot(live: boolean): GraphSnapshot {
    this.assertOpen();
    const liveNodes = live ? "WHERE gone_since IS NULL" : "";
    const liveRels = live
      ? "WHERE r.gone_since IS NULL AND a.gone_since IS NULL AND b.gone_since IS NULL"
      : "";
    // One read transaction, so nodes and relationships are from the same commit.
    return this.reader.transaction(() => {
      const nodes = (
        this.reader
          .prepare(
            `SELECT label, key, props, first_seen, last_seen, gone_since FROM nodes ${liveNodes}
             ORDER BY label, key`,
          )
          .all() as (Omit<NodeRecord, "props"> & { props: string })[]
      ).map((n) => ({ ...n, props: readProps(n.props) }));
      const relationships = (
        this.reader
          .prepare(
            `SELECT r.type, a.label AS from_label, a.key AS from_key, b.label AS to_label,
                    b.key AS to_key, r.key, r.props, r.first_seen, r.last_seen, r.gone_since
             FROM rels AS r JOIN nodes AS a ON a.id = r.src JOIN nodes AS b ON b.id = r.dst
             ${liveRels}
             ORDER BY r.type, a.label, a.key, b.label, b.key, r.key`,
          )
          .all() as {
          type: RelationshipType;
          from_label: Label;
          from_key: string;
          to_label: Label;
          to_key: string;
          key: string;
          props: string;
          first_seen: string;
          last_seen: string;
          gone_since: string | null;
        }[]
      ).map(
        (r): RelationshipRecord => ({
          type: r.type,
          from: { label: r.from_label, key: r.from_key },
          to: { label: r.to_label, key: r.to_key },
          key: r.key,
          props: readProps(r.props),
          first_seen: r.first_seen,
          last_seen: r.last_seen,
          gone_since: r.gone_since,
        }),
      );
      return { nodes, relationships };
    })();
  }

  /** SQLite's own consistency check: "ok" when the file is sound. */
  integrityCheck(): string {
    this.assertOpen();
    return (this.reader.pragma("integrity_check") as { integrity_check: string }[])
      .map((row) => row.integrity_check)
      .join("; ");
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.queue;
    this.closed = true;
    this.reader.close();
    this.writer.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`the graph store ${this.file} is closed`);
  }
}
