/**
 * Build step (`npm run build`): compiles each discovery schema into a
 * standalone validator module, dist/protocol/validators/NAME.cjs, so the CLI
 * validates documents without loading ajv's compiler at start-up.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { discoveryAjv, schemaKey, schemaNames } from "./discovery-schemas.js";

const standaloneCode = (
  createRequire(import.meta.url)(
    "ajv/dist/standalone",
  ) as typeof import("ajv/dist/standalone/index.js")
).default;

export function buildValidators(outDirectory: string): readonly string[] {
  const ajv = discoveryAjv({ code: { source: true } });
  mkdirSync(outDirectory, { recursive: true });
  const names = schemaNames();
  for (const name of names) {
    const validate = ajv.getSchema(schemaKey(name));
    if (!validate) throw new Error(`schema ${schemaKey(name)} did not compile`);
    writeFileSync(join(outDirectory, `${name}.cjs`), standaloneCode(ajv, validate));
  }
  return names;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = join(dirname(fileURLToPath(import.meta.url)), "validators");
  const names = buildValidators(out);
  process.stdout.write(`compiled ${names.length} discovery schemas into ${out}\n`);
}
