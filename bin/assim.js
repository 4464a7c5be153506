#!/usr/bin/env node
// The `assim` command: runs the compiled CLI from dist/ (built by `npm ci` / `npm run build`).
import { existsSync } from "node:fs";

const entry = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write("assim: dist/ is missing; run `npm run build` (npm ci does it) first\n");
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv);
