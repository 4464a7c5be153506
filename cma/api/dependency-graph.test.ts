/**
 * /api/graph over real HTTP, for a world built with the store operations: more
 * live hosts than GRAPH_MAX_HOSTS, hosts that share a name, a nameless host,
 * hostile names, a retired host, a switch and a loopback dependency. The
 * answer is pinned whole, on the embedded store and on a real Neo4j, and it
 * takes two catalogue queries, not one per host.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { withNeo4j } from "../../test/support/neo4j.js";
import { openEmbeddedStore } from "../graph/embedded/store.js";
import { hostSystemKey, switchSystemKey } from "../graph/keys.js";
import { openNeo4jStore } from "../graph/neo4j/store.js";
import type { GraphStore, IpPortFacts, ProcessFacts } from "../graph/store.js";
import { ipPortFacts } from "../ingest/map/addresses.js";
import { dependencyGraph, GRAPH_MAX_HOSTS } from "./dependency-graph.js";
import { startApiServer } from "./server.js";

const AT = "2026-03-01T10:00:00.000Z";
const LATER = "2026-03-01T11:00:00.000Z";

const key = (n: number) => hostSystemKey(n.toString(16).padStart(32, "0"));
/** Named hosts; their keys sort in this order too (D1 before D2 matters: both are "db"). */
const NAMELESS = key(1);
const PROTO = key(2);
const CACHE = key(3);
const D1 = key(4);
const D2 = key(5);
const HOSTILE = key(6);
const WEB = key(7);
const OUTSIDE = key(8);
const RETIRED = key(9);
const filler = (i: number) => key(0x1000 + i);
const HOSTILE_NAME = `o'brien "q"\nx`;
const QUOTED_PROCESS = `it's "quoted"\nline`;
/** Live hosts before "zz-outside" in name order: the seven above and these. */
const FILLERS = GRAPH_MAX_HOSTS - 7;

/** A listener or a connection target at a host's own address (same IPPort node both ways). */
function at(system: string, port: number): IpPortFacts {
  const n = Number.parseInt(system.slice(-4), 16);
  const facts = ipPortFacts({ proto: "tcp", addr: `10.9.${n >> 8}.${n & 255}`, port }, system);
  if (!facts) throw new Error("no port facts");
  return facts;
}

function proc(
  system: string,
  name: string | null,
  listen: IpPortFacts[],
  clients: IpPortFacts[],
): ProcessFacts {
  return { key: `proc:${system}:${name ?? "nameless"}`, props: { name }, listen, clients };
}

async function buildWorld(store: GraphStore): Promise<void> {
  const hosts: [string, string | null][] = [
    [NAMELESS, null],
    [PROTO, "__proto__"],
    [CACHE, "cache"],
    [D1, "db"],
    [D2, "db"],
    [HOSTILE, HOSTILE_NAME],
    [WEB, "web"],
    [OUTSIDE, "zz-outside"],
    [RETIRED, "retired"],
    ...Array.from({ length: FILLERS }, (_, i): [string, string] => [
      filler(i),
      `filler-${String(i).padStart(3, "0")}`,
    ]),
  ];
  const processes: [string, ProcessFacts[]][] = [
    [NAMELESS, [proc(NAMELESS, "agent", [], [at(D1, 5432)])]],
    [PROTO, [proc(PROTO, "client", [], [at(CACHE, 11211)])]],
    [CACHE, [proc(CACHE, "memcached", [at(CACHE, 11211)], [])]],
    [D1, [proc(D1, "postgres", [at(D1, 5432)], []), proc(D1, null, [at(D1, 6432)], [])]],
    [D2, [proc(D2, "postgres", [at(D2, 5432)], [])]],
    [
      HOSTILE,
      [
        proc(HOSTILE, "__proto__", [at(HOSTILE, 8080)], [at(D2, 5432)]),
        proc(HOSTILE, QUOTED_PROCESS, [at(HOSTILE, 8081)], []),
      ],
    ],
    [
      WEB,
      [
        proc(
          WEB,
          "app",
          [at(WEB, 6379)],
          [
            at(OUTSIDE, 443),
            at(D1, 5432),
            at(D2, 5432),
            at(WEB, 6379),
            at(D1, 6432),
            at(RETIRED, 9000),
            at(CACHE, 11211),
          ],
        ),
        proc(WEB, "nginx", [], [at(HOSTILE, 8080), at(HOSTILE, 8081)]),
        proc(WEB, "worker", [], [at(D1, 5432)]),
      ],
    ],
    [OUTSIDE, [proc(OUTSIDE, "api", [at(OUTSIDE, 443)], [at(D1, 5432)])]],
    [RETIRED, [proc(RETIRED, "legacy", [at(RETIRED, 9000)], [])]],
    [filler(0), [proc(filler(0), "job", [], [at(OUTSIDE, 443)])]],
  ];
  await store.write(async (tx) => {
    for (const [system, name] of hosts) {
      await tx.upsertSystem({ key: system, kind: "host", props: { name } }, AT);
    }
    await tx.upsertSystem(
      { key: switchSystemKey("00:1b:2c:3d:4e:5f"), kind: "switch", props: { name: "aaa-switch" } },
      AT,
    );
    for (const [system, list] of processes) await tx.replaceProcesses(system, list, AT);
    for (const [system] of processes) await tx.linkDependencies(system, AT);
    await tx.setSystemStatus(D2, "down", "HB_DEAD", LATER);
    // Its dependencies stay in the graph; the host does not.
    await tx.retireSystem(RETIRED, LATER);
  });
}

const EXPECTED = {
  nodes: [
    { id: NAMELESS, name: "", status: "up" },
    { id: PROTO, name: "__proto__", status: "up" },
    { id: CACHE, name: "cache", status: "up" },
    { id: D1, name: "db", status: "up" },
    { id: D2, name: "db", status: "down" },
    ...Array.from({ length: FILLERS }, (_, i) => ({
      id: filler(i),
      name: `filler-${String(i).padStart(3, "0")}`,
      status: "up",
    })),
    { id: HOSTILE, name: HOSTILE_NAME, status: "up" },
    { id: WEB, name: "web", status: "up" },
  ],
  // By client host, then in the order its rows come (process name, proto, port, ...):
  // web's "app" reaches both dbs on 5432 before cache on 11211, then "nginx" the hostile host.
  edges: [
    { source: NAMELESS, target: D1, services: ["postgres tcp/5432"] },
    { source: PROTO, target: CACHE, services: ["memcached tcp/11211"] },
    { source: HOSTILE, target: D2, services: ["postgres tcp/5432"] },
    { source: WEB, target: D1, services: [" tcp/6432", "postgres tcp/5432"] },
    { source: WEB, target: D2, services: ["postgres tcp/5432"] },
    { source: WEB, target: CACHE, services: ["memcached tcp/11211"] },
    {
      source: WEB,
      target: HOSTILE,
      services: ["__proto__ tcp/8080", `${QUOTED_PROCESS} tcp/8081`],
    },
  ],
  truncated: true,
};

function graphTests(open: () => Promise<GraphStore>): void {
  it("answers the first GRAPH_MAX_HOSTS live hosts and the dependencies between them", async () => {
    const store = await open();
    await buildWorld(store);
    const server = await startApiServer({ store, port: 0 });
    try {
      const response = await fetch(`${server.url}/api/graph`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as typeof EXPECTED;
      expect(body.nodes).toHaveLength(GRAPH_MAX_HOSTS);
      expect(body).toEqual(EXPECTED);
    } finally {
      await server.close();
    }
    // Two reads, however many hosts: no query per host.
    const asked: [string, unknown][] = [];
    const counting = {
      runQuery: (name: string, params?: Readonly<Record<string, unknown>>) => {
        asked.push([name, params]);
        return store.runQuery(name, params);
      },
    };
    expect(await dependencyGraph(counting)).toEqual(EXPECTED);
    expect(asked).toEqual([
      ["systems", { kind: "host" }],
      ["host-links", { hosts: GRAPH_MAX_HOSTS }],
    ]);
  });
}

describe("/api/graph: embedded store", () => {
  const dir = mkdtempSync(join(tmpdir(), "assim-graph-api-"));
  const stores: GraphStore[] = [];
  afterAll(async () => {
    for (const store of stores) await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  graphTests(async () => {
    const store = await openEmbeddedStore({ dataDir: join(dir, `store-${stores.length}`) });
    stores.push(store);
    return store;
  });
});

const db = withNeo4j();

describe.skipIf(db.skipReason !== "")(`/api/graph: Neo4j ${db.skipReason}`, () => {
  const stores: GraphStore[] = [];
  afterAll(async () => {
    for (const store of stores) await store.close();
  });
  graphTests(async () => {
    const store = await openNeo4jStore({ uri: db.uri });
    stores.push(store);
    await store.deleteEverything();
    return store;
  });
});
