import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { CollectContext, Collected } from "../agent.js";
import { ErrorList } from "../error-list.js";
import { CommandError } from "../run-command.js";
import { groupNeighbours } from "./group.js";
import { parseIpNeigh } from "./parse-ip-neigh.js";
import { parseProcArp } from "./parse-proc-arp.js";
import type { ArpcacheData, NeighbourEntry } from "./types.js";

export const IP_NEIGH = ["-j", "neigh", "show"];
const IP_NEIGH_COMMAND = `ip ${IP_NEIGH.join(" ")}`;

/** /proc/net/arp holds one ~80-byte line per entry; gc_thresh3 rarely passes 100,000. */
const MAX_PROC_ARP_BYTES = 64 * 1024 * 1024;

export async function collectArpcache(ctx: CollectContext): Promise<Collected<ArpcacheData>> {
  const errors = new ErrorList();
  let entries = await fromIp(ctx, errors);
  let source = IP_NEIGH_COMMAND;
  if (entries === undefined) {
    source = join(ctx.procRoot, "net/arp");
    entries = await fromProcArp(source, errors);
  }
  return { data: groupNeighbours(entries, source, errors), source, errors: errors.items };
}

/** Both families from iproute2, or undefined when it cannot be run or read. */
async function fromIp(ctx: CollectContext, errors: ErrorList) {
  let stdout: string;
  try {
    ({ stdout } = await ctx.run("ip", IP_NEIGH));
  } catch (error) {
    const missing = error instanceof CommandError && error.notInstalled;
    errors.add(
      IP_NEIGH_COMMAND,
      missing
        ? "iproute2 is not installed; IPv4 entries read from /proc/net/arp, IPv6 neighbours not read"
        : error,
    );
    return undefined;
  }
  const parsed = parseIpNeigh(stdout, IP_NEIGH_COMMAND);
  for (const error of parsed.errors) errors.add(error.where, error.message);
  // Output that is not JSON at all (an iproute2 without -j) counts as no iproute2.
  if (parsed.errors.some((error) => error.where === IP_NEIGH_COMMAND)) return undefined;
  return parsed.entries;
}

async function fromProcArp(path: string, errors: ErrorList): Promise<NeighbourEntry[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    errors.add(path, error);
    return [];
  }
  if (text.length > MAX_PROC_ARP_BYTES) {
    errors.add(path, `larger than ${MAX_PROC_ARP_BYTES} bytes; only the start was read`);
    text = text.slice(0, text.lastIndexOf("\n", MAX_PROC_ARP_BYTES));
  }
  const parsed = parseProcArp(text, path);
  for (const error of parsed.errors) errors.add(error.where, error.message);
  return parsed.entries;
}
