/**
 * `assim keys`: key pairs on disk, and an operator approving and revoking a
 * probe's key while a CMA in approve mode runs.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runAssim } from "./support/cli.js";
import {
  type CmaStatusFile,
  type Daemon,
  freePort,
  readJson,
  startAssim,
  waitFor,
} from "./support/daemons.js";

const scratch = mkdtempSync(join(tmpdir(), "assim-keys-"));
const daemons: Daemon[] = [];
afterAll(async () => {
  for (const daemon of daemons) await daemon.stop("SIGKILL").catch(() => undefined);
  rmSync(scratch, { recursive: true, force: true });
});

describe("assim keys", () => {
  it("creates a key pair once, with a secret file only its owner reads", () => {
    const dataDir = join(scratch, "gen");
    const missing = runAssim(["keys", "show", "--name", "cma", "--data-dir", dataDir]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*cma\.pub.*assim keys generate --name cma/);

    const created = runAssim(["keys", "generate", "--name", "cma", "--data-dir", dataDir]);
    expect(created.status, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^created: /);
    const key = /public key: +(\S+)/.exec(created.stdout)?.[1];
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(join(dataDir, "keys", "cma.key")).mode & 0o777).toBe(0o600);

    const again = runAssim(["keys", "generate", "--name", "cma", "--data-dir", dataDir]);
    expect(again.stdout).toMatch(/^exists: /);
    expect(again.stdout).toContain(key);
    const shown = runAssim(["keys", "show", "--name", "cma", "--data-dir", dataDir]);
    expect(shown.stdout.trim()).toBe(key);
    expect(shown.stderr).toMatch(/^fingerprint: [0-9a-f]{16}$/m);

    const bad = runAssim(["keys", "generate", "--name", "../x", "--data-dir", dataDir]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--name must match/);
  });

  it("holds a probe pending until approved, and drops a revoked probe's packets", async () => {
    const cmaDir = join(scratch, "cma");
    const cmaPort = await freePort();
    const cma = startAssim("cma", [
      "cma",
      ...["--bind", `127.0.0.1:${cmaPort}`, "--data-dir", cmaDir, "--trust", "approve"],
      ...["--interval", "200", "--warn", "800", "--dead", "2000", "--discovery-types", "os"],
    ]);
    daemons.push(cma);
    const status = () =>
      readJson<CmaStatusFile & { stats: { packets: Record<string, number> } }>(
        join(cmaDir, "cma-status.json"),
      );
    await waitFor("the CMA", status, 30_000);
    const probe = startAssim("probe", [
      "probe",
      ...["--cma", `127.0.0.1:${cmaPort}`, "--cma-key", join(cmaDir, "keys", "cma.pub")],
      ...["--bind", `127.0.0.1:${await freePort()}`, "--data-dir", join(scratch, "probe")],
      ...["--machine-id", createHash("md5").update("keys-test").digest("hex"), "--hostname", "p1"],
    ]);
    daemons.push(probe);
    await waitFor(
      "the refused STARTUP",
      () => probe.lines("STARTUP refused: trying again later").length > 0,
      20_000,
    );
    expect(cma.lines("STARTUP from a key that is not trusted")[0]).toMatchObject({
      trust: "pending",
    });

    const listed = runAssim(["keys", "list", "--json", "--data-dir", cmaDir]);
    const entries = JSON.parse(listed.stdout) as {
      state: string;
      fingerprint: string;
      from: string;
    }[];
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      state: "pending",
      from: expect.stringMatching(/^127\.0\.0\.1:/),
    });
    const fingerprint = entries[0]?.fingerprint as string;

    const approved = runAssim(["keys", "approve", "pending", "--data-dir", cmaDir]);
    expect(approved.stdout).toContain(`trusted: ${fingerprint}`);
    await waitFor(
      "the probe registered",
      () => status()?.probes.some((p) => p.state === "up"),
      20_000,
    );

    const revoked = runAssim(["keys", "revoke", fingerprint.slice(0, 8), "--data-dir", cmaDir]);
    expect(revoked.status, revoked.stderr).toBe(0);
    await waitFor(
      "the revoked probe taken down",
      () => status()?.probes.some((p) => p.state === "down"),
      10_000,
    );
    expect(status()?.rings).toEqual({});
    // Its goodbye is dropped unopened: nobody acknowledges it.
    await probe.stop("SIGTERM");
    expect(probe.lines("shutdown not acknowledged by the CMA")).toHaveLength(1);
    await waitFor(
      "the CMA's count of dropped packets",
      () => (status()?.stats.packets.dropped_not_admitted ?? 0) > 0,
      5_000,
    );
    const table = runAssim(["keys", "list", "--data-dir", cmaDir]);
    expect(table.stdout).toMatch(new RegExp(`revoked +${fingerprint}`));
  });
});
