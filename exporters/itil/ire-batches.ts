/**
 * An IRE payload split into payloads of a bounded size, for fleets whose whole
 * payload no instance would take in one request (100,000 hosts make several
 * hundred megabytes). A CI the IRE cannot identify on its own (a NIC or an
 * address owned by its host, an application running on it) travels with the
 * CI it depends on: a host, its NICs, addresses and applications are one unit,
 * never split. Units are packed into batches in payload order. A relation
 * between two units goes with its parent's unit; when the child is in another
 * batch, a copy of the child and of what identifies it (an application's host)
 * goes along, so that every batch is a payload the IRE can reconcile alone: the
 * IRE identifies the copy as the same CI (same identifiers, same source key).
 */
import { type IreItem, type IrePayload, type IreRelation, RELATION } from "./servicenow.js";

/** Items per batch by default: well under what an instance takes in one request. */
export const IRE_BATCH_ITEMS = 1000;

/** Relations that make their item dependent on another: the item, then the one it depends on. */
function dependency(relation: IreRelation): [number, number] | undefined {
  // "Runs on::Runs": the application (parent) runs on the server (child).
  if (relation.type === RELATION.runsOn) return [relation.parent, relation.child];
  // "Owns::Owned by": the host owns its NIC, the NIC its address.
  if (relation.type === RELATION.owns) return [relation.child, relation.parent];
  return undefined;
}

/** The unit of every item: a union of items joined by dependencies and references. */
function unitsOf(payload: IrePayload): number[] {
  const parent = payload.items.map((_, i) => i);
  const find = (i: number): number => {
    let root = i;
    while (parent[root] !== root) root = parent[root] as number;
    for (let at = i; parent[at] !== root; ) {
      const next = parent[at] as number;
      parent[at] = root;
      at = next;
    }
    return root;
  };
  const join = (a: number, b: number) => {
    const [ra, rb] = [find(a), find(b)];
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  for (const relation of payload.relations) {
    const pair = dependency(relation);
    if (pair) join(...pair);
  }
  const indexOf = new Map(payload.items.map((item, i) => [item.internal_id, i]));
  for (const reference of payload.referenceItems) {
    const [a, b] = [indexOf.get(reference.referenced), indexOf.get(reference.referencedBy)];
    if (a !== undefined && b !== undefined) join(a, b);
  }
  return payload.items.map((_, i) => find(i));
}

interface Batch {
  /** The payload's items in this batch (its own, then copies), as payload indices. */
  items: Set<number>;
  relations: IreRelation[];
}

/** Splits a payload into payloads of at most `maxItems` items (a larger unit is a batch alone). */
export function ireBatches(payload: IrePayload, maxItems = IRE_BATCH_ITEMS): IrePayload[] {
  if (!Number.isInteger(maxItems) || maxItems < 1) {
    throw new Error(`an IRE batch holds at least 1 item, not ${maxItems}`);
  }
  const unit = unitsOf(payload);
  const members = new Map<number, number[]>();
  unit.forEach((root, i) => {
    const list = members.get(root);
    if (list) list.push(i);
    else members.set(root, [i]);
  });

  const batches: Batch[] = [];
  const batchOf: number[] = [];
  let current: Batch | undefined;
  for (const items of members.values()) {
    if (!current || (current.items.size > 0 && current.items.size + items.length > maxItems)) {
      current = { items: new Set(), relations: [] };
      batches.push(current);
    }
    for (const i of items) {
      current.items.add(i);
      batchOf[i] = batches.length - 1;
    }
  }

  // What identifies an item: the items it depends on, transitively (an application's host).
  const dependsOn = new Map<number, number[]>();
  for (const relation of payload.relations) {
    const pair = dependency(relation);
    if (!pair) continue;
    const list = dependsOn.get(pair[0]);
    if (list) list.push(pair[1]);
    else dependsOn.set(pair[0], [pair[1]]);
  }
  const dependencyRelations = new Map<number, IreRelation[]>();
  for (const relation of payload.relations) {
    const pair = dependency(relation);
    if (!pair) continue;
    const list = dependencyRelations.get(pair[0]);
    if (list) list.push(relation);
    else dependencyRelations.set(pair[0], [relation]);
  }

  /** Adds a copy of item i (and what identifies it) to a batch it is not in. */
  const bringInto = (batch: Batch, i: number) => {
    if (batch.items.has(i)) return;
    batch.items.add(i);
    for (const needed of dependsOn.get(i) ?? []) bringInto(batch, needed);
    for (const relation of dependencyRelations.get(i) ?? []) batch.relations.push(relation);
  };

  for (const relation of payload.relations) {
    const batch = batches[batchOf[relation.parent] as number] as Batch;
    bringInto(batch, relation.child);
    batch.relations.push(relation);
  }

  // A NIC's or an address's reference to its owner goes with the unit, in the unit's batch.
  const indexOf = new Map(payload.items.map((item, i) => [item.internal_id, i]));
  const references = batches.map((): IrePayload["referenceItems"] => []);
  for (const reference of payload.referenceItems) {
    const by = indexOf.get(reference.referencedBy);
    if (by !== undefined) references[batchOf[by] as number]?.push(reference);
  }

  return batches.map((batch, b) => {
    // The batch's own items in payload order, then the copies: one batch is the payload itself.
    const keys = [...batch.items.keys()];
    const order = [
      ...keys.filter((i) => batchOf[i] === b).sort((x, y) => x - y),
      ...keys.filter((i) => batchOf[i] !== b),
    ];
    const position = new Map(order.map((i, k) => [i, k]));
    const local = (i: number) => position.get(i) as number;
    return {
      items: order.map((i) => {
        const item = payload.items[i] as IreItem;
        if (batchOf[i] === b || item.related === undefined) return item;
        // A copy identifies the CI; its related entries (packages) go with the original.
        const { related: _, ...copy } = item;
        return copy;
      }),
      referenceItems: references[b] as IrePayload["referenceItems"],
      relations: dedupe(batch.relations).map((r) => ({
        parent: local(r.parent),
        child: local(r.child),
        type: r.type,
      })),
    };
  });
}

function dedupe(relations: IreRelation[]): IreRelation[] {
  const seen = new Set<string>();
  return relations.filter((r) => {
    const key = `${r.parent} ${r.child} ${r.type}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
