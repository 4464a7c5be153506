import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { MAX_LINE_ERRORS } from "../line-errors.js";
import { parseIpNeigh } from "./parse-ip-neigh.js";
import { parseProcArp } from "./parse-proc-arp.js";

const HEADER = "IP address       HW type     Flags       HW address            Mask     Device\n";

describe("parseProcArp", () => {
  it("reads complete entries, marks permanent ones, and skips incomplete ones silently", () => {
    const text = `${HEADER}10.0.0.1 0x1 0x2 00:1B:21:00:00:01 * eth0\n10.0.0.2 0x1 0x6 00:1b:21:00:00:02 * eth0\n10.0.0.3 0x1 0x0 00:00:00:00:00:00 * eth0\n`;
    expect(parseProcArp(text, "arp")).toEqual({
      entries: [
        { device: "eth0", ip: "10.0.0.1", mac: "00:1b:21:00:00:01", state: null, router: false },
        {
          device: "eth0",
          ip: "10.0.0.2",
          mac: "00:1b:21:00:00:02",
          state: "PERMANENT",
          router: false,
        },
      ],
      errors: [],
    });
  });

  it("caps the errors of a file of binary junk", () => {
    const junk = Array.from({ length: 200 }, () =>
      randomBytes(40).toString("latin1").replaceAll("\n", " "),
    );
    const parsed = parseProcArp(`${HEADER}${junk.join("\n")}\n`, "arp");
    expect(parsed.entries).toEqual([]);
    expect(parsed.errors).toHaveLength(MAX_LINE_ERRORS + 1);
    expect(parsed.errors.at(-1)?.message).toMatch(
      /more malformed lines not listed \(\d+ in all\)$/,
    );
  });
});

describe("parseIpNeigh", () => {
  it("reads a large table in order", () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => ({
      dst: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
      dev: `eth${i % 4}`,
      lladdr: `02:00:00:00:${((i >> 8) & 255).toString(16).padStart(2, "0")}:${(i & 255).toString(16).padStart(2, "0")}`,
      state: ["STALE"],
    }));
    const parsed = parseIpNeigh(JSON.stringify(rows), "ip");
    expect(parsed.errors).toEqual([]);
    expect(parsed.entries).toHaveLength(20_000);
    expect(parsed.entries[257]).toEqual({
      device: "eth1",
      ip: "10.0.1.1",
      mac: "02:00:00:00:01:01",
      state: "STALE",
      router: false,
    });
  });

  it("reports output that is not JSON as one error", () => {
    const parsed = parseIpNeigh("10.0.0.1 dev eth0 lladdr 00:1b:21:00:00:01 STALE", "ip");
    expect(parsed.entries).toEqual([]);
    expect(parsed.errors).toHaveLength(1);
    expect(parsed.errors[0]?.where).toBe("ip");
  });
});
