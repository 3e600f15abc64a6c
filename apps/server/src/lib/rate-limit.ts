import type { Clock } from './clock.js';

/**
 * A token bucket per key (an integration): `perMinute` events a minute with bursts up to that many.
 * Kept in memory per instance: with N instances the effective limit is up to N times higher, which
 * errs on the side of accepting alerts.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly clock: Clock) {}

  /** Takes `n` tokens for `key`; false (and nothing taken) when the bucket is empty. */
  take(key: string, perMinute: number, n = 1): boolean {
    const now = this.clock.now();
    const b = this.buckets.get(key) ?? { tokens: perMinute, at: now };
    b.tokens = Math.min(perMinute, b.tokens + ((now - b.at) * perMinute) / 60_000);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens < n) return false;
    b.tokens -= n;
    return true;
  }
}
