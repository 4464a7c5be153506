import { join } from "node:path";
import type { CollectContext, Collected } from "../agent.js";
import { ErrorList } from "../error-list.js";
import { CommandError } from "../run-command.js";
import { buildNetconfig } from "./build.js";
import { parseIpAddress } from "./parse-ip-address.js";
import { type DefaultRoute, parseDefaultRoutes } from "./parse-ip-route.js";
import { listSysInterfaces, readSysFacts, readSysLink, type SysFacts } from "./read-sys.js";
import type { LinkFacts, NetconfigData } from "./types.js";
import { vendorOf } from "./vendor.js";

export const IP_ADDRESS = ["-j", "-d", "address", "show"];
export const IP_ROUTE_V4 = ["-j", "-4", "route", "show", "default"];
export const IP_ROUTE_V6 = ["-j", "-6", "route", "show", "default"];

const command = (args: readonly string[]) => `ip ${args.join(" ")}`;

/** Interfaces read at once from /sys; hosts with thousands of veths stay within open-file limits. */
const SYS_BATCH = 64;

export async function collectNetconfig(ctx: CollectContext): Promise<Collected<NetconfigData>> {
  const errors = new ErrorList();
  const sources: string[] = [];

  let links = await linksFromIp(ctx, errors);
  if (links) {
    sources.push(command(IP_ADDRESS));
  } else {
    links = await linksFromSys(ctx, errors);
  }
  const routes = links.some((link) => link.ipaddrs !== null)
    ? await defaultRoutes(ctx, errors, sources)
    : null;

  const sys = new Map<string, SysFacts>();
  for (let i = 0; i < links.length; i += SYS_BATCH) {
    const batch = links.slice(i, i + SYS_BATCH);
    const facts = await Promise.all(
      batch.map((link) => readSysFacts(ctx.sysRoot, link.name, errors)),
    );
    for (const [j, link] of batch.entries()) sys.set(link.name, facts[j] as SysFacts);
  }
  sources.push(join(ctx.sysRoot, "class/net"));

  return {
    data: buildNetconfig({ links, sys, routes, vendorOf }),
    source: sources.join(", "),
    errors: errors.items,
  };
}

/** Interfaces and addresses from iproute2, or undefined when it cannot be run or read. */
async function linksFromIp(ctx: CollectContext, errors: ErrorList) {
  const where = command(IP_ADDRESS);
  try {
    const { stdout } = await ctx.run("ip", IP_ADDRESS);
    const parsed = parseIpAddress(stdout, where);
    for (const error of parsed.errors) errors.add(error.where, error.message);
    // Output that is not JSON at all (an iproute2 without -j) counts as no iproute2.
    if (parsed.links.length === 0 && stdout.trim() !== "[]") return undefined;
    return parsed.links;
  } catch (error) {
    errors.add(
      where,
      error instanceof CommandError && error.notInstalled
        ? "iproute2 is not installed; interfaces read from /sys, without IP addresses"
        : error,
    );
    return undefined;
  }
}

async function linksFromSys(ctx: CollectContext, errors: ErrorList): Promise<LinkFacts[]> {
  const links: LinkFacts[] = [];
  for (const name of await listSysInterfaces(ctx.sysRoot, errors)) {
    const link = await readSysLink(ctx.sysRoot, name, errors);
    if (link) links.push(link);
  }
  return links;
}

/** Default routes of both families, or null (with an error) when either could not be read. */
async function defaultRoutes(
  ctx: CollectContext,
  errors: ErrorList,
  sources: string[],
): Promise<DefaultRoute[] | null> {
  const routes: DefaultRoute[] = [];
  for (const args of [IP_ROUTE_V4, IP_ROUTE_V6]) {
    const where = command(args);
    let stdout: string;
    try {
      ({ stdout } = await ctx.run("ip", args));
    } catch (error) {
      // A kernel booted with ipv6.disable=1 has no IPv6 routes to show.
      if (args === IP_ROUTE_V6 && /address family not supported/i.test(String(error))) continue;
      errors.add(where, error);
      return null;
    }
    const parsed = parseDefaultRoutes(stdout, where);
    for (const error of parsed.errors) errors.add(error.where, error.message);
    routes.push(...parsed.routes);
    sources.push(where);
  }
  return routes;
}
