import type { Command } from "commander";
import { registerSwitchDecode } from "./switch-decode.js";
import { registerSwitchListen } from "./switch-listen.js";

/**
 * The `assim switch` group: LLDP/CDP switch-neighbour tools. Each subcommand
 * registers itself on the group returned here.
 */
export function registerSwitch(program: Command): Command {
  const group = program
    .command("switch")
    .description("switch neighbours from LLDP and CDP: decode captures, listen live");
  registerSwitchDecode(group);
  registerSwitchListen(group);
  return group;
}
