/** Exponential backoff with a cap: attempt 1 -> base, 2 -> 2*base, ... capped at max. Deterministic (no jitter) so tests can predict due times. */
export function backoffMs(attempt: number, baseMs = 15_000, maxMs = 10 * 60_000): number {
  const n = Math.max(1, attempt);
  return Math.min(maxMs, baseMs * 2 ** (n - 1));
}
