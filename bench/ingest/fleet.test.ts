/**
 * The benchmark's synthetic fleet: documents that pass the schemas, the shape
 * the issue asks for, and a small fleet ingested for real giving exactly the
 * dependencies the generator predicts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openEmbeddedStore } from "../../cma/graph/embedded/store.js";
import { ingestDocument } from "../../cma/ingest/ingest.js";
import { assertValidDiscoveryDocument } from "../../protocol/discovery-document.js";
import {
  CLIENTS_PER_HOST,
  connections,
  expectedDependencies,
  hostAddresses,
  hostDocuments,
  IPS_PER_HOST,
  LISTENERS_PER_HOST,
  NICS_PER_HOST,
  PROCESSES_PER_HOST,
} from "./fleet.js";

const AT = "2026-03-01T10:00:00.000Z";
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Endpoint {
  proto: string;
  addr: string;
  port: number;
}

describe("synthetic fleet", () => {
  it("gives each host schema-valid os, netconfig and tcpdiscovery documents of the asked shape", () => {
    for (const n of [0, 1, 999, 65_535, 123_456]) {
      const documents = hostDocuments(n, 200_000, AT);
      expect(documents.map((d) => d.discovertype)).toEqual(["os", "netconfig", "tcpdiscovery"]);
      for (const document of documents) assertValidDiscoveryDocument(document);
      const [, netconfig, tcp] = documents;
      const nics = Object.values(netconfig?.data as Record<string, { ipaddrs: object }>);
      expect(nics).toHaveLength(NICS_PER_HOST);
      expect(nics.flatMap((nic) => Object.keys(nic.ipaddrs))).toHaveLength(IPS_PER_HOST);
      const groups = Object.values(
        tcp?.data as Record<string, { listen: Endpoint[]; clients: Endpoint[] }>,
      );
      expect(groups).toHaveLength(PROCESSES_PER_HOST);
      expect(groups.flatMap((g) => g.listen)).toHaveLength(LISTENERS_PER_HOST);
      const clients = groups.flatMap((g) => g.clients);
      expect(clients).toHaveLength(CLIENTS_PER_HOST);
      // Never to itself.
      const own = new Set([...hostAddresses(n).v4, ...hostAddresses(n).v6]);
      expect(clients.filter((c) => own.has(c.addr))).toEqual([]);
    }
  });

  it("gives distinct addresses and MACs to distinct hosts", () => {
    const seen = new Set<string>();
    for (let n = 0; n < 3000; n++) {
      const { v4, v6 } = hostAddresses(n);
      for (const address of [...v4, ...v6]) {
        expect(seen.has(address), address).toBe(false);
        seen.add(address);
      }
    }
  });

  it("ingested for real, yields exactly the predicted process and host dependencies", async () => {
    const hosts = 12;
    const dataDir = mkdtempSync(join(tmpdir(), "assim-fleet-"));
    dirs.push(dataDir);
    const store = await openEmbeddedStore({ dataDir });
    try {
      for (let n = 0; n < hosts; n++) {
        for (const document of hostDocuments(n, hosts, AT)) {
          expect((await ingestDocument(store, document)).status).toBe("stored");
        }
      }
      const counts = await store.counts();
      expect(counts.nodes.System).toEqual({ active: hosts, retired: 0 });
      expect(counts.nodes.NIC).toEqual({ active: hosts * NICS_PER_HOST, retired: 0 });
      expect(counts.nodes.IPAddr).toEqual({ active: hosts * IPS_PER_HOST, retired: 0 });
      expect(counts.nodes.Process).toEqual({ active: hosts * PROCESSES_PER_HOST, retired: 0 });
      const expected = expectedDependencies(hosts);
      expect(expected.processes).toBe(hosts * CLIENTS_PER_HOST);
      expect(counts.relationships.DEPENDS_ON).toEqual({
        active: expected.processes + expected.systems,
        retired: 0,
      });
      // One host's view: it uses what its connections reach, and its listeners are used.
      const rows = (await store.runQuery("host-dependencies", { host: "host00003" })).rows;
      const uses = rows.filter((r) => r.direction === "uses");
      expect(uses).toHaveLength(CLIENTS_PER_HOST);
      expect(new Set(uses.map((r) => r.peer_host))).toEqual(
        new Set(connections(3, hosts).map((c) => `host${String(c.host).padStart(5, "0")}`)),
      );
      expect(rows.filter((r) => r.direction === "used-by").length).toBeGreaterThan(0);
      const unmonitored = await store.runQuery("unmonitored-services");
      expect(unmonitored.rows).toHaveLength(hosts * LISTENERS_PER_HOST);
    } finally {
      await store.close();
    }
  });
});
