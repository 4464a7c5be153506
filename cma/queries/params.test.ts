import { describe, expect, it } from "vitest";
import { QUERIES } from "./catalogue.js";
import { QueryParameterError, UnknownQueryError } from "./errors.js";
import { prepareQuery } from "./params.js";

describe("prepareQuery", () => {
  it("types and canonicalizes values given as strings, and fills defaults", () => {
    expect(prepareQuery("dependency-tree", { host: "web1", port: "443" }).params).toEqual({
      host: "web1",
      port: 443,
      proto: "tcp",
      depth: 5,
      direction: "uses",
    });
    expect(prepareQuery("find-ip", { ip: "::FFFF:10.0.0.1" }).params).toEqual({ ip: "10.0.0.1" });
    expect(prepareQuery("find-mac", { mac: "0C-C4-7A-00-00-10" }).params).toEqual({
      mac: "0c:c4:7a:00:00:10",
    });
    expect(prepareQuery("systems").params).toEqual({});
  });

  it.each([
    ["dependency-tree", { process: "p", depth: "1.5" }, "depth", /expected an integer, got "1.5"/],
    ["dependency-tree", { process: "p", depth: 21 }, "depth", /at most 20/],
    ["dependency-tree", { process: "p", port: 80 }, "", /either process, or host and port/],
    ["dependency-tree", { process: "p", direction: "sideways" }, "direction", /uses, used-by/],
    ["packages", { name: "a", prefix: "b" }, "", /exactly one of name and prefix/],
    ["packages", { name: "" }, "name", /non-empty string/],
    ["packages", { name: "x".repeat(201) }, "name", /longer than 200/],
    ["find-ip", { ip: 167772161 }, "ip", /expected an IPv4 or IPv6 address, got 167772161/],
  ])("%s %j: parameter %j is refused", (name, params, parameter, message) => {
    let error: unknown;
    try {
      prepareQuery(name, params);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(QueryParameterError);
    expect((error as QueryParameterError).parameter).toBe(parameter);
    expect((error as Error).message).toMatch(message);
  });

  it("names the known queries when asked for an unknown one", () => {
    expect(() => prepareQuery("nope")).toThrow(UnknownQueryError);
    expect(() => prepareQuery("nope")).toThrow(/known queries: systems, down-systems/);
  });

  it("has a complete catalogue: unique names, described parameters and columns, an order", () => {
    expect(new Set(QUERIES.map((q) => q.name)).size).toBe(QUERIES.length);
    for (const query of QUERIES) {
      expect(query.description.length).toBeGreaterThan(10);
      expect(query.columns.length).toBeGreaterThan(0);
      for (const item of [...query.params, ...query.columns]) expect(item.description).not.toBe("");
      for (const column of query.order.split(", ")) {
        expect(query.columns.map((c) => c.name)).toContain(column);
      }
    }
  });
});
