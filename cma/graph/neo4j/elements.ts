/**
 * Batched upserts and retirements of nodes and relationships in Cypher: the
 * statements every Neo4j operation is built from. One UNWIND … MERGE statement
 * per batch, so a document costs a few round trips, not one per row.
 *
 * Labels and relationship types cannot be query parameters; they come only from
 * the fixed lists in ../store.ts, never from data.
 */
import type { ManagedTransaction } from "neo4j-driver";
import {
  LABELS,
  type Label,
  type Props,
  RELATIONSHIP_TYPES,
  type RelationshipType,
} from "../store.js";
import { toNeo4jParam, toNeo4jProps } from "./values.js";

export interface RelRow {
  from: string;
  to: string;
  key: string;
  props: Props;
}

/** first_seen keeps the earliest observation, last_seen the latest; any upsert revives. */
const SEEN = (v: string) => `
  ON CREATE SET ${v}.first_seen = $at, ${v}.last_seen = $at
  ON MATCH SET
    ${v}.first_seen = CASE WHEN $at < ${v}.first_seen THEN $at ELSE ${v}.first_seen END,
    ${v}.last_seen = CASE WHEN $at > ${v}.last_seen THEN $at ELSE ${v}.last_seen END`;

function label(name: Label): Label {
  if (!LABELS.includes(name)) throw new Error(`unknown label ${name}`);
  return name;
}

function relType(name: RelationshipType): RelationshipType {
  if (!RELATIONSHIP_TYPES.includes(name)) throw new Error(`unknown relationship type ${name}`);
  return name;
}

export class Elements {
  constructor(readonly tx: ManagedTransaction) {}

  /** Runs one statement; records as plain objects (values as the driver gives them). */
  async run(
    cypher: string,
    params: Record<string, unknown> = {},
  ): Promise<Record<string, unknown>[]> {
    const converted: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(params)) {
      converted[name] = toNeo4jParam(value, name);
    }
    const result = await this.tx.run(cypher, converted);
    return result.records.map((record) => record.toObject() as Record<string, unknown>);
  }

  async upsertNodes(
    nodeLabel: Label,
    nodes: readonly { key: string; props: Props }[],
    at: string,
  ): Promise<void> {
    if (nodes.length === 0) return;
    const rows = nodes.map((n) => ({
      key: n.key,
      props: toNeo4jProps(n.props, `${nodeLabel} ${n.key}`),
    }));
    await this.tx.run(
      `UNWIND $rows AS row
       MERGE (n:${label(nodeLabel)} {key: row.key}) ${SEEN("n")}
       SET n += row.props
       REMOVE n.gone_since`,
      { rows, at },
    );
  }

  /** Upserts relationships of one type between nodes that must exist; returns their ids. */
  async upsertRels(
    type: RelationshipType,
    fromLabel: Label,
    toLabel: Label,
    rels: readonly RelRow[],
    at: string,
  ): Promise<string[]> {
    if (rels.length === 0) return [];
    const rows = rels.map((r) => ({
      from: r.from,
      to: r.to,
      key: r.key,
      props: toNeo4jProps(r.props, `${type} ${r.from} -> ${r.to}`),
    }));
    const result = await this.tx.run(
      `UNWIND $rows AS row
       MATCH (a:${label(fromLabel)} {key: row.from})
       MATCH (b:${label(toLabel)} {key: row.to})
       MERGE (a)-[r:${relType(type)} {key: row.key}]->(b) ${SEEN("r")}
       SET r += row.props
       REMOVE r.gone_since
       RETURN elementId(r) AS id`,
      { rows, at },
    );
    if (result.records.length !== rows.length) {
      throw new Error(
        `${type}: ${rows.length - result.records.length} of ${rows.length} relationships have no ${fromLabel} or ${toLabel} at an end`,
      );
    }
    return result.records.map((record) => record.get("id") as string);
  }

  /**
   * Retires the active relationships `r` that `match` binds (Cypher with
   * parameters), except the kept ids; returns the keys of their end nodes.
   */
  async retireRelsExcept(
    match: string,
    params: Record<string, unknown>,
    keep: readonly string[],
    at: string,
  ): Promise<{ from: string; to: string }[]> {
    const rows = await this.run(
      `${match}
       WITH DISTINCT r WHERE r.gone_since IS NULL AND NOT elementId(r) IN $keep
       SET r.gone_since = $at
       RETURN startNode(r).key AS from, endNode(r).key AS to`,
      { ...params, keep: [...keep], at },
    );
    return rows as { from: string; to: string }[];
  }

  /** Active relationship ids that `match` binds as `r`. */
  async activeIds(match: string, params: Record<string, unknown>): Promise<string[]> {
    const rows = await this.run(
      `${match}
       WITH DISTINCT r WHERE r.gone_since IS NULL
       RETURN elementId(r) AS id`,
      params,
    );
    return rows.map((row) => row.id as string);
  }

  /** Retires the given nodes that are still active. */
  async retireNodes(nodeLabel: Label, keys: readonly string[], at: string): Promise<void> {
    if (keys.length === 0) return;
    await this.run(
      `UNWIND $keys AS key
       MATCH (n:${label(nodeLabel)} {key: key}) WHERE n.gone_since IS NULL
       SET n.gone_since = $at`,
      { keys: [...keys], at },
    );
  }
}
