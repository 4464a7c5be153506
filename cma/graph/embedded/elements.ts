/**
 * Batched upserts and retirements of nodes and relationships: the SQL that
 * every embedded operation is built from. One statement per batch (rows passed
 * as JSON to json_each), so a document costs a few statements, not one per row.
 */
import type Database from "better-sqlite3";
import type { Label, Props, RelationshipType } from "../store.js";

export interface RelRow {
  src: number;
  dst: number;
  key: string;
  props: Props;
}

/**
 * Properties are merged with json_patch (RFC 7396): a given value replaces the
 * stored one, null removes it, unlisted properties stay. A new row stores the
 * patch as given; its nulls are dropped when read (readProps), so they are
 * indistinguishable from absent properties, as on Neo4j.
 */
const UPSERT_NODES = `
INSERT INTO nodes (label, key, props, first_seen, last_seen)
SELECT @label, j.value ->> 'k', j.value -> 'p', @at, @at FROM json_each(@rows) AS j WHERE true
ON CONFLICT (label, key) DO UPDATE SET
  props = json_patch(nodes.props, excluded.props),
  first_seen = min(nodes.first_seen, excluded.first_seen),
  last_seen = max(nodes.last_seen, excluded.last_seen),
  gone_since = NULL
RETURNING id, key`;

const UPSERT_RELS = `
INSERT INTO rels (type, src, dst, key, props, first_seen, last_seen)
SELECT @type, j.value ->> 's', j.value ->> 'd', j.value ->> 'k', j.value -> 'p', @at, @at
FROM json_each(@rows) AS j WHERE true
ON CONFLICT (type, src, dst, key) DO UPDATE SET
  props = json_patch(rels.props, excluded.props),
  first_seen = min(rels.first_seen, excluded.first_seen),
  last_seen = max(rels.last_seen, excluded.last_seen),
  gone_since = NULL
RETURNING id`;

export class Elements {
  private readonly upsertNodesStatement: Database.Statement;
  private readonly upsertRelsStatement: Database.Statement;
  private readonly nodeIdStatement: Database.Statement;

  constructor(readonly db: Database.Database) {
    this.upsertNodesStatement = db.prepare(UPSERT_NODES);
    this.upsertRelsStatement = db.prepare(UPSERT_RELS);
    this.nodeIdStatement = db.prepare("SELECT id FROM nodes WHERE label = ? AND key = ?").pluck();
  }

  /** Upserts nodes of one label; returns key → row id. */
  upsertNodes(label: Label, nodes: readonly { key: string; props: Props }[], at: string) {
    const ids = new Map<string, number>();
    if (nodes.length === 0) return ids;
    const rows = JSON.stringify(nodes.map((n) => ({ k: n.key, p: n.props })));
    for (const row of this.upsertNodesStatement.all({ label, rows, at }) as {
      id: number;
      key: string;
    }[]) {
      ids.set(row.key, row.id);
    }
    return ids;
  }

  upsertNode(label: Label, key: string, props: Props, at: string): number {
    const id = this.upsertNodes(label, [{ key, props }], at).get(key);
    if (id === undefined) throw new Error(`upsert of ${label} ${key} returned no row`);
    return id;
  }

  /** Upserts relationships of one type; returns their row ids. */
  upsertRels(type: RelationshipType, rels: readonly RelRow[], at: string): number[] {
    if (rels.length === 0) return [];
    const rows = JSON.stringify(rels.map((r) => ({ s: r.src, d: r.dst, k: r.key, p: r.props })));
    return (this.upsertRelsStatement.all({ type, rows, at }) as { id: number }[]).map((r) => r.id);
  }

  nodeId(label: Label, key: string): number | undefined {
    return this.nodeIdStatement.get(label, key) as number | undefined;
  }

  /**
   * Retires the active relationships selected by `where` (SQL over alias r, with
   * named parameters) except the kept ids; returns the retired rows' src and dst.
   */
  retireRelsExcept(
    where: string,
    params: Record<string, unknown>,
    keep: readonly number[],
    at: string,
  ): { src: number; dst: number }[] {
    const sql = `UPDATE rels AS r SET gone_since = @at
      WHERE ${where} AND r.gone_since IS NULL
        AND r.id NOT IN (SELECT value FROM json_each(@keep))
      RETURNING src, dst`;
    return this.cached(sql).all({ ...params, at, keep: JSON.stringify(keep) }) as {
      src: number;
      dst: number;
    }[];
  }

  /** Retires the given nodes that are still active. */
  retireNodes(ids: readonly number[], at: string): void {
    if (ids.length === 0) return;
    this.cached(
      `UPDATE nodes SET gone_since = @at
       WHERE gone_since IS NULL AND id IN (SELECT value FROM json_each(@ids))`,
    ).run({ at, ids: JSON.stringify(ids) });
  }

  private readonly statements = new Map<string, Database.Statement>();

  /** A prepared statement, prepared once per connection. */
  cached(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

/** Stored properties as the interface gives them: JSON nulls dropped. */
export function readProps(text: string): Record<string, Props[string]> {
  const parsed = JSON.parse(text) as Record<string, Props[string]>;
  for (const [name, value] of Object.entries(parsed)) {
    if (value === null) delete parsed[name];
  }
  return parsed;
}
