import { isIP } from "node:net";
import type { UdpAddress } from "./transport.js";

/** "ip:port", with IPv6 in brackets: "[::1]:1984". */
export function formatAddress(address: UdpAddress): string {
  return isIP(address.address) === 6
    ? `[${address.address}]:${address.port}`
    : `${address.address}:${address.port}`;
}

/** Parses "ip:port" or "[ipv6]:port"; `defaultPort` applies when the port is left out. */
export function parseAddress(text: string, defaultPort?: number): UdpAddress {
  const trimmed = text.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(trimmed);
  let host: string;
  let port: string | undefined;
  if (bracketed) {
    host = bracketed[1] ?? "";
    port = bracketed[2];
  } else if (isIP(trimmed) === 6) {
    host = trimmed;
  } else {
    const colon = trimmed.lastIndexOf(":");
    host = colon < 0 ? trimmed : trimmed.slice(0, colon);
    port = colon < 0 ? undefined : trimmed.slice(colon + 1);
  }
  if (isIP(host) === 0) throw new Error(`"${text}" is not an IP address (with an optional :port)`);
  const portNumber = port === undefined ? defaultPort : Number(port);
  if (
    portNumber === undefined ||
    !Number.isInteger(portNumber) ||
    portNumber < 0 ||
    portNumber > 65535 ||
    (port !== undefined && !/^\d+$/.test(port))
  ) {
    throw new Error(`"${text}": the port must be a number from 0 to 65535`);
  }
  return { address: host, port: portNumber };
}
