/**
 * Which probe keys the CMA trusts, kept as files so `assim keys` can change it
 * while the CMA runs:
 *
 *   DIR/trusted/<key>.json   trusted (approved, or trusted on first use)
 *   DIR/pending/<key>.json   seen, waiting for `assim keys approve`
 *   DIR/revoked/<key>.json   refused; its packets are dropped before any crypto
 *
 * A key is base64url, so it is a safe file name. Each file holds who the key
 * was seen as (address, first seen, fingerprint). The CMA reloads the
 * directories when asked (refresh), at most once a second, and only when one
 * of them changed: a large fleet's trusted/ is not listed every second.
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { fingerprint, isPublicKey } from "../../protocol/crypto/keys.js";

export type TrustMode = "tofu" | "approve";
export type TrustState = "trusted" | "pending" | "revoked";
const STATES: readonly TrustState[] = ["trusted", "pending", "revoked"];

export interface TrustEntry {
  key: string;
  fingerprint: string;
  state: TrustState;
  from: string | null;
  first_seen: string | null;
  decided_at: string | null;
  decided_by: string | null;
}

export class TrustSelectorError extends Error {
  override name = "TrustSelectorError";
}

export class TrustStore {
  private states = new Map<string, TrustState>();
  private loadedAt = 0;
  private signature = "";
  /** Grows with every reload that found the directories changed: callers redo what depends on trust. */
  generation = 0;

  constructor(
    readonly dir: string,
    readonly mode: TrustMode,
  ) {
    for (const state of STATES) mkdirSync(join(dir, state), { recursive: true, mode: 0o700 });
    this.reload();
  }

  /** Reads the directories again when the last read is older than maxAgeMs and one changed since. */
  refresh(maxAgeMs = 1000): void {
    if (Date.now() - this.loadedAt < maxAgeMs) return;
    if (this.directoriesSignature() === this.signature) {
      this.loadedAt = Date.now();
      return;
    }
    this.reload();
  }

  private directoriesSignature(): string {
    return STATES.map((state) => statSync(join(this.dir, state), { bigint: true }).mtimeNs).join(
      ":",
    );
  }

  reload(): void {
    const signature = this.directoriesSignature();
    const states = new Map<string, TrustState>();
    // Later wins: a key in two directories (an interrupted move) counts as revoked, then trusted.
    for (const state of ["pending", "trusted", "revoked"] as const) {
      for (const name of readdirSync(join(this.dir, state))) {
        const key = name.slice(0, -".json".length);
        if (name.endsWith(".json") && isPublicKey(key)) states.set(key, state);
      }
    }
    this.states = states;
    this.loadedAt = Date.now();
    if (signature !== this.signature) this.generation++;
    this.signature = signature;
  }

  /** Whether packets from this key are worth opening: anything not revoked. */
  admits(key: string): boolean {
    return this.states.get(key) !== "revoked";
  }

  /** The decision for a STARTUP: records a new key (trusted in tofu mode, pending otherwise). */
  decide(key: string, from: string): "trusted" | "pending" | "refused" {
    this.refresh();
    const state = this.states.get(key);
    if (state === "trusted") return "trusted";
    if (state === "revoked") return "refused";
    if (state === "pending") return "pending";
    const next: TrustState = this.mode === "tofu" ? "trusted" : "pending";
    const now = new Date().toISOString();
    this.write(next, {
      key,
      fingerprint: fingerprint(key),
      state: next,
      from,
      first_seen: now,
      decided_at: next === "trusted" ? now : null,
      decided_by: next === "trusted" ? "trust on first use" : null,
    });
    this.states.set(key, next);
    return next === "trusted" ? "trusted" : "pending";
  }

  list(): TrustEntry[] {
    this.reload();
    const entries: TrustEntry[] = [];
    for (const [key, state] of this.states) {
      const stored = this.read(state, key);
      entries.push({
        key,
        fingerprint: fingerprint(key),
        state,
        from: stored?.from ?? null,
        first_seen: stored?.first_seen ?? null,
        decided_at: stored?.decided_at ?? null,
        decided_by: stored?.decided_by ?? null,
      });
    }
    return entries.sort((a, b) => a.state.localeCompare(b.state) || a.key.localeCompare(b.key));
  }

  /**
   * Keys matching a selector: a whole key, a fingerprint or its prefix (at least 6
   * hex digits), or "pending" for every pending key. Throws when nothing or, for a
   * prefix, more than one key matches.
   */
  select(selector: string): string[] {
    this.reload();
    if (selector === "pending")
      return [...this.states].filter(([, state]) => state === "pending").map(([key]) => key);
    if (isPublicKey(selector)) return [selector];
    if (!/^[0-9a-f]{6,16}$/.test(selector)) {
      throw new TrustSelectorError(
        `"${selector.slice(0, 60)}" is neither a key (43 base64url characters), a fingerprint (6-16 hex digits) nor "pending"`,
      );
    }
    const matches = [...this.states.keys()].filter((key) => fingerprint(key).startsWith(selector));
    if (matches.length === 0)
      throw new TrustSelectorError(`no known key has fingerprint ${selector}`);
    if (matches.length > 1)
      throw new TrustSelectorError(
        `fingerprint ${selector} matches ${matches.length} keys: give more digits`,
      );
    return matches;
  }

  /** Moves keys to a state; returns the entries changed. */
  set(keys: readonly string[], state: "trusted" | "revoked", by: string): TrustEntry[] {
    const changed: TrustEntry[] = [];
    const now = new Date().toISOString();
    for (const key of keys) {
      const previous = this.states.get(key);
      if (previous === state) continue;
      const stored = previous ? this.read(previous, key) : null;
      const entry: TrustEntry = {
        key,
        fingerprint: fingerprint(key),
        state,
        from: stored?.from ?? null,
        first_seen: stored?.first_seen ?? null,
        decided_at: now,
        decided_by: by,
      };
      this.write(state, entry);
      for (const other of STATES)
        if (other !== state) rmSync(this.file(other, key), { force: true });
      this.states.set(key, state);
      changed.push(entry);
    }
    return changed;
  }

  private file(state: TrustState, key: string): string {
    return join(this.dir, state, `${key}.json`);
  }

  private read(state: TrustState, key: string): Partial<TrustEntry> | null {
    const file = this.file(state, key);
    if (!existsSync(file)) return null;
    try {
      return JSON.parse(readFileSync(file, "utf8")) as Partial<TrustEntry>;
    } catch {
      return null;
    }
  }

  private write(state: TrustState, entry: TrustEntry): void {
    // Synchronous on purpose: a decision is recorded before the STARTUP is answered.
    const file = this.file(state, entry.key);
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(entry, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, file);
  }
}
