/** `assim switch decode`, run as a process on the sample captures and on broken files. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runAssim } from "../../test/support/cli.js";

const FIXTURES = join(import.meta.dirname, "..", "..", "probe", "switch", "decode", "fixtures");
const fixture = (name: string) => join(FIXTURES, name);

function lines(stdout: string): Record<string, unknown>[] {
  return stdout
    .trimEnd()
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("assim switch decode", () => {
  const scratch = mkdtempSync(join(tmpdir(), "assim-switch-decode-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it.each([[["switch"]], [["switch", "decode"]]])("%j --help prints usage and exits 0", (args) => {
    const result = runAssim([...args, "--help"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: assim switch/);
  });

  it("without a file it is a usage error", () => {
    const result = runAssim(["switch", "decode"]);
    expect(result.status).not.toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("missing required argument 'file'");
  });

  it("prints one line per frame: ignored DTP, CDP over Ethernet and over Cisco HDLC", () => {
    const files = [fixture("n0.eth2.cdp.pcap"), fixture("cdp_v2_hdlc.pcap")];
    const result = runAssim(["switch", "decode", ...files]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const records = lines(result.stdout);
    expect(records.map((r) => [r.file, r.frame, r.protocol])).toEqual([
      [files[0], 1, "dtp"],
      [files[0], 2, "cdp"],
      [files[1], 1, "cdp"],
    ]);
    expect(records[0]).toEqual({
      file: files[0],
      frame: 1,
      protocol: "dtp",
      ignored: "cisco snap pid 0x2004",
    });
    expect(records[1]).toMatchObject({
      ttl_seconds: 180,
      chassis: { id: "csr706a.pbm.ihost.com", platform: "cisco WS-C3750G-24TS" },
      port: { id: "GigabitEthernet1/0/4", vlan_id: 77, duplex: "full" },
      source_mac: "00:0f:23:b0:62:84",
    });
    expect(records[2]).toMatchObject({ chassis: { id: "R1" }, port: { id: "Serial1/0" } });
  });

  it("decodes LLDP-MED fields", () => {
    const result = runAssim(["switch", "decode", fixture("lldpmed_civicloc.pcap")]);
    expect(result.status).toBe(0);
    const [record] = lines(result.stdout);
    expect(record).toMatchObject({
      protocol: "lldp",
      chassis: { name: "ProCurve Switch 2600-8-PWR", med: { device_type: "network_connectivity" } },
      port: { voice_vlan: 50, speed_mbps: 100, duplex: "full" },
    });
  });

  it("reports a frame cut by the snap length as an error record naming TLV and offset", () => {
    const result = runAssim(["switch", "decode", fixture("procurve.lldp.pcap")]);
    expect(result.status).toBe(0);
    const records = lines(result.stdout);
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({
      frame: 1,
      protocol: "lldp",
      capture_truncated: { captured: 96, original: 171 },
      error: { tlv: "system description", offset: 58 },
      partial: { chassis: { name: "ProCurve Switch 2824" }, port: { id: "22" } },
    });
  });

  it("exits 1 for unreadable files, naming each, and still decodes the readable ones", () => {
    const text = join(scratch, "notes.pcap");
    writeFileSync(text, "not a capture at all\n");
    const missing = join(scratch, "missing.pcap");
    const result = runAssim(["switch", "decode", text, fixture("cdp.pcap"), missing]);
    expect(result.status).toBe(1);
    expect(lines(result.stdout).map((r) => r.file)).toEqual([fixture("cdp.pcap")]);
    expect(result.stderr).toContain(`assim switch decode: ${text}: not a pcap or pcapng file`);
    expect(result.stderr).toContain(`assim switch decode: ${missing}: cannot open: ENOENT`);
  });

  it("exits 1 for a file cut inside a record, after printing the frames before the cut", () => {
    const whole = readFileSync(fixture("cdp_v2.pcap"));
    const cut = join(scratch, "cut.pcap");
    // Four records of 16 + 465 bytes after the 24-byte header: keep two and a half.
    writeFileSync(cut, whole.subarray(0, 24 + 2 * 481 + 100));
    const result = runAssim(["switch", "decode", cut]);
    expect(result.status).toBe(1);
    expect(lines(result.stdout).map((r) => r.frame)).toEqual([1, 2]);
    expect(result.stderr).toContain(
      `${cut}: record data cut short: 84 of 465 bytes present (at byte offset ${24 + 2 * 481})`,
    );
  });
});
