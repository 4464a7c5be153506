import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { ValidateFunction } from "ajv";
import { describe, expect, it } from "vitest";
import {
  assertValidDiscoveryDocument,
  InvalidDocumentError,
  knownDiscoveryTypes,
} from "./discovery-document.js";
import { discoveryAjv, schemaKey, schemaNames } from "./discovery-schemas.js";

const envelope = {
  discovertype: "os",
  description: "test",
  host: "web1",
  source: "/etc/os-release",
  proxy: "local/local",
  collected_at: "2026-11-23T20:00:00.000Z",
  data: {},
  errors: [],
};

function problemsOf(document: unknown): string[] {
  try {
    assertValidDiscoveryDocument(document);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidDocumentError);
    return (error as InvalidDocumentError).problems;
  }
  return [];
}

describe("discovery document envelope", () => {
  it("knows the seven discovery types", () => {
    expect(knownDiscoveryTypes()).toEqual([
      "arpcache",
      "cpu",
      "monitoringagents",
      "netconfig",
      "os",
      "packages",
      "tcpdiscovery",
    ]);
  });

  it("names every missing envelope field", () => {
    const { host: _host, errors: _errors, ...partial } = envelope;
    const problems = problemsOf(partial);
    expect(problems).toContain("(document) must have required property 'host'");
    expect(problems).toContain("(document) must have required property 'errors'");
  });

  it("rejects fields the envelope does not define", () => {
    expect(problemsOf({ ...envelope, injected: 1 })).toContain(
      '(document) must NOT have additional properties "injected"',
    );
  });

  it("rejects an unknown discovertype, listing the known ones", () => {
    const problems = problemsOf({ ...envelope, discovertype: "nosuch" });
    expect(problems[0]).toMatch(/unknown discovertype; known: arpcache, cpu/);
  });

  it("rejects a malformed error entry and a bad timestamp", () => {
    const problems = problemsOf({
      ...envelope,
      collected_at: "yesterday",
      errors: [{ where: "/proc/x" }],
    });
    expect(problems.some((p) => p.startsWith("/collected_at"))).toBe(true);
    expect(problems).toContain("/errors/0 must have required property 'message'");
  });

  it("rejects a non-object document with a clear message", () => {
    expect(problemsOf("not a document")).toEqual(["(document) must be object"]);
  });
});

describe("validators compiled at build time", () => {
  const compiledDir = new URL("../dist/protocol/validators/", import.meta.url);
  const built = existsSync(compiledDir);
  if (!built) console.warn("compiled validators not checked: run `npm run build` first");

  it.skipIf(!built)("give the same verdicts and messages as ajv compiling the schemas", () => {
    const runtime = discoveryAjv();
    const samples: unknown[] = [
      envelope,
      { ...envelope, data: { hostname: 7 } },
      { ...envelope, injected: true },
      { ...envelope, errors: [{ where: 1 }] },
      "junk",
    ];
    for (const name of schemaNames()) {
      const compiled = createRequire(import.meta.url)(
        fileURLToPath(new URL(`${name}.cjs`, compiledDir)),
      ).default as ValidateFunction;
      const reference = runtime.getSchema(schemaKey(name)) as ValidateFunction;
      for (const sample of samples) {
        const verdict = compiled(sample);
        expect(verdict).toBe(reference(sample));
        expect(compiled.errors ?? null).toEqual(reference.errors ?? null);
      }
    }
  });
});

describe("the envelope's machine_id", () => {
  // An arpcache document with no interfaces is valid, so only the envelope is judged.
  const empty = { ...envelope, discovertype: "arpcache" };
  it("is optional and, when given, 32 lowercase hex digits", () => {
    expect(problemsOf(empty)).toEqual([]);
    expect(problemsOf({ ...empty, machine_id: "5f2b9d0c8a6e4e1f9a3c7b2d1e0f4a6b" })).toEqual([]);
    for (const bad of ["5F2B9D0C8A6E4E1F9A3C7B2D1E0F4A6B", "5f2b9d0c-8a6e-4e1f", "", 7]) {
      expect(problemsOf({ ...empty, machine_id: bad }).join(" ")).toMatch(/^\/machine_id /);
    }
  });
});
