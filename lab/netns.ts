/**
 * Network namespaces for tests and the lab: created and removed by their
 * owner, so traffic stays between addresses it owns. Needs root (CAP_SYS_ADMIN).
 */
import { execFileSync, spawnSync } from "node:child_process";

export function canCreateNamespaces(): { ok: boolean; reason: string } {
  if (process.getuid?.() !== 0)
    return { ok: false, reason: "needs root to create network namespaces" };
  const probe = spawnSync("ip", ["netns", "list"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    return { ok: false, reason: `ip netns is unusable: ${probe.error?.message ?? probe.stderr}` };
  }
  return { ok: true, reason: "" };
}

/** A name unique to this test process, short enough for interface names (15 chars). */
export function uniqueName(prefix: string): string {
  return `${prefix}${process.pid.toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`.slice(
    0,
    15,
  );
}

/** Every named network namespace (`ip netns list`), without the "(id: N)" suffix. */
export function listNamespaces(): string[] {
  const result = spawnSync("ip", ["netns", "list"], { encoding: "utf8" });
  if (result.status !== 0) return [];
  return result.stdout
    .split("\n")
    .map((line) => line.split(" ")[0] ?? "")
    .filter((name) => name !== "");
}

/** The processes inside a namespace (`ip netns pids`); none when it does not exist. */
export function namespacePids(ns: string): number[] {
  const result = spawnSync("ip", ["netns", "pids", ns], { encoding: "utf8" });
  if (result.status !== 0) return [];
  return result.stdout
    .split("\n")
    .filter((line) => /^\d+$/.test(line))
    .map(Number);
}

export function ip(...args: string[]): string {
  return execFileSync("ip", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** Runs `ip ...` inside namespace ns. */
export function ipIn(ns: string, ...args: string[]): string {
  return ip("-n", ns, ...args);
}

export function execIn(ns: string, program: string, args: string[]): string {
  return execFileSync("ip", ["netns", "exec", ns, program, ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 256 * 1024 * 1024,
  });
}

export class Namespace {
  private constructor(readonly name: string) {}

  /** A fresh namespace with loopback up; IPv6 off unless asked, so the kernel stays silent. */
  static create(prefix: string, options: { ipv6?: boolean } = {}): Namespace {
    const ns = new Namespace(uniqueName(prefix));
    ip("netns", "add", ns.name);
    if (!options.ipv6) {
      execIn(ns.name, "sysctl", ["-q", "-w", "net.ipv6.conf.all.disable_ipv6=1"]);
      execIn(ns.name, "sysctl", ["-q", "-w", "net.ipv6.conf.default.disable_ipv6=1"]);
    }
    ipIn(ns.name, "link", "set", "lo", "up");
    return ns;
  }

  ip(...args: string[]): string {
    return ipIn(this.name, ...args);
  }

  exec(program: string, args: string[]): string {
    return execIn(this.name, program, args);
  }

  remove(): void {
    spawnSync("ip", ["netns", "del", this.name]);
  }
}

/** Connects two namespaces with a veth pair; returns the interface names (a side, b side). */
export function vethBetween(a: Namespace, b: Namespace, prefix = "v"): [string, string] {
  const aName = uniqueName(`${prefix}a`);
  const bName = uniqueName(`${prefix}b`);
  ip("link", "add", aName, "netns", a.name, "type", "veth", "peer", "name", bName, "netns", b.name);
  return [aName, bName];
}
