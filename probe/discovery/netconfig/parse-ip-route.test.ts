import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseDefaultRoutes } from "./parse-ip-route.js";

const fixture = (path: string) => readFileSync(join(import.meta.dirname, "fixtures", path), "utf8");

describe("parseDefaultRoutes", () => {
  it("reads this machine's IPv4 and IPv6 default routes", () => {
    expect(parseDefaultRoutes(fixture("host/ip-route-4.json"), "v4")).toEqual({
      routes: [{ dev: "eth0", gateway: "192.0.2.1" }],
      errors: [],
    });
    expect(parseDefaultRoutes(fixture("host/ip-route-6.json"), "v6").routes).toEqual([
      { dev: "eth0", gateway: "fd00::1" },
    ]);
  });

  it("gives one entry per next hop of a multipath route and skips blackhole routes", () => {
    expect(parseDefaultRoutes(fixture("netns/ip-route-4.json"), "v4")).toEqual({
      routes: [
        { dev: "br0", gateway: "10.213.0.254" },
        { dev: "veth1", gateway: "10.213.1.254" },
      ],
      errors: [],
    });
  });

  it("reads a 'via inet6' next hop and routes straight onto a link", () => {
    const text = JSON.stringify([
      { dst: "default", via: { family: "inet6", host: "FE80::99" }, dev: "wg0", flags: [] },
      { dst: "default", dev: "ppp0", scope: "link", flags: [] },
      { type: "unreachable", dst: "default", metric: 9000, flags: [] },
      { type: "prohibit", dst: "default", metric: 9001, flags: [] },
      { dst: "10.0.0.0/8", gateway: "10.0.0.1", dev: "eth0" },
    ]);
    expect(parseDefaultRoutes(text, "v4")).toEqual({
      routes: [
        { dev: "wg0", gateway: "fe80::99" },
        { dev: "ppp0", gateway: null },
      ],
      errors: [],
    });
  });

  it("records broken entries and keeps going", () => {
    const text = JSON.stringify([
      "junk",
      { dst: "default", gateway: "10.0.0.1" },
      { dst: "default", gateway: "not-an-ip", dev: "eth0" },
      { dst: "default", gateway: "10.0.0.1", dev: "bad/name" },
      { dst: "default", nexthops: [7, { gateway: "10.0.0.2", dev: "eth1" }] },
    ]);
    expect(parseDefaultRoutes(text, "ip route")).toEqual({
      routes: [
        { dev: "eth0", gateway: null },
        { dev: "eth1", gateway: "10.0.0.2" },
      ],
      errors: [
        { where: "ip route: entry 0", message: "not an object; skipped" },
        { where: "ip route: entry 1", message: "default route without a device; skipped" },
        {
          where: "ip route: entry 2",
          message: 'gateway "not-an-ip" is not an IP address; route kept without it',
        },
        {
          where: "ip route: entry 3",
          message: `device "bad/name" holds '/', ':' or white space; skipped`,
        },
        { where: "ip route: entry 4 nexthop 0", message: "not an object; skipped" },
      ],
    });
  });

  it("reports output that is not JSON as one error", () => {
    const parsed = parseDefaultRoutes("default via 10.0.0.1 dev eth0", "ip route");
    expect(parsed.routes).toEqual([]);
    expect(parsed.errors).toHaveLength(1);
    expect(parsed.errors[0]?.where).toBe("ip route");
  });
});
