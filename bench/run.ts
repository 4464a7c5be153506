/**
 * `npm run bench`: runs every benchmark under bench/NAME/main.ts (compiled to
 * dist/bench/NAME/main.js), one child process each, so one benchmark's heap
 * and open sockets never colour another's figures. `npm run bench -- NAME`
 * runs only the named ones.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const names = readdirSync(here, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(here, entry.name, "main.js")))
  .map((entry) => entry.name)
  .filter((name) => wanted.length === 0 || wanted.includes(name))
  .sort();

if (names.length === 0) {
  process.stderr.write(`bench: no benchmark matches ${wanted.join(", ") || "(any)"}\n`);
  process.exit(2);
}
let failed = 0;
for (const name of names) {
  process.stdout.write(`\n== bench/${name}\n`);
  const result = spawnSync(process.execPath, ["--expose-gc", join(here, name, "main.js")], {
    stdio: "inherit",
  });
  if (result.status !== 0) {
    failed++;
    process.stderr.write(`bench/${name} exited with ${result.status ?? result.signal}\n`);
  }
}
process.exit(failed > 0 ? 1 : 0);
