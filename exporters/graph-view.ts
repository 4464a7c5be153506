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

const id = (label: Label, key: string) => `${label}\u0000${key}`;

export interface Edge {
  /** The node at the other end. */
  node: NodeRecord;
  key: string;
  props: Record<string, PropValue>;
}

export class LiveGraph {
  private readonly nodes = new Map<string, NodeRecord>();
  private readonly outgoing = new Map<string, Edge[]>();
  private readonly incoming = new Map<string, Edge[]>();

  constructor(snapshot: GraphSnapshot) {
    for (const node of snapshot.nodes) {
      if (node.gone_since === null) this.nodes.set(id(node.label, node.key), node);
    }
    for (const r of snapshot.relationships) {
      if (r.gone_since !== null) continue;
      const from = this.nodes.get(id(r.from.label, r.from.key));
      const to = this.nodes.get(id(r.to.label, r.to.key));
      if (!from || !to) continue;
      push(this.outgoing, `${r.type}\u0000${id(from.label, from.key)}`, {
        node: to,
        key: r.key,
        props: r.props,
      });
      push(this.incoming, `${r.type}\u0000${id(to.label, to.key)}`, {
        node: from,
        key: r.key,
        props: r.props,
      });
    }
  }

  /** Live nodes of a label, in snapshot order (sorted by key). */
  all(label: Label): NodeRecord[] {
    return [...this.nodes.values()].filter((n) => n.label === label);
  }

  get(label: Label, key: string): NodeRecord | undefined {
    return this.nodes.get(id(label, key));
  }

  /** Live relationships of a type leaving this node, with the node they reach. */
  out(type: RelationshipType, from: NodeRecord): Edge[] {
    return this.outgoing.get(`${type}\u0000${id(from.label, from.key)}`) ?? [];
  }

  /** Live relationships of a type reaching this node, with the node they leave. */
  in(type: RelationshipType, to: NodeRecord): Edge[] {
    return this.incoming.get(`${type}\u0000${id(to.label, to.key)}`) ?? [];
  }
}

function push<V>(map: Map<string, V[]>, key: string, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
