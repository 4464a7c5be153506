import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { describeGraphStoreContract } from "../contract/index.js";
import { openEmbeddedStore } from "./store.js";

const scratch = mkdtempSync(join(tmpdir(), "assim-embedded-contract-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let made = 0;
describeGraphStoreContract("embedded (SQLite)", () =>
  openEmbeddedStore({ dataDir: join(scratch, `store-${++made}`) }),
);
