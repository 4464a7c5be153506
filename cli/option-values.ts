/** Option values the commands share: whole numbers in a range, TCP listen addresses. */
import { parseAddress } from "../protocol/address.js";
import { UsageError } from "./errors.js";

export function wholeNumber(option: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < min || value > max) {
    throw new UsageError(`${option} must be a whole number from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

/** "IP:PORT" (or "[IPv6]:PORT") where a server listens; `defaultPort` when the port is left out. */
export function listenAddress(
  option: string,
  text: string,
  defaultPort?: number,
): { host: string; port: number } {
  try {
    const { address, port } = parseAddress(text, defaultPort);
    return { host: address, port };
  } catch (error) {
    throw new UsageError(`${option}: ${(error as Error).message}`);
  }
}
