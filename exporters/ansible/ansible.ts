/**
 * The `ansible` format: OUT/ansible/inventory.yml, a YAML inventory of every
 * host with its groups and discovered facts. What had to be left out is
 * reported through the export's warnings.
 */
import type { Exporter } from "../exporter.js";
import { buildInventory } from "./inventory.js";
import { inventoryYaml } from "./render.js";

export const ansibleExporter: Exporter = {
  name: "ansible",
  description:
    "a YAML Ansible inventory: groups by role, OS, switch, subnet, status (inventory.yml)",
  render(records, _changes, context) {
    const inventory = buildInventory(records);
    for (const warning of inventory.warnings) context.warn?.(warning);
    return { "inventory.yml": inventoryYaml(inventory) };
  },
};
