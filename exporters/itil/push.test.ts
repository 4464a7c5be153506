/** Pushing an export, against a local stand-in for ServiceNow and GLPI on 127.0.0.1. */
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkGlpi, checkIre, exportWorld, useStores } from "../../test/support/itil.js";
import { runExport } from "../run.js";
import { ireBatchFile, itilFormat } from "./itil.js";
import { pushExport } from "./push.js";
import type { IrePayload } from "./servicenow.js";

interface Received {
  path: string;
  authorization: string | undefined;
  body: unknown;
}

const received: Received[] = [];
/** Statuses the next requests get (then 200). */
const script: number[] = [];
let answer: unknown = null;
let server: ReturnType<ReturnType<typeof express>["listen"]>;
let base = "";

beforeAll(async () => {
  const app = express();
  app.use(express.json({ limit: "10mb" }));
  app.post(["/api/now/identifyreconcile", "/front/inventory.php"], (req, res) => {
    received.push({ path: req.path, authorization: req.headers.authorization, body: req.body });
    const status = script.shift() ?? 200;
    res.status(status).json(status === 200 ? answer : { error: "scripted" });
  });
  await new Promise<void>((resolve) => {
    server = app.listen(0, "127.0.0.1", () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const fresh = useStores("assim-itil-push-");
const reset = (body: unknown) => {
  received.splice(0);
  script.splice(0);
  answer = body;
};
const noWait = async () => {};
const SN_ENV = { ASSIM_SERVICENOW_USER: "admin", ASSIM_SERVICENOW_PASSWORD: "s3cret" };

describe("pushing an export", () => {
  it("sends the IRE payload with basic auth, retrying a 503, and the GLPI documents one by one", async () => {
    const { out } = await exportWorld(await fresh(), false);
    reset({ result: { items: [{ className: "cmdb_ci_linux_server", errorCount: 0 }] } });
    script.push(503);
    const sleeps: number[] = [];
    const sn = await pushExport({
      target: "servicenow",
      url: `${base}/`,
      outDir: out,
      env: SN_ENV,
      retryDelayMs: 10,
      sleep: async (ms) => sleeps.push(ms),
    });
    expect(sn).toMatchObject({ target: "servicenow", ok: true, dry_run: false });
    expect(sn.files).toEqual([
      expect.objectContaining({
        file: "itil/servicenow/batch-0001.json",
        status: 200,
        tries: 2,
        ok: true,
      }),
    ]);
    expect(sleeps).toEqual([10]);
    expect(received).toHaveLength(2);
    expect(received[1]?.path).toBe("/api/now/identifyreconcile");
    expect(received[1]?.authorization).toBe(
      `Basic ${Buffer.from("admin:s3cret").toString("base64")}`,
    );
    checkIre(received[1]?.body as Parameters<typeof checkIre>[0]);

    reset({ status: "ok", expiration: 24 });
    const glpi = await pushExport({
      target: "glpi",
      url: base,
      outDir: out,
      env: {},
      sleep: noWait,
    });
    expect(glpi.ok).toBe(true);
    expect(glpi.files.map((f) => f.file)).toEqual([
      "glpi/db1.json",
      "glpi/ldap1.json",
      "glpi/web1.json",
      "glpi/switches/sw1.example.net.json",
    ]);
    expect(received.map((r) => r.path)).toEqual(Array(4).fill("/front/inventory.php"));
    expect(received[0]?.authorization).toBeUndefined();
    for (const r of received) checkGlpi(r.body);
  });

  it("sends a large payload in batches, each one a payload the IRE takes alone", async () => {
    const { store, out } = await fresh();
    await exportWorld({ store, out }, true);
    await runExport({ store, outDir: out, formats: [itilFormat({ ireBatchItems: 8 })] });
    const whole = JSON.parse(readFileSync(join(out, "itil", "servicenow.json"), "utf8"));
    reset({ result: { items: [{ className: "cmdb_ci_linux_server", errorCount: 0 }] } });
    const sn = await pushExport({ target: "servicenow", url: base, outDir: out, env: SN_ENV });
    expect(sn.ok).toBe(true);
    expect(sn.files.length).toBeGreaterThan(2);
    expect(sn.files.map((f) => f.file)).toEqual(sn.files.map((_, n) => `itil/${ireBatchFile(n)}`));
    expect(received).toHaveLength(sn.files.length);
    const ids = new Set<string>();
    for (const r of received) {
      const batch = r.body as IrePayload;
      checkIre(batch);
      for (const item of batch.items) ids.add(item.internal_id);
    }
    expect(ids).toEqual(new Set(whole.items.map((i: { internal_id: string }) => i.internal_id)));

    // Fewer batches at the next export: the extra files go, and are not sent.
    await runExport({ store, outDir: out, formats: [itilFormat({ ireBatchItems: 1000 })] });
    reset({ result: { items: [] } });
    const again = await pushExport({ target: "servicenow", url: base, outDir: out, env: SN_ENV });
    expect(again.files.map((f) => f.file)).toEqual(["itil/servicenow/batch-0001.json"]);
    expect(received[0]?.body).toEqual(
      JSON.parse(readFileSync(join(out, "itil", "servicenow.json"), "utf8")),
    );
  });

  it("gives up after the retries, does not retry a refusal, and reads errors inside a 200", async () => {
    const { out } = await exportWorld(await fresh(), false);
    reset({});
    script.push(500, 502, 503);
    const down = await pushExport({
      target: "servicenow",
      url: base,
      outDir: out,
      env: SN_ENV,
      retries: 2,
      sleep: noWait,
    });
    expect(down.ok).toBe(false);
    expect(down.files[0]).toMatchObject({ status: 503, tries: 3, error: "HTTP 503" });

    reset({});
    script.push(401);
    const refused = await pushExport({
      target: "servicenow",
      url: base,
      outDir: out,
      env: SN_ENV,
      sleep: noWait,
    });
    expect(refused.files[0]).toMatchObject({ status: 401, tries: 1, ok: false });

    reset({ result: { items: [{ errorCount: 1, errors: [{ error: "MISSING_DEPENDENCY" }] }] } });
    const partial = await pushExport({ target: "servicenow", url: base, outDir: out, env: SN_ENV });
    expect(partial.ok).toBe(false);
    expect(partial.files[0]?.error).toMatch(/errors on 1 item/);

    reset({ status: "error", message: "bad document" });
    const glpi = await pushExport({ target: "glpi", url: base, outDir: out, sleep: noWait });
    expect(glpi.ok).toBe(false);
    expect(glpi.files[0]?.error).toBe("GLPI refused it: bad document");

    // Nothing listening: a network error, retried, then reported.
    const closed = await pushExport({
      target: "glpi",
      url: "http://127.0.0.1:9",
      outDir: out,
      retries: 1,
      sleep: noWait,
    });
    expect(closed.ok).toBe(false);
    expect(closed.files[0]).toMatchObject({ status: null, tries: 2 });
  });

  it("needs credentials for ServiceNow, an http(s) URL, and sends nothing in a dry run", async () => {
    const { out } = await exportWorld(await fresh(), false);
    reset({});
    await expect(
      pushExport({ target: "servicenow", url: base, outDir: out, env: {} }),
    ).rejects.toThrow(/ASSIM_SERVICENOW_USER/);
    await expect(
      pushExport({ target: "glpi", url: "file:///etc/passwd", outDir: out }),
    ).rejects.toThrow(/http\(s\)/);
    const dry = await pushExport({
      target: "servicenow",
      url: base,
      outDir: out,
      env: {},
      dryRun: true,
    });
    expect(dry).toMatchObject({ dry_run: true, ok: true });
    expect(dry.files[0]).toMatchObject({
      url: `${base}/api/now/identifyreconcile?sysparm_data_source=assim`,
      tries: 0,
    });
    expect(received).toEqual([]);
  });
});
