/**
 * `assim ansible-inventory --list | --host NAME`: an Ansible dynamic
 * inventory script reading the live graph. The same groups and vars as the
 * YAML file of `assim export --format ansible` (one builder).
 */
import type { Command } from "commander";
import { openConfiguredStore } from "../../cma/graph/open.js";
import { buildInventory } from "../../exporters/ansible/inventory.js";
import { inventoryHost, inventoryList } from "../../exporters/ansible/render.js";
import { readRecords } from "../../exporters/records.js";
import { resolveDataDir } from "../../lib/data-dir.js";
import { UsageError } from "../errors.js";
import { writeStdout } from "../output.js";
import { openStore } from "./ingest.js";

interface InventoryOptions {
  list?: boolean;
  host?: string;
  dataDir?: string;
}

export function registerAnsibleInventory(program: Command): void {
  program
    .command("ansible-inventory")
    .description("Ansible dynamic inventory of the graph: --list, or --host NAME (JSON on stdout)")
    .option("--list", "every group with its hosts, and every host's vars under _meta.hostvars")
    .option("--host <name>", "one host's vars ({} for a host the inventory does not have)")
    .option(
      "--data-dir <dir>",
      "data directory of the embedded store (default: $ASSIM_DATA_DIR or ./.assim)",
    )
    .addHelpText(
      "after",
      "\nThe groups (by role, OS, switch, subnet, status, unmonitored) and host vars\n" +
        "(ansible_host, assim_*) are those of `assim export --format ansible`; see\n" +
        "exporters/ansible/README.md. Uses Neo4j when NEO4J_URI is set, otherwise the\n" +
        "embedded store. Values Jinja would template are marked unsafe. What had to be\n" +
        "left out is reported on stderr, one line each.\n\n" +
        "Ansible runs an inventory script with --list itself: point it at the wrapper\n" +
        "bin/assim-ansible-inventory (ASSIM_DATA_DIR or NEO4J_URI in its environment):\n\n" +
        "  assim ansible-inventory --list --data-dir /var/lib/assim\n" +
        "  ASSIM_DATA_DIR=/var/lib/assim ansible-inventory -i bin/assim-ansible-inventory --graph",
    )
    .action(async (options: InventoryOptions) => {
      if (options.list && options.host !== undefined) {
        throw new UsageError("give --list or --host NAME, not both");
      }
      if (!options.list && options.host === undefined) {
        throw new UsageError("give --list, or --host NAME");
      }
      const store = await openStore(() =>
        openConfiguredStore({ dataDir: resolveDataDir(options.dataDir), mustExist: true }),
      );
      try {
        const inventory = buildInventory(await readRecords(store));
        for (const warning of inventory.warnings) {
          process.stderr.write(`assim ansible-inventory: warning: ${warning}\n`);
        }
        const output =
          options.host === undefined
            ? inventoryList(inventory)
            : inventoryHost(inventory, options.host);
        await writeStdout(`${JSON.stringify(output)}\n`);
      } finally {
        await store.close();
      }
    });
}
