/** Reading graph properties as record fields: absent or mistyped values become null. */
import type { PropValue } from "../cma/graph/store.js";
import type { FieldObject, FieldValue } from "./records.js";

type Props = Readonly<Record<string, PropValue>>;

export function text(props: Props, name: string): string | null {
  const value = props[name];
  return typeof value === "string" ? value : null;
}

export function integer(props: Props, name: string): number | null {
  const value = props[name];
  return typeof value === "number" ? value : null;
}

export function flag(props: Props, name: string): boolean | null {
  const value = props[name];
  return typeof value === "boolean" ? value : null;
}

export function list(props: Props, name: string): FieldValue[] {
  const value = props[name];
  return Array.isArray(value) ? [...(value as FieldValue[])] : [];
}

/** The named properties, copied as they are (null when absent). */
export function pick(props: Props, names: readonly string[]): FieldObject {
  const fields: FieldObject = {};
  for (const name of names) {
    const value = props[name];
    fields[name] =
      value === undefined
        ? null
        : Array.isArray(value)
          ? [...(value as FieldValue[])]
          : (value as FieldValue);
  }
  return fields;
}

/** "proto/address:port", IPv6 addresses in brackets, as the queries print them. */
export function endpoint(proto: string, ip: string, port: number): string {
  return `${proto}/${ip.includes(":") ? `[${ip}]` : ip}:${port}`;
}

/** The part of a key after its first `prefix` ("host:abc" → "abc"). */
export function after(key: string, prefix: string): string {
  return key.startsWith(prefix) ? key.slice(prefix.length) : key;
}

/** Orders strings by code point, the same on every machine and locale. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
