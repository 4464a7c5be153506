/**
 * Where a node of a YAML document is written, by its key path, for messages
 * that name a line and column (configuration files, monitoring rules files).
 */
import {
  type Document,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  type LineCounter,
  visit,
} from "yaml";

export type KeyPath = (string | number)[];

export interface Position {
  line: number;
  column: number;
}

/** Path segments of a JSON pointer ("/cma/discovery/types/0" → ["cma", "discovery", "types", 0]). */
export function pointerPath(pointer: string): KeyPath {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/** "cma.discovery.types[0]". */
export function dottedPath(path: KeyPath): string {
  return path
    .map((part, index) =>
      typeof part === "number" ? `[${part}]` : index === 0 ? part : `.${part}`,
    )
    .join("");
}

function at(counter: LineCounter, offset: number): Position {
  const { line, col } = counter.linePos(offset);
  return { line, column: col };
}

/**
 * Where the value at path starts, or its nearest ancestor that exists. An
 * empty value (`cma:` and nothing) is pointed at by its key.
 */
export function valuePosition(doc: Document, counter: LineCounter, path: KeyPath): Position {
  for (let length = path.length; length >= 0; length--) {
    const node = length === 0 ? doc.contents : doc.getIn(path.slice(0, length), true);
    if (!isNode(node) || !node.range) continue;
    const key = path[length - 1];
    if (node.range[0] === node.range[1] && typeof key === "string") {
      return keyPosition(doc, counter, path.slice(0, length - 1), key);
    }
    return at(counter, node.range[0]);
  }
  return { line: 1, column: 1 };
}

/** Where the key `key` of the mapping at path is written (an unknown key is pointed at by name). */
export function keyPosition(
  doc: Document,
  counter: LineCounter,
  path: KeyPath,
  key: string,
): Position {
  const map = path.length === 0 ? doc.contents : doc.getIn(path, true);
  if (isMap(map)) {
    for (const pair of map.items) {
      if (isScalar(pair.key) && String(pair.key.value) === key && pair.key.range) {
        return at(counter, pair.key.range[0]);
      }
    }
  }
  return valuePosition(doc, counter, path);
}

/** The key path of the mapping key written at `offset` (a duplicate key has no other name). */
export function keyPathAt(doc: Document, offset: number): KeyPath | null {
  let found: KeyPath | null = null;
  visit(doc, {
    Pair(_, pair, ancestors) {
      if (!isScalar(pair.key) || pair.key.range?.[0] !== offset) return undefined;
      const path: KeyPath = [];
      ancestors.forEach((node, index) => {
        if (isPair(node) && isScalar(node.key)) path.push(String(node.key.value));
        const child = ancestors[index + 1];
        if (isSeq(node) && child !== undefined) path.push(node.items.indexOf(child as never));
      });
      path.push(String(pair.key.value));
      found = path;
      return visit.BREAK;
    },
  });
  return found;
}
