/**
 * Token-bucket rate limiting per client, in memory. Buckets are evicted when full and idle so a
 * flood of distinct clients cannot grow the table without bound.
 */

/** Most client buckets kept; beyond it the oldest idle ones are dropped. */
export const MAX_BUCKETS = 100_000;

/** A rate: `perSecond` sustained, `burst` at once. */
export interface Rate {
  readonly perSecond: number;
  readonly burst: number;
}

/** Per-key token buckets. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly rate: Rate,
    private readonly now: () => number = () => performance.now() / 1000,
  ) {}

  /** Take one token for `key`; returns the seconds to wait (0 = allowed). */
  take(key: string): number {
    const t = this.now();
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= MAX_BUCKETS) this.evict(t);
      b = { tokens: this.rate.burst, at: t };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(this.rate.burst, b.tokens + (t - b.at) * this.rate.perSecond);
    b.at = t;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return (1 - b.tokens) / this.rate.perSecond;
  }

  private evict(t: number): void {
    for (const [k, b] of this.buckets) {
      if (b.tokens + (t - b.at) * this.rate.perSecond >= this.rate.burst) this.buckets.delete(k);
      if (this.buckets.size < MAX_BUCKETS / 2) return;
    }
    // Everyone is active: drop the oldest half rather than grow.
    let n = 0;
    for (const k of this.buckets.keys()) {
      if (n++ >= MAX_BUCKETS / 2) break;
      this.buckets.delete(k);
    }
  }
}
