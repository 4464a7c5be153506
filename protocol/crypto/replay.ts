import { Lru } from "./lru.js";

const WINDOW = 1024n;

interface Window {
  highest: bigint;
  /** Bit i set: counter (highest - i) was seen. */
  seen: bigint;
}

/**
 * Sliding replay windows (as IPsec and WireGuard keep), one per sender start:
 * a counter seen before, or older than the window, is a replay. Bounded: the
 * least recently used windows are dropped (a dropped start must then be
 * renegotiated by the reliable layer before its packets mean anything).
 */
export class ReplayWindows {
  private readonly windows: Lru<string, Window>;

  constructor(capacity = 100_000) {
    this.windows = new Lru(capacity);
  }

  /** True when (sender, start, counter) is fresh; call only after it authenticated. */
  accept(sender: string, startId: string, counter: bigint): boolean {
    const id = `${sender}/${startId}`;
    const window = this.windows.get(id);
    if (!window) {
      this.windows.set(id, { highest: counter, seen: 1n });
      return true;
    }
    if (counter > window.highest) {
      const shift = counter - window.highest;
      window.seen = shift >= WINDOW ? 1n : ((window.seen << shift) | 1n) & ((1n << WINDOW) - 1n);
      window.highest = counter;
      return true;
    }
    const age = window.highest - counter;
    if (age >= WINDOW) return false;
    const bit = 1n << age;
    if (window.seen & bit) return false;
    window.seen |= bit;
    return true;
  }
}
