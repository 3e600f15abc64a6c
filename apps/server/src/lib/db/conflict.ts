/**
 * Transactions that lose a race with another instance on PostgreSQL. Two instances can do the same
 * thing at once (the same new alert reaching both): one commit wins a unique index or a row, and
 * PostgreSQL fails the other with a unique violation (23505), a serialization failure (40001) or a
 * deadlock (40P01). Run again, the loser sees what the winner committed (an open alert to count the
 * event on). SQLite never raises these between our own transactions: one process writes at a time.
 */
const RACE_STATES = new Set(['40001', '40P01']);
const UNIQUE_VIOLATION = '23505';

/** How many times {@link retryRaces} runs the work before it lets the error through. */
export const RACE_ATTEMPTS = 6;

/** Whether an error is PostgreSQL telling a transaction it lost a race (see the module comment). */
export function isLostRace(err: unknown, o: { uniqueViolations: boolean }): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (RACE_STATES.has(code) || (o.uniqueViolations && code === UNIQUE_VIOLATION));
}

/**
 * Runs `work` (a whole transaction) again while it loses races, after a short random wait that grows
 * with each attempt, so the instances that collided do not collide again in step. `uniqueViolations`:
 * count a unique violation as a lost race; only for work whose unique keys are all fresh ids or
 * looked up first (ingest), where a violation can only mean another transaction inserted the row first.
 */
export async function retryRaces<T>(work: () => Promise<T>, o: { uniqueViolations: boolean; onRetry?: (err: unknown, attempt: number) => void }): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (attempt >= RACE_ATTEMPTS || !isLostRace(err, o)) throw err;
      o.onRetry?.(err, attempt);
      await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
    }
  }
}
