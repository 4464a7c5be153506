import type { DiscoveryAgent } from "../agent.js";
import { collectSwitch } from "./collect.js";
import { switchOptionsFrom } from "./options.js";
import type { SwitchData } from "./types.js";

export type { SwitchData } from "./types.js";

export function summarizeSwitch(data: SwitchData): string {
  const listened = Object.keys(data.interfaces).length;
  if (data.capture.permission_denied) return "capture not permitted (needs CAP_NET_RAW)";
  const neighbours = Object.values(data.interfaces).reduce((n, i) => n + i.neighbours.length, 0);
  return `${neighbours} switch neighbour${neighbours === 1 ? "" : "s"} on ${listened} interface${listened === 1 ? "" : "s"} in ${data.capture.seconds} s`;
}

export const switchAgent: DiscoveryAgent<SwitchData> = {
  type: "switch",
  description:
    "Switch neighbours per local interface, from the LLDP and CDP frames switches send (received only)",
  collect: (context) => collectSwitch(context, switchOptionsFrom(process.env)),
  summarize: summarizeSwitch,
};
