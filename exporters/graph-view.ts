/**
 * The live part of a graph snapshot, indexed for the record builders: only
 * nodes and relationships that are not retired (gone_since null), and only
 * relationships whose both ends are live.
 */
import type {
  GraphSnapshot,
  Label,
  NodeRecord,
  PropValue,
  RelationshipType,
} from "../cma/graph/store.js";

export interface Edge {
  /** The node at the other end. */
  node: NodeRecord;
  key: string;
  props: Record<string, PropValue>;
}

/** Edges by relationship type, per node (nodes are the snapshot's own objects). */
type Adjacency = Map<NodeRecord, Map<RelationshipType, Edge[]>>;

export class LiveGraph {
  /** Live nodes by label, then key, in snapshot order. */
  private readonly nodes = new Map<Label, Map<string, NodeRecord>>();
  private readonly outgoing: Adjacency = new Map();
  private readonly incoming: Adjacency = new Map();

  constructor(snapshot: GraphSnapshot) {
    for (const node of snapshot.nodes) {
      if (node.gone_since !== null) continue;
      const byKey = this.nodes.get(node.label) ?? new Map<string, NodeRecord>();
      this.nodes.set(node.label, byKey);
      byKey.set(node.key, node);
    }
    for (const r of snapshot.relationships) {
      if (r.gone_since !== null) continue;
      const from = this.get(r.from.label, r.from.key);
      const to = this.get(r.to.label, r.to.key);
      if (!from || !to) continue;
      push(this.outgoing, from, r.type, { node: to, key: r.key, props: r.props });
      push(this.incoming, to, r.type, { node: from, key: r.key, props: r.props });
    }
  }

  /** Live nodes of a label, in snapshot order (sorted by key). */
  all(label: Label): NodeRecord[] {
    return [...(this.nodes.get(label)?.values() ?? [])];
  }

  get(label: Label, key: string): NodeRecord | undefined {
    return this.nodes.get(label)?.get(key);
  }

  /** Live relationships of a type leaving this node, with the node they reach. */
  out(type: RelationshipType, from: NodeRecord): Edge[] {
    return (this.outgoing.get(from) ?? this.outgoing.get(this.own(from)))?.get(type) ?? [];
  }

  /** Live relationships of a type reaching this node, with the node they leave. */
  in(type: RelationshipType, to: NodeRecord): Edge[] {
    return (this.incoming.get(to) ?? this.incoming.get(this.own(to)))?.get(type) ?? [];
  }

  /** The snapshot's own object for a node (a caller may hold an equal copy). */
  private own(node: NodeRecord): NodeRecord {
    return this.get(node.label, node.key) ?? node;
  }
}

function push(map: Adjacency, node: NodeRecord, type: RelationshipType, edge: Edge): void {
  let byType = map.get(node);
  if (!byType) {
    byType = new Map();
    map.set(node, byType);
  }
  const list = byType.get(type);
  if (list) list.push(edge);
  else byType.set(type, [edge]);
}
