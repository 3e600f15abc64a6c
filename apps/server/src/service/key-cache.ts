import type { Tx } from '../context.js';
import type { Clock } from '../lib/clock.js';
import { findIntegrationByKey } from './service.js';
import type { Integration, Service } from './types.js';

type Found = { integration: Integration; service: Service } | undefined;

interface Entry {
  found: Promise<Found>;
  /** Fresh until then (clock ms). */
  until: number;
  /** A lookup to replace this entry is under way. */
  refreshing: boolean;
}

/**
 * Integration lookups by key for the ingest hot path, cached for a few seconds so a storm of events
 * costs no database read per request. A changed or deleted integration is seen by every instance
 * within the TTL (one more TTL at most while a refresh is under way); changes made through this
 * process clear the cache at once.
 *
 * Requests that miss together share one lookup, and an entry that has just gone stale keeps
 * answering while one lookup refreshes it: otherwise the 50 requests of a storm that arrive as an
 * entry expires (or the first 50 after a start) each queue a read on the database connection
 * between ingest commits.
 */
export class IntegrationKeyCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs = 5_000,
    private readonly max = 10_000,
    /** The lookup (tests wrap the real one to count calls). */
    private readonly findByKey: (db: Tx, key: string) => Promise<Found> = findIntegrationByKey,
  ) {}

  /** The integration and service for a key (undefined if none), from the cache or the database. */
  find(db: Tx, key: string): Promise<Found> {
    const now = this.clock.now();
    const hit = this.entries.get(key);
    if (hit && now < hit.until) return hit.found; // fresh, or a lookup in flight that this request shares
    if (hit && now < hit.until + this.ttlMs) {
      this.refresh(db, key, hit);
      return hit.found;
    }
    if (this.entries.size >= this.max) this.entries.clear();
    const entry = this.lookup(db, key);
    this.entries.set(key, entry);
    return entry.found;
  }

  /** One database lookup; fresh for the TTL from its answer. A failed lookup is not kept. */
  private lookup(db: Tx, key: string): Entry {
    const entry: Entry = { found: this.findByKey(db, key), until: Infinity, refreshing: false };
    entry.found.then(
      () => (entry.until = this.clock.now() + this.ttlMs),
      () => this.entries.get(key) === entry && this.entries.delete(key),
    );
    return entry;
  }

  /** Replaces a stale entry once a new lookup has answered; the stale one answers meanwhile. */
  private refresh(db: Tx, key: string, stale: Entry): void {
    if (stale.refreshing) return;
    stale.refreshing = true;
    const next = this.lookup(db, key);
    next.found.then(
      () => this.entries.get(key) === stale && this.entries.set(key, next),
      () => (stale.refreshing = false),
    );
  }

  /** Forgets everything (after an integration or service changed). */
  clear(): void {
    this.entries.clear();
  }
}
