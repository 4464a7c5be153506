import { Lru } from "./lru.js";

/** Token buckets keyed by source: `rate` per second, bursts up to `burst`. Bounded in sources. */
export class SourceRateLimit {
  private readonly buckets = new Lru<string, { tokens: number; at: number }>(65_536);

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  take(source: string): boolean {
    const now = this.now();
    const bucket = this.buckets.get(source) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.rate);
    bucket.at = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.buckets.set(source, bucket);
    return allowed;
  }
}
