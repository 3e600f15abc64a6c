/**
 * A database that cannot write because its disk is full: SQLite's SQLITE_FULL, an ENOSPC from the
 * file system (the WAL's fdatasync), PostgreSQL's SQLSTATE 53100 disk_full. Nothing a client sent
 * is wrong, so the HTTP layer answers 503 with Retry-After (senders retry 5xx), and /readyz reports
 * the database unready until a write succeeds again (see `WriteHealth`).
 */

/** Seconds a client is asked to wait before retrying while the disk is full. */
export const DISK_FULL_RETRY_AFTER_S = 30;

/** What a client is told (the cause is in the server's log). */
export const DISK_FULL_MESSAGE = 'The server cannot store this now: its database disk is full. Retry later; the operator has been told in the log.';

/** True for an error (or any error in its `cause` chain) that says the database's disk is full. */
export function isDiskFull(err: unknown): boolean {
  for (let e = err as { code?: unknown; errno?: unknown; cause?: unknown; message?: unknown } | null | undefined, n = 0; e && typeof e === 'object' && n < 8; e = e.cause as typeof e, n++) {
    if (e.code === 'SQLITE_FULL' || e.code === 'ENOSPC' || e.code === '53100') return true;
    // PostgreSQL also reports a full disk as an I/O error (58030, e.g. writing a file it had
    // extended) or, from some paths, only in the message ("No space left on device").
    if (e.code === '58030' && typeof e.message === 'string' && /no space left/i.test(e.message)) return true;
    if (typeof e.message === 'string' && /no space left on device/i.test(e.message)) return true;
  }
  return false;
}

/**
 * Whether writes to a database are failing for lack of space, per database (by location): set when
 * a write fails with a full disk, cleared by the next write that succeeds (the readiness probe).
 */
export class WriteHealth {
  /** The error of the last failed write, or null when writes work. */
  failing: Error | null = null;
  since = 0;

  failed(err: unknown): void {
    if (!this.failing) this.since = Date.now();
    this.failing = err instanceof Error ? err : new Error(String(err));
  }

  ok(): void {
    this.failing = null;
  }
}

const byLocation = new Map<string, WriteHealth>();

/** The write health of the database at `location` (one per database in this process). */
export function writeHealth(location: string): WriteHealth {
  let h = byLocation.get(location);
  if (!h) byLocation.set(location, (h = new WriteHealth()));
  return h;
}
