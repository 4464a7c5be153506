/**
 * The Neo4j graph store: neo4j-driver over Bolt, the system of record in
 * production (NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE).
 *
 * Every write() is one managed transaction (session.executeWrite, which retries
 * transient failures such as deadlocks by running the work again); writes are
 * serialized in this process. Uniqueness constraints on every label's key are
 * created at open, so MERGE can never make a second node with the same identity.
 * A commit is durable when write() resolves: Neo4j has forced its transaction log.
 */
import neo4j, { type Driver, type ManagedTransaction } from "neo4j-driver";
import { prepareQuery } from "../../queries/params.js";
import {
  type CountPair,
  type GraphCounts,
  type GraphSnapshot,
  type GraphStore,
  type GraphTransaction,
  LABELS,
  type Label,
  type NodeRecord,
  type QueryResult,
  RELATIONSHIP_TYPES,
  type RelationshipRecord,
  type RelationshipType,
} from "../store.js";
import { Elements } from "./elements.js";
import { countByLabel, runNeo4jQuery } from "./queries.js";
import { DOCUMENT_LABEL, SCHEMA_STATEMENTS } from "./schema.js";
import { Neo4jTransaction } from "./transaction.js";
import { compareCodePoints, compareValues, fromNeo4j, propsOf } from "./values.js";

export interface Neo4jStoreOptions {
  /** bolt://host:port or neo4j://host:port */
  uri: string;
  /** Defaults to "neo4j" when a password is given. */
  user?: string;
  /** No password: connect without authentication (a DBMS with auth off). */
  password?: string;
  /** Defaults to "neo4j", Community's one user database. */
  database?: string;
}

/** The store the environment asks for: NEO4J_URI set, or undefined (use the embedded store). */
export function neo4jOptionsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): Neo4jStoreOptions | undefined {
  const uri = env.NEO4J_URI?.trim();
  if (!uri) return undefined;
  return {
    uri,
    user: env.NEO4J_USER?.trim() || undefined,
    password: env.NEO4J_PASSWORD || undefined,
    database: env.NEO4J_DATABASE?.trim() || undefined,
  };
}

export async function openNeo4jStore(options: Neo4jStoreOptions): Promise<Neo4jStore> {
  if (!/^(bolt|neo4j)(\+s|\+ssc)?:\/\//.test(options.uri)) {
    throw new Error(`NEO4J_URI must be a bolt:// or neo4j:// URI, got "${options.uri}"`);
  }
  const auth =
    options.password !== undefined
      ? neo4j.auth.basic(options.user ?? "neo4j", options.password)
      : undefined;
  const driver = neo4j.driver(options.uri, auth, { userAgent: "assim" });
  const database = options.database ?? "neo4j";
  try {
    await driver.getServerInfo({ database });
  } catch (error) {
    await driver.close();
    throw new Error(`cannot reach Neo4j at ${options.uri}: ${(error as Error).message}`);
  }
  const store = new Neo4jStore(driver, database, options.uri);
  try {
    await store.createSchema();
  } catch (error) {
    await driver.close();
    throw error;
  }
  return store;
}

export class Neo4jStore implements GraphStore {
  readonly adapter = "neo4j";
  /** Writes run one after another, as on the embedded store. */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly driver: Driver,
    readonly database: string,
    readonly uri: string,
  ) {}

  /** Constraints and indexes (IF NOT EXISTS), then waits until every index is online. */
  async createSchema(): Promise<void> {
    for (const statement of SCHEMA_STATEMENTS) {
      await this.driver.executeQuery(statement, {}, { database: this.database });
    }
    await this.driver.executeQuery("CALL db.awaitIndexes(300)", {}, { database: this.database });
  }

  write<T>(work: (tx: GraphTransaction) => Promise<T>): Promise<T> {
    const run = async () => {
      this.assertOpen();
      const session = this.driver.session({
        database: this.database,
        defaultAccessMode: neo4j.session.WRITE,
      });
      try {
        return await session.executeWrite((tx) => work(new Neo4jTransaction(new Elements(tx))));
      } finally {
        await session.close();
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async read<T>(work: (tx: ManagedTransaction) => Promise<T>): Promise<T> {
    this.assertOpen();
    const session = this.driver.session({
      database: this.database,
      defaultAccessMode: neo4j.session.READ,
    });
    try {
      return await session.executeRead(work);
    } finally {
      await session.close();
    }
  }

  async runQuery(
    name: string,
    params: Readonly<Record<string, unknown>> = {},
  ): Promise<QueryResult> {
    const prepared = prepareQuery(name, params);
    return this.read((tx) => runNeo4jQuery(tx, prepared));
  }

  async counts(): Promise<GraphCounts> {
    const countByType = RELATIONSHIP_TYPES.map(
      (type) => `MATCH ()-[r:${type}]->()
        WITH count(r) AS total, count(r.gone_since) AS retired WHERE total > 0
        RETURN '${type}' AS label, total - retired AS active, retired`,
    ).join("\nUNION ALL\n");
    // Keys in code-point order of the names, as the embedded store lists them.
    const pairs = (records: { get(key: string): unknown }[]) =>
      Object.fromEntries(
        records
          .map((record): [string, CountPair] => [
            record.get("label") as string,
            {
              active: fromNeo4j(record.get("active")) as number,
              retired: fromNeo4j(record.get("retired")) as number,
            },
          ])
          .sort(([a], [b]) => compareCodePoints(a, b)),
      );
    return this.read(async (tx) => ({
      nodes: pairs((await tx.run(countByLabel())).records) as GraphCounts["nodes"],
      relationships: pairs((await tx.run(countByType)).records) as GraphCounts["relationships"],
    }));
  }

  async snapshot(): Promise<GraphSnapshot> {
    return this.readSnapshot(false);
  }

  async liveSnapshot(): Promise<GraphSnapshot> {
    return this.readSnapshot(true);
  }

  private async readSnapshot(live: boolean): Promise<GraphSnapshot> {
    const liveNodes = live ? "AND n.gone_since IS NULL" : "";
    const liveRels = live
      ? "AND r.gone_since IS NULL AND a.gone_since IS NULL AND b.gone_since IS NULL"
      : "";
    // One read transaction, so nodes and relationships are from the same commit.
    return this.read(async (tx) => {
      const nodeResult = await tx.run(
        `MATCH (n) WHERE any(l IN labels(n) WHERE l IN $labels) ${liveNodes}
         RETURN [l IN labels(n) WHERE l IN $labels][0] AS label, properties(n) AS p`,
        { labels: [...LABELS] },
      );
      const nodes = nodeResult.records.map((record): NodeRecord => {
        const p = record.get("p") as Record<string, unknown>;
        return {
          label: record.get("label") as Label,
          key: p.key as string,
          props: propsOf(p),
          first_seen: p.first_seen as string,
          last_seen: p.last_seen as string,
          gone_since: (p.gone_since as string | undefined) ?? null,
        };
      });
      const relResult = await tx.run(
        `MATCH (a)-[r]->(b) WHERE type(r) IN $types ${liveRels}
         RETURN type(r) AS type, [l IN labels(a) WHERE l IN $labels][0] AS fromLabel,
           a.key AS fromKey, [l IN labels(b) WHERE l IN $labels][0] AS toLabel, b.key AS toKey,
           properties(r) AS p`,
        { types: [...RELATIONSHIP_TYPES], labels: [...LABELS] },
      );
      const relationships = relResult.records.map((record): RelationshipRecord => {
        const p = record.get("p") as Record<string, unknown>;
        return {
          type: record.get("type") as RelationshipType,
          from: { label: record.get("fromLabel") as Label, key: record.get("fromKey") as string },
          to: { label: record.get("toLabel") as Label, key: record.get("toKey") as string },
          key: p.key as string,
          props: propsOf(p),
          first_seen: p.first_seen as string,
          last_seen: p.last_seen as string,
          gone_since: (p.gone_since as string | undefined) ?? null,
        };
      });
      nodes.sort((a, b) => compareCodePoints(a.label, b.label) || compareCodePoints(a.key, b.key));
      relationships.sort(
        (a, b) =>
          compareCodePoints(a.type, b.type) ||
          compareCodePoints(a.from.label, b.from.label) ||
          compareCodePoints(a.from.key, b.from.key) ||
          compareCodePoints(a.to.label, b.to.label) ||
          compareCodePoints(a.to.key, b.to.key) ||
          compareValues(a.key, b.key),
      );
      return { nodes, relationships };
    });
  }

  /**
   * Deletes every node and relationship of the graph and the document bookkeeping
   * (constraints and indexes stay). For tests, which share one DBMS per file.
   */
  async deleteEverything(): Promise<void> {
    this.assertOpen();
    await this.queue;
    const session = this.driver.session({ database: this.database });
    try {
      await session.run(
        `MATCH (n) WHERE any(l IN labels(n) WHERE l IN $labels)
         CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS`,
        { labels: [...LABELS, DOCUMENT_LABEL] },
      );
    } finally {
      await session.close();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.queue;
    this.closed = true;
    await this.driver.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`the Neo4j graph store at ${this.uri} is closed`);
  }
}
