/**
 * Parser of /proc/net/arp, the IPv4 table alone, read when iproute2 is not
 * there. It gives no NUD state: entries are complete (ATF_COM) or not, and
 * permanent (ATF_PERM) or not.
 *
 *   IP address       HW type     Flags       HW address            Mask     Device
 *   192.0.2.1        0x1         0x2         02:fc:00:00:00:05     *        eth0
 */
import type { DiscoveryError } from "../../../protocol/discovery-document.js";
import { LineErrors, quoted } from "../line-errors.js";
import { canonicalIp, canonicalMac, isZeroMac } from "../netconfig/addresses.js";
import { interfaceNameProblem } from "../netconfig/interface-name.js";
import type { NeighbourEntry } from "./types.js";

const ATF_COM = 0x02;
const ATF_PERM = 0x04;

export interface ParsedArp {
  entries: NeighbourEntry[];
  errors: DiscoveryError[];
}

export function parseProcArp(text: string, where: string): ParsedArp {
  const errors = new LineErrors(where);
  const entries: NeighbourEntry[] = [];
  const lines = text.split("\n");
  lines.forEach((line, index) => {
    if (index === 0 || line.trim() === "") return;
    const lineNumber = index + 1;
    const fields = line.trim().split(/\s+/);
    if (fields.length !== 6) {
      errors.add(lineNumber, `expected 6 fields, found ${fields.length}`);
      return;
    }
    const [address = "", , flagsText = "", hwAddress = "", , device = ""] = fields;
    const flags = /^0x[0-9a-f]{1,8}$/i.test(flagsText)
      ? Number.parseInt(flagsText, 16)
      : Number.NaN;
    if (Number.isNaN(flags)) {
      errors.add(lineNumber, `flags ${quoted(flagsText)} are not hexadecimal`);
      return;
    }
    if ((flags & ATF_COM) === 0) return;
    const ip = canonicalIp(address);
    if (ip?.family !== "ipv4") {
      errors.add(lineNumber, `${quoted(address)} is not an IPv4 address`);
      return;
    }
    const mac = canonicalMac(hwAddress);
    if (mac === undefined || isZeroMac(mac)) return;
    const problem = interfaceNameProblem(device);
    if (problem) {
      errors.add(lineNumber, `device ${quoted(device)} ${problem}`);
      return;
    }
    entries.push({
      device,
      ip: ip.ip,
      mac,
      state: flags & ATF_PERM ? "PERMANENT" : null,
      router: false,
    });
  });
  return { entries, errors: errors.finish() };
}
