import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { TrustSelectorError, TrustStore } from "../../cma/trust/trust-store.js";
import { keyDirOf, resolveDataDir, trustDirOf } from "../../lib/data-dir.js";
import {
  fingerprint,
  KeyFileError,
  loadOrCreateKeyPair,
  loadPublicKey,
} from "../../protocol/crypto/keys.js";
import { UsageError } from "../errors.js";
import { writeStdout } from "../output.js";

const DATA_DIR_HELP = "data directory (default: $ASSIM_DATA_DIR or ./.assim)";
const KEY_NAME = /^[a-z][a-z0-9-]{0,31}$/;

function keyName(name: string): string {
  if (!KEY_NAME.test(name)) throw new UsageError(`--name must match ${KEY_NAME}, got "${name}"`);
  return name;
}

function trustStore(dataDir?: string): TrustStore {
  return new TrustStore(trustDirOf(resolveDataDir(dataDir)), "approve");
}

function selected(store: TrustStore, selectors: string[]): string[] {
  try {
    return [...new Set(selectors.flatMap((selector) => store.select(selector)))];
  } catch (error) {
    if (error instanceof TrustSelectorError) throw new UsageError(error.message);
    throw error;
  }
}

export function registerKeys(program: Command): void {
  const keys = program
    .command("keys")
    .description("key pairs of this host, and which probe keys the CMA trusts");

  keys
    .command("generate")
    .description("create this host's key pair (NAME.key, 0600, and NAME.pub) unless it exists")
    .option("--name <name>", "cma or probe", "probe")
    .option("--data-dir <dir>", DATA_DIR_HELP)
    .addHelpText("after", "\nExample:\n  assim keys generate --name cma --data-dir /var/lib/assim")
    .action(async (options: { name: string; dataDir?: string }) => {
      const dir = keyDirOf(resolveDataDir(options.dataDir));
      const name = keyName(options.name);
      const existed = existsSync(join(dir, `${name}.key`));
      const pair = loadOrCreateKeyPair(dir, name);
      await writeStdout(
        `${existed ? "exists" : "created"}: ${join(dir, `${name}.pub`)}\n` +
          `public key:  ${pair.publicKey}\nfingerprint: ${fingerprint(pair.publicKey)}\n`,
      );
    });

  keys
    .command("show")
    .description("print a public key and its fingerprint (give the CMA's to every probe)")
    .option("--name <name>", "cma or probe", "cma")
    .option("--data-dir <dir>", DATA_DIR_HELP)
    .addHelpText(
      "after",
      "\nExample:\n  assim keys show --name cma --data-dir /var/lib/assim > cma.pub",
    )
    .action(async (options: { name: string; dataDir?: string }) => {
      const file = join(keyDirOf(resolveDataDir(options.dataDir)), `${keyName(options.name)}.pub`);
      let key: string;
      try {
        key = loadPublicKey(file);
      } catch (error) {
        if (error instanceof KeyFileError)
          throw new UsageError(`${error.message} (assim keys generate --name ${options.name})`);
        throw error;
      }
      process.stderr.write(`fingerprint: ${fingerprint(key)}\n`);
      await writeStdout(`${key}\n`);
    });

  keys
    .command("list")
    .description("probe keys the CMA has seen: trusted, pending approval, revoked")
    .option("--json", "as JSON")
    .option("--data-dir <dir>", DATA_DIR_HELP)
    .action(async (options: { json?: boolean; dataDir?: string }) => {
      const entries = trustStore(options.dataDir).list();
      if (options.json) {
        await writeStdout(`${JSON.stringify(entries, null, 2)}\n`);
        return;
      }
      const lines = entries.map((entry) =>
        [entry.state.padEnd(8), entry.fingerprint, entry.from ?? "-", entry.first_seen ?? "-"].join(
          "  ",
        ),
      );
      await writeStdout(
        entries.length
          ? `state     fingerprint       from  first seen\n${lines.join("\n")}\n`
          : "no probe keys seen yet\n",
      );
    });

  for (const [verb, state, what] of [
    ["approve", "trusted", "trust probe keys (a key, a fingerprint or its prefix, or 'pending')"],
    ["revoke", "revoked", "refuse probe keys: their packets are dropped unopened"],
  ] as const) {
    keys
      .command(verb)
      .description(what)
      .argument("<selector...>", "key, fingerprint (at least 6 hex digits), or 'pending'")
      .option("--data-dir <dir>", DATA_DIR_HELP)
      .addHelpText(
        "after",
        `\nThe running CMA reads the change within a second.\nExample:\n  assim keys ${verb} 3fa2b91c`,
      )
      .action(async (selectors: string[], options: { dataDir?: string }) => {
        const store = trustStore(options.dataDir);
        const changed = store.set(selected(store, selectors), state, `assim keys ${verb}`);
        await writeStdout(
          changed.length
            ? `${changed.map((entry) => `${state}: ${entry.fingerprint} ${entry.key}`).join("\n")}\n`
            : `nothing to change: already ${state}\n`,
        );
      });
  }
}
