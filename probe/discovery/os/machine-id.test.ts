import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { discover } from "../discover.js";
import { osAgent } from "./index.js";
import { readMachineId, readMachineIdSync } from "./machine-id.js";

const fixtures = join(import.meta.dirname, "fixtures");
const scratch = mkdtempSync(join(tmpdir(), "assim-machine-id-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(scratch, "root-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe("machine id reader", () => {
  it("falls back to the D-Bus copy when /etc/machine-id is uninitialized (sync and async agree)", async () => {
    const root = join(fixtures, "kvm-guest", "root");
    const reading = await readMachineId(root);
    expect(reading.id).toBe("5f2b9d0c8a6e4e1f9a3c7b2d1e0f4a6b");
    expect(reading.problems).toEqual([
      `${join(root, "etc/machine-id")}: uninitialized (first boot)`,
    ]);
    expect(readMachineIdSync(root)).toEqual(reading);
  });

  it("gives null with one problem per file when neither holds an id", async () => {
    const root = tree({ "etc/machine-id": "NOT-HEX\n" });
    const reading = readMachineIdSync(root);
    expect(reading.id).toBeNull();
    expect(reading.problems).toEqual([
      `${join(root, "etc/machine-id")}: not 32 lowercase hex digits`,
      `${join(root, "var/lib/dbus/machine-id")}: ENOENT`,
    ]);
    expect(await readMachineId(root)).toEqual(reading);
  });

  it("does not read a directory (or a FIFO) standing where the file should be", () => {
    const root = tree({ "var/lib/dbus/machine-id": "0123456789abcdef0123456789abcdef\n" });
    mkdirSync(join(root, "etc/machine-id"), { recursive: true });
    const reading = readMachineIdSync(root);
    expect(reading.id).toBe("0123456789abcdef0123456789abcdef");
    expect(reading.problems[0]).toMatch(/etc\/machine-id: (not a regular file|EISDIR)/);
  });
});

describe("the envelope's machine_id", () => {
  const context = (machineId: string | null | undefined) => ({
    hostname: "db1",
    machineId,
    procRoot: join(fixtures, "kvm-guest", "proc"),
    sysRoot: join(fixtures, "kvm-guest", "sys"),
    fsRoot: join(fixtures, "kvm-guest", "root"),
    run: async () => {
      throw new Error("no commands here");
    },
  });

  it("is the context's machine id on every document", async () => {
    const document = await discover(osAgent, context("5f2b9d0c8a6e4e1f9a3c7b2d1e0f4a6b"));
    expect(document.machine_id).toBe("5f2b9d0c8a6e4e1f9a3c7b2d1e0f4a6b");
    expect(document.machine_id).toBe(document.data.machine_id);
  });

  it("is left out, not null, when the host has none", async () => {
    const document = await discover(osAgent, context(null));
    expect(Object.hasOwn(document, "machine_id")).toBe(false);
  });
});
