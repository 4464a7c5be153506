/**
 * What only the Neo4j adapter has to prove (the shared behaviour is in the
 * contract suite): the schema it creates, integers as Neo4j INTEGER, values it
 * must refuse, ordering by code point rather than Neo4j's UTF-16 order, and that
 * a resolved write survives a kill -9 of the DBMS.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { NEO4J_START_TIMEOUT_MS, startTestNeo4j, withNeo4j } from "../../../test/support/neo4j.js";
import { LABELS } from "../store.js";
import { type Neo4jStore, neo4jOptionsFromEnv, openNeo4jStore } from "./store.js";
import { compareCodePoints } from "./values.js";

const AT = "2026-03-01T10:00:00.000Z";
const db = withNeo4j();

describe("Neo4j adapter: configuration", () => {
  it("uses Neo4j only when NEO4J_URI is set, with user, password and database", () => {
    expect(neo4jOptionsFromEnv({})).toBeUndefined();
    expect(neo4jOptionsFromEnv({ NEO4J_URI: "  " })).toBeUndefined();
    expect(
      neo4jOptionsFromEnv({
        NEO4J_URI: "bolt://127.0.0.1:7687",
        NEO4J_USER: "assim",
        NEO4J_PASSWORD: "pw",
        NEO4J_DATABASE: "neo4j",
      }),
    ).toEqual({ uri: "bolt://127.0.0.1:7687", user: "assim", password: "pw", database: "neo4j" });
  });

  it("refuses a URI that is not Bolt, naming it", async () => {
    await expect(openNeo4jStore({ uri: "http://127.0.0.1:7474" })).rejects.toThrow(
      'NEO4J_URI must be a bolt:// or neo4j:// URI, got "http://127.0.0.1:7474"',
    );
  });

  it("says which Neo4j it cannot reach", async () => {
    // A port that was free a moment ago: nothing answers there.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await expect(openNeo4jStore({ uri: `bolt://127.0.0.1:${port}` })).rejects.toThrow(
      `cannot reach Neo4j at bolt://127.0.0.1:${port}`,
    );
  });

  it("compares strings by code point (U+FFFD before U+1F600, unlike UTF-16 order)", () => {
    expect(compareCodePoints("\uFFFD", "😀")).toBeLessThan(0);
    expect(["b", "😀", "\uFFFD", "a", "B", "ab"].sort(compareCodePoints)).toEqual([
      "B",
      "a",
      "ab",
      "b",
      "\uFFFD",
      "😀",
    ]);
  });
});

describe.skipIf(db.skipReason !== "")(`Neo4j adapter on a real DBMS ${db.skipReason}`, () => {
  const fresh = async (): Promise<Neo4jStore> => {
    const store = await openNeo4jStore({ uri: db.uri });
    await store.deleteEverything();
    return store;
  };

  it("creates a uniqueness constraint for the key of every label, so MERGE cannot duplicate", async () => {
    const store = await fresh();
    try {
      const { records } = await db.driver.executeQuery(
        "SHOW CONSTRAINTS YIELD type, labelsOrTypes, properties WHERE type = 'UNIQUENESS' RETURN labelsOrTypes[0] AS label, properties",
      );
      const keyed = records.filter((r) => r.get("properties").join() === "key");
      expect(keyed.map((r) => r.get("label")).sort()).toEqual([...LABELS].sort());
      await store.write((tx) => tx.upsertSystem({ key: "host:a", kind: "host", props: {} }, AT));
      await expect(
        db.driver.executeQuery("CREATE (:System {key: 'host:a'})"),
      ).rejects.toMatchObject({ code: "Neo.ClientError.Schema.ConstraintValidationFailed" });
    } finally {
      await store.close();
    }
  });

  it("stores integers as INTEGER and reads them back as exact numbers", async () => {
    const store = await fresh();
    try {
      const big = Number.MAX_SAFE_INTEGER; // 2^53 - 1
      await store.write((tx) =>
        tx.upsertSystem(
          { key: "host:int", kind: "host", props: { cores: 8, big, ports: [22, 443], none: [] } },
          AT,
        ),
      );
      const { records } = await db.driver.executeQuery(
        `MATCH (n:System {key: 'host:int'})
         RETURN valueType(n.cores) AS cores, valueType(n.big) AS big, valueType(n.ports) AS ports,
                n.big = 9007199254740991 AS exact`,
      );
      expect(records[0]?.toObject()).toEqual({
        cores: "INTEGER NOT NULL",
        big: "INTEGER NOT NULL",
        ports: "LIST<INTEGER NOT NULL> NOT NULL",
        exact: true,
      });
      const [node] = (await store.snapshot()).nodes;
      expect(node?.props).toMatchObject({ cores: 8, big, ports: [22, 443], none: [] });
    } finally {
      await store.close();
    }
  });

  it("refuses values it cannot store exactly, and a reserved property name, writing nothing", async () => {
    const store = await fresh();
    try {
      const attempts: [Record<string, unknown>, RegExp][] = [
        [{ huge: 2 ** 53 + 2 }, /System host:x\.huge: 9007199254740994 is beyond 2\^53/],
        [{ ratio: Number.NaN }, /System host:x\.ratio: NaN is not a finite number/],
        [{ key: "other" }, /System host:x: property name "key" is reserved/],
      ];
      for (const [props, message] of attempts) {
        await expect(
          store.write((tx) =>
            tx.upsertSystem({ key: "host:x", kind: "host", props: props as never }, AT),
          ),
        ).rejects.toThrow(message);
      }
      // Neo4j itself refuses a map as a property value; the transaction rolls back.
      await expect(
        store.write((tx) =>
          tx.upsertSystem(
            { key: "host:x", kind: "host", props: { nested: { a: 1 } } as never },
            AT,
          ),
        ),
      ).rejects.toThrow(/Property values can only be of primitive types or arrays thereof/);
      expect(await store.snapshot()).toEqual({ nodes: [], relationships: [] });
    } finally {
      await store.close();
    }
  });

  it("rejects an integer beyond 2^53 written by someone else instead of rounding it", async () => {
    const store = await fresh();
    try {
      await db.driver.executeQuery(
        "CREATE (:System {key: 'host:big', kind: 'host', first_seen: $at, last_seen: $at, n: 9007199254740993})",
        { at: AT },
      );
      await expect(store.snapshot()).rejects.toThrow(
        "Neo4j returned 9007199254740993, beyond 2^53: not a JS number",
      );
    } finally {
      await store.close();
    }
  });

  it("orders query rows by code point, as the catalogue says", async () => {
    const store = await fresh();
    try {
      const systems: [string, string][] = [
        ["host:1", "😀"],
        ["host:2", "\uFFFD"],
        ["host:3", "Zeta"],
        ["host:4", "alpha"],
      ];
      await store.write(async (tx) => {
        for (const [key, name] of systems) {
          await tx.upsertSystem({ key, kind: "host", props: { name } }, AT);
        }
      });
      const { rows } = await store.runQuery("systems");
      expect(rows.map((r) => r.name)).toEqual(["Zeta", "alpha", "\uFFFD", "😀"]);
      // Neo4j's ORDER BY is not a safe substitute: on computed strings it compares UTF-16 units.
      const { records } = await db.driver.executeQuery(
        "MATCH (n:System) RETURN n.name + '' AS name ORDER BY name",
      );
      expect(records.map((r) => r.get("name")).slice(2)).toEqual(["😀", "\uFFFD"]);
    } finally {
      await store.close();
    }
  });
});

describe.skipIf(db.skipReason !== "")("Neo4j adapter: durability", () => {
  const home = mkdtempSync(join(tmpdir(), "assim-neo4j-durable-"));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it(
    "keeps a write that resolved when the DBMS is killed -9 right after",
    async () => {
      const first = await startTestNeo4j({ home });
      const store = await openNeo4jStore({ uri: first.uri });
      await store.write((tx) =>
        tx.upsertSystem({ key: "host:durable", kind: "host", props: { name: "durable" } }, AT),
      );
      process.kill(first.server.pid, "SIGKILL");
      expect(await first.server.exited).toEqual({ code: null, signal: "SIGKILL" });
      await store.close().catch(() => {});
      await first.driver.close();

      const second = await startTestNeo4j({ home });
      try {
        const reopened = await openNeo4jStore({ uri: second.uri });
        const { rows } = await reopened.runQuery("systems");
        expect(rows.map((r) => [r.key, r.name, r.status])).toEqual([
          ["host:durable", "durable", "up"],
        ]);
        await reopened.close();
      } finally {
        expect(await second.stop()).toEqual({ code: 0, signal: null });
      }
    },
    NEO4J_START_TIMEOUT_MS,
  );
});
