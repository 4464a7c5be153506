import { switchSystemKey } from "../graph/keys.js";

interface SwitchDocumentData {
  interfaces?: Record<string, { neighbours?: { chassis?: { id?: unknown } }[] }>;
}

/**
 * The switch whose ring a host joins: the switch heard on its first interface
 * (by name) that hears one, the lowest chassis id if it hears several; null
 * when no interface hears a switch.
 */
export function switchOfHost(switchDocumentData: unknown): string | null {
  const data = (switchDocumentData ?? {}) as SwitchDocumentData;
  const interfaces = Object.keys(data.interfaces ?? {}).sort();
  for (const name of interfaces) {
    const chassis = (data.interfaces?.[name]?.neighbours ?? [])
      .map((neighbour) => neighbour.chassis?.id)
      .filter((id): id is string => typeof id === "string" && id !== "")
      .sort();
    if (chassis[0] !== undefined) return switchSystemKey(chassis[0]);
  }
  return null;
}
