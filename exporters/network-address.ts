/** The network address of a parsed address and a prefix length, without parsing the address again. */
import ipaddr from "ipaddr.js";

/** What ipaddr's networkAddressFromCIDR gives for "<ip>/<prefix>" (prefix within the address's length). */
export function networkAddress(ip: ipaddr.IPv4 | ipaddr.IPv6, prefix: number): string {
  if (ip.kind() === "ipv4") {
    const mask = ipaddr.IPv4.subnetMaskFromPrefixLength(prefix).toByteArray();
    return new ipaddr.IPv4(ip.toByteArray().map((b, i) => b & (mask[i] as number))).toString();
  }
  const mask = ipaddr.IPv6.subnetMaskFromPrefixLength(prefix).toByteArray();
  return new ipaddr.IPv6(ip.toByteArray().map((b, i) => b & (mask[i] as number))).toString();
}
