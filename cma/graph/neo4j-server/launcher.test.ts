import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import neo4j from "neo4j-driver";
import { afterAll, describe, expect, it } from "vitest";
import {
  launcherPidsFor,
  NEO4J_START_TIMEOUT_MS,
  NEO4J_STOP_TIMEOUT_MS,
  neo4jSkipReason,
  startTestNeo4j,
  type TestNeo4j,
} from "../../../test/support/neo4j.js";
import { readCoordinates } from "./coordinates.js";
import { checkPort, checkSize, Neo4jStartError, startNeo4j } from "./launcher.js";

const skipReason = neo4jSkipReason();
const { neo4jVersion } = readCoordinates();

/** Resolves true if something accepts TCP connections on 127.0.0.1:port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(3_000);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
    socket.connect(port, "127.0.0.1");
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("launcher options", () => {
  it.each(["512m", "2g", "1024k", "65536"])("accepts the size %s", (size) => {
    expect(checkSize("heap", size)).toBe(size);
  });

  it.each(["", "0", "1.5g", "2gb", "-1g", "1g; rm -rf /", "--Xmx"])(
    "rejects the size %j, naming the option",
    (size) => {
      expect(() => checkSize("pagecache", size)).toThrow(/pagecache must be a size/);
    },
  );

  it.each([-1, 65536, 1.5, Number.NaN])("rejects the port %s", (port) => {
    expect(() => checkPort(port)).toThrow(/port must be an integer 0\.\.65535/);
  });

  it("refuses a bad size before starting any JVM", async () => {
    await expect(startNeo4j({ home: "/nonexistent/never-created", heap: "lots" })).rejects.toThrow(
      'heap must be a size such as 512m or 2g, got "lots"',
    );
  });
});

describe.skipIf(skipReason !== "")("a real Neo4j through the launcher", () => {
  const home = mkdtempSync(join(tmpdir(), "assim-neo4j-launcher-"));
  let db: TestNeo4j | undefined;
  afterAll(async () => {
    await db?.stop();
    rmSync(home, { recursive: true, force: true });
  }, NEO4J_STOP_TIMEOUT_MS);

  it(
    "starts on an ephemeral port of 127.0.0.1 and answers Bolt as the pinned version",
    async () => {
      db = await startTestNeo4j({ home });
      expect(db.uri).toMatch(/^bolt:\/\/127\.0\.0\.1:\d+$/);
      expect(db.server.port).toBeGreaterThan(0);
      expect(db.uri).toBe(`bolt://127.0.0.1:${db.server.port}`);
      const info = await db.driver.getServerInfo();
      expect(info.agent).toBe(`Neo4j/${neo4jVersion}`);
      expect(db.server.version).toBe(neo4jVersion);
    },
    NEO4J_START_TIMEOUT_MS,
  );

  it("writes and reads a node, and integers beyond 2^53 round-trip without loss", async () => {
    if (!db) throw new Error("Neo4j did not start");
    const big = 9_007_199_254_740_993n; // 2^53 + 1: a JS number cannot hold it
    await db.driver.executeQuery(
      "CREATE (:Probe {name: $name, big: $big, viaInt: $viaInt, small: $small})",
      {
        name: "launcher-test",
        big,
        viaInt: neo4j.int("-9223372036854775808"),
        small: neo4j.int(7),
      },
      { database: "neo4j" },
    );
    const { records } = await db.driver.executeQuery(
      `MATCH (p:Probe {name: $name})
       RETURN p.big AS big, p.viaInt AS viaInt, p.small AS small,
              valueType(p.big) AS bigType, p.big + 1 AS next`,
      { name: "launcher-test" },
      { database: "neo4j" },
    );
    expect(records).toHaveLength(1);
    const row = records[0];
    if (!row) throw new Error("no row");
    expect(neo4j.isInt(row.get("big"))).toBe(true);
    expect(row.get("big").toString()).toBe(big.toString());
    expect(row.get("next").toString()).toBe((big + 1n).toString());
    expect(row.get("viaInt").toString()).toBe("-9223372036854775808");
    expect(row.get("small").toNumber()).toBe(7);
    expect(row.get("bigType")).toBe("INTEGER NOT NULL");
  });

  it("sends a plain JS number as a FLOAT (why keys must use neo4j.int or bigint)", async () => {
    if (!db) throw new Error("Neo4j did not start");
    const { records } = await db.driver.executeQuery(
      "RETURN valueType($n) AS plain, valueType($i) AS wrapped",
      { n: 42, i: neo4j.int(42) },
      { database: "neo4j" },
    );
    expect(records[0]?.get("plain")).toBe("FLOAT NOT NULL");
    expect(records[0]?.get("wrapped")).toBe("INTEGER NOT NULL");
  });

  it(
    "stops cleanly on SIGTERM: exit 0, process gone, port closed; the data survives a restart",
    async () => {
      if (!db) throw new Error("Neo4j did not start");
      const { pid, port } = db.server;
      const exit = await db.server.stop();
      await db.driver.close();
      expect(exit).toEqual({ code: 0, signal: null });
      expect(db.server.outputTail()).toMatch(/^STOPPED$/m);
      expect(isAlive(pid)).toBe(false);
      expect(launcherPidsFor(home)).toEqual([]);
      expect(await accepts(port)).toBe(false);

      db = await startTestNeo4j({ home });
      const { records } = await db.driver.executeQuery(
        "MATCH (p:Probe {name: 'launcher-test'}) RETURN p.big AS big",
        {},
        { database: "neo4j" },
      );
      expect(records.map((r) => r.get("big").toString())).toEqual(["9007199254740993"]);
      // The write above was checkpointed by the clean stop: the restart had nothing to recover
      // (after a SIGKILL, debug.log says "Recovery required from position ...").
      const debugLog = readFileSync(join(home, "logs", "debug.log"), "utf8");
      expect(debugLog).toContain('Checkpoint triggered by "Database shutdown"');
      expect(debugLog.match(/Bolt server started/g)).toHaveLength(2);
      expect(debugLog).not.toContain("Recovery required");
    },
    NEO4J_START_TIMEOUT_MS,
  );

  it(
    "fails with the JVM's own reason when the port is taken, and leaves no process",
    async () => {
      const blocker: Server = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
      const address = blocker.address();
      if (!address || typeof address === "string") throw new Error("no port");
      const otherHome = mkdtempSync(join(tmpdir(), "assim-neo4j-busy-"));
      try {
        const error = await startNeo4j({ home: otherHome, port: address.port }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(Neo4jStartError);
        const message = (error as Error).message;
        expect(message).toContain("did not start");
        expect(message).toContain(`FAILED the DBMS did not start`);
        expect(message).toContain("Address already in use");
        expect(launcherPidsFor(otherHome)).toEqual([]);
      } finally {
        blocker.close();
        rmSync(otherHome, { recursive: true, force: true });
      }
    },
    NEO4J_START_TIMEOUT_MS,
  );
});
