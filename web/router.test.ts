/** The page and its assets over HTTP, without a browser: headers, types, and no inline script. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServer, startApiServer } from "../cma/api/server.js";
import { type EmbeddedStore, openEmbeddedStore } from "../cma/graph/embedded/store.js";

const dir = mkdtempSync(join(tmpdir(), "assim-web-router-"));
let store: EmbeddedStore;
let server: ApiServer;

beforeAll(async () => {
  store = await openEmbeddedStore({ dataDir: dir });
  server = await startApiServer({ store, port: 0 });
});
afterAll(async () => {
  await server.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("web router", () => {
  it("serves the page at / under a CSP that allows only this origin's scripts", async () => {
    const response = await fetch(`${server.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(response.headers.get("content-security-policy")).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    const html = await response.text();
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.map((m) => m[1]?.match(/src="([^"]+)"/)?.[1])).toEqual([
      "/web/vendor/cytoscape.min.js",
      "/web/app.js",
    ]);
    expect(scripts.every((m) => m[2]?.trim() === "")).toBe(true);
    expect(html).not.toMatch(/\son[a-z]+=/i);
  });

  it.each([
    ["/web/app.js", /javascript/],
    ["/web/style.css", /text\/css/],
    ["/web/vendor/cytoscape.min.js", /javascript/],
  ])("serves %s", async (path, type) => {
    const response = await fetch(`${server.url}${path}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(type);
    expect((await response.text()).length).toBeGreaterThan(100);
  });

  it("an unknown asset is the API's JSON 404, and the API routes still answer", async () => {
    const missing = await fetch(`${server.url}/web/nothing.js`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: "not-found" });
    expect((await fetch(`${server.url}/web/../package.json`)).status).toBe(404);
    expect((await fetch(`${server.url}/api/systems`)).status).toBe(200);
  });
});
