import type { Tx } from '../context.js';
import type { Clock } from '../lib/clock.js';
import { findIntegrationByKey } from './service.js';
import type { Integration, Service } from './types.js';

type Found = { integration: Integration; service: Service } | undefined;

/**
 * Integration lookups by key for the ingest hot path, cached for a few seconds so a storm of events
 * costs no database read per request. A changed or deleted integration is seen by every instance
 * within the TTL; changes made through this process clear the cache at once.
 */
export class IntegrationKeyCache {
  private readonly entries = new Map<string, { found: Found; until: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs = 5_000,
    private readonly max = 10_000,
  ) {}

  /** The integration and service for a key (undefined if none), from the cache or the database. */
  async find(db: Tx, key: string): Promise<Found> {
    const now = this.clock.now();
    const hit = this.entries.get(key);
    if (hit && hit.until > now) return hit.found;
    const found = await findIntegrationByKey(db, key);
    if (this.entries.size >= this.max) this.entries.clear();
    this.entries.set(key, { found, until: now + this.ttlMs });
    return found;
  }

  /** Forgets everything (after an integration or service changed). */
  clear(): void {
    this.entries.clear();
  }
}
