/**
 * Inventory names from untrusted values. Group names use only ASCII letters,
 * digits and "_" and start with a letter (Ansible warns about anything else);
 * host names use letters, digits, ".", "-" and "_", start with a letter or a
 * digit, and never look like a host pattern ("web[1:3]", "host:22"). Names
 * are unique: a different value never shares a name with another.
 */

/** Names Ansible gives a meaning of its own. */
const RESERVED = new Set(["all", "ungrouped", "localhost", "127.0.0.1", "_meta"]);

/** The longest part a group or host name takes from a discovered value. */
const MAX_PART = 63;

/** Lowercase letters, digits and single "_" from any text; "" when nothing is left. */
export function groupPart(value: string): string {
  return value
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, MAX_PART)
    .replace(/_+$/, "");
}

export const GROUP_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SAFE_HOST = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

/** Gives out names that are unique, case-insensitively, and not reserved. */
export class NameBook {
  private readonly taken = new Set<string>(RESERVED);
  /** The last suffix unique() gave each base: every smaller one is taken (names are never freed). */
  private readonly lastSuffix = new Map<string, number>();

  isFree(name: string): boolean {
    return !this.taken.has(name.toLowerCase());
  }

  take(name: string): string {
    this.taken.add(name.toLowerCase());
    return name;
  }

  /** `base`, or `base<sep>2`, `base<sep>3`… the first that is free. */
  unique(base: string, sep = "_"): string {
    if (this.isFree(base)) return this.take(base);
    const series = `${base}\u0000${sep}`;
    for (let n = (this.lastSuffix.get(series) ?? 1) + 1; ; n++) {
      const name = `${base}${sep}${n}`;
      if (this.isFree(name)) {
        this.lastSuffix.set(series, n);
        return this.take(name);
      }
    }
  }
}

/**
 * Group names for the values of one kind ("os", "switch", "subnet"…): the
 * same key always gets the same group, two keys never share one; null when
 * nothing of the label can be used (the caller skips the group and warns).
 */
export class GroupNamer {
  private readonly names = new Map<string, string | null>();

  constructor(
    private readonly book: NameBook,
    private readonly prefix: string,
  ) {}

  /** The group of `key` (what makes two values the same), named after `label`. */
  name(key: string, label = key): string | null {
    const known = this.names.get(key);
    if (known !== undefined) return known;
    const part = groupPart(label);
    const name = part === "" ? null : this.book.unique(`${this.prefix}_${part}`);
    this.names.set(key, name);
    return name;
  }
}

/** Whether a hostname can be an inventory host name as it is. */
export function isSafeHostName(name: string): boolean {
  return SAFE_HOST.test(name) && !/\.\.|[._-]$/.test(name);
}

/** Letters, digits, ".", "-" and "_" of a hostname, others as "-"; "" when nothing is left. */
export function hostPart(value: string): string {
  return value
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/([._-])[._-]+/g, "$1")
    .replace(/^[^A-Za-z0-9]+/, "")
    .slice(0, MAX_PART)
    .replace(/[^A-Za-z0-9]+$/, "");
}

/**
 * The inventory name of each host: its hostname when that is safe and no
 * other host (or group) has it, else the sanitised hostname with a suffix of
 * its machine id ("web-1-a1a1a1a1"), else "host-<machine id>".
 */
export function hostNames(
  hosts: readonly { machineId: string; hostname: string | null }[],
  book: NameBook,
): string[] {
  const count = new Map<string, number>();
  for (const { hostname } of hosts) {
    if (hostname !== null) {
      const key = hostname.toLowerCase();
      count.set(key, (count.get(key) ?? 0) + 1);
    }
  }
  return hosts.map(({ machineId, hostname }) => {
    if (
      hostname !== null &&
      isSafeHostName(hostname) &&
      count.get(hostname.toLowerCase()) === 1 &&
      book.isFree(hostname)
    ) {
      return book.take(hostname);
    }
    const id = groupPart(machineId) || "unknown";
    const part = hostPart(hostname ?? "");
    const base = part === "" ? `host-${id}` : `${part}-${id.slice(0, 8)}`;
    if (book.isFree(base)) return book.take(base);
    return book.unique(part === "" ? base : `${part}-${id}`, "-");
  });
}
