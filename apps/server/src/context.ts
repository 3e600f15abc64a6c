import type { Kysely, Transaction } from 'kysely';
import type { Database } from './database.js';
import type { Clock } from './lib/clock.js';
import type { EgressPolicy } from './lib/egress.js';
import type { SecretBox } from './lib/secret-box.js';
import type { Db } from './lib/db/index.js';
import type { Logger } from './lib/logger.js';

/** Something that happened, published to live subscribers after its transaction commits. */
export interface LiveEvent {
  type: string;
  incidentId?: string;
  data?: Record<string, unknown>;
}

/** Everything a service verb needs from the running process. Built once in app/, passed down. */
export interface Ctx {
  db: Db<Database>;
  clock: Clock;
  log: Logger;
  /** Absolute base URL for links in messages, e.g. https://klaxon.example.com */
  publicUrl: string;
  /** Secret for signing links (acknowledge from email); shared by every instance through the database. */
  linkSecret: string;
  /**
   * The egress policy every request made on a user's behalf goes through (lib/egress.ts). Absent
   * (tools and benchmarks that build a bare context): the default policy, nothing internal allowed.
   */
  egress?: EgressPolicy;
  /** Encrypts stored credentials (war-room action secrets, integration signing secrets) with KLAXON_SECRET_KEY (lib/secret-box.ts). */
  secretBox?: SecretBox;
  /** Asks the engine to run a cycle soon (new work arrived). */
  wake(): void;
  /** Publishes a live event (after commit). */
  publish(event: LiveEvent): void;
}

/** A Kysely handle that may be a transaction. */
export type Tx = Kysely<Database> | Transaction<Database>;

/**
 * Runs `fn` in a transaction and publishes `events` it collected only after commit, so live
 * subscribers never see something that was rolled back.
 */
export async function inTransaction<T>(ctx: Ctx, fn: (trx: Transaction<Database>, events: LiveEvent[]) => Promise<T>): Promise<T> {
  const events: LiveEvent[] = [];
  const result = await ctx.db.kysely.transaction().execute((trx) => fn(trx, events));
  for (const e of events) ctx.publish(e);
  return result;
}
