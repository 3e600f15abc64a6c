import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './database.js';
import type { Clock } from './lib/clock.js';
import type { EgressPolicy } from './lib/egress.js';
import type { SecretBox } from './lib/secret-box.js';
import type { Db } from './lib/db/index.js';
import type { Logger } from './lib/logger.js';
import { must } from './lib/must.js';

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
  /** The domain of integration email addresses (`<key>@<domain>`), when inbound email is on (KLAXON_INBOUND_EMAIL_DOMAIN). */
  inboundEmailDomain?: string;
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

/** The transaction a bound Ctx runs in, and what its verbs asked for, held until the outermost commit. */
interface TxScope {
  readonly trx: Transaction<Database>;
  /** Live events asked for at the current savepoint level, published after commit (never on rollback). */
  events: LiveEvent[];
  /** Some verb at the current savepoint level asked to wake the engine; done once after commit. */
  wake: boolean;
  /** Savepoints made so far, to name the next one. */
  savepoints: number;
}

const SCOPE = Symbol('klaxon.transaction');

/** A Ctx bound to a transaction by `withTransaction`: its database handles are that transaction. */
type BoundCtx = Ctx & { readonly [SCOPE]: TxScope };

function scopeOf(ctx: Ctx): TxScope | undefined {
  return (ctx as Partial<BoundCtx>)[SCOPE];
}

/** True inside `withTransaction`: the verbs called with this ctx run in the caller's transaction. */
export function inCallerTransaction(ctx: Ctx): boolean {
  return scopeOf(ctx) !== undefined;
}

/**
 * Runs `fn` in a transaction and publishes `events` it collected only after commit, so live
 * subscribers never see something that was rolled back.
 *
 * On a ctx bound by `withTransaction` it joins the caller's transaction instead of opening one (on
 * SQLite, with one connection, a second transaction would wait for the first forever): `fn` runs
 * inside a savepoint, so a verb that throws undoes its own writes as its own transaction would, and
 * its events wait for the caller's commit.
 */
export async function inTransaction<T>(ctx: Ctx, fn: (trx: Transaction<Database>, events: LiveEvent[]) => Promise<T>): Promise<T> {
  const scope = scopeOf(ctx);
  if (scope) return inSavepoint(scope, fn);
  const events: LiveEvent[] = [];
  const result = await ctx.db.kysely.transaction().execute((trx) => fn(trx, events));
  for (const e of events) ctx.publish(e);
  return result;
}

async function inSavepoint<T>(scope: TxScope, fn: (trx: Transaction<Database>, events: LiveEvent[]) => Promise<T>): Promise<T> {
  const name = sql.raw(`klaxon_sp_${++scope.savepoints}`);
  await sql`savepoint ${name}`.execute(scope.trx);
  // What is asked for inside the savepoint (events, a wake-up) is kept apart until it is released:
  // a savepoint rolled back takes its requests with it.
  const outer = { events: scope.events, wake: scope.wake };
  const events: LiveEvent[] = [];
  scope.events = events;
  scope.wake = false;
  let result: T;
  try {
    result = await fn(scope.trx, events);
  } catch (e) {
    scope.events = outer.events;
    scope.wake = outer.wake;
    // Also clears PostgreSQL's aborted state after a failed statement, so the caller may go on.
    await sql`rollback to savepoint ${name}`.execute(scope.trx);
    await sql`release savepoint ${name}`.execute(scope.trx);
    throw e;
  }
  const woke = scope.wake;
  scope.events = outer.events;
  scope.wake = outer.wake || woke;
  await sql`release savepoint ${name}`.execute(scope.trx);
  scope.events.push(...events);
  return result;
}

/** Thrown inside a transaction to roll it back while returning a value (`withTransaction`'s `rollback`). */
class RolledBack<T> {
  constructor(readonly value: T) {}
}

/**
 * Runs `fn` with a Ctx bound to one transaction: every service verb called with it joins that
 * transaction (see `inTransaction`), and direct queries on `tctx.db.kysely` (or `unsynced`) run in
 * it. The caller decides the boundary: all of it commits, or none of it. Live events and engine
 * wake-ups that the verbs ask for happen once, after the outermost commit, and never after a
 * rollback. With `rollback: true` the transaction is rolled back after `fn` returns and `fn`'s
 * result is returned: a dry run that runs exactly the code of the real run.
 *
 * Verbs on one bound ctx run one at a time (await each): they share one connection and savepoints
 * nest. Opening another transaction on a bound ctx (`tctx.db.kysely.transaction()`) throws.
 * Called with a bound ctx, it joins that transaction in a savepoint (and `rollback` undoes only
 * what `fn` did).
 */
export async function withTransaction<T>(ctx: Ctx, fn: (tctx: Ctx) => Promise<T>, opts: { rollback?: boolean } = {}): Promise<T> {
  const run = async (tctx: Ctx): Promise<T> => {
    const result = await fn(tctx);
    if (opts.rollback) throw new RolledBack(result);
    return result;
  };
  const outer = scopeOf(ctx);
  if (outer) {
    try {
      return await inSavepoint(outer, () => run(ctx));
    } catch (e) {
      if (e instanceof RolledBack) return (e as RolledBack<T>).value;
      throw e;
    }
  }
  let scope: TxScope | undefined;
  let result: T;
  try {
    result = await ctx.db.kysely.transaction().execute((trx) => {
      scope = { trx, events: [], wake: false, savepoints: 0 };
      return run(bind(ctx, scope));
    });
  } catch (e) {
    if (e instanceof RolledBack) return (e as RolledBack<T>).value;
    throw e;
  }
  for (const e of must(scope, 'scope').events) ctx.publish(e);
  if (must(scope, 'scope').wake) ctx.wake();
  return result;
}

function bind(ctx: Ctx, scope: TxScope): BoundCtx {
  const root = ctx.db;
  const db: Db<Database> = {
    kysely: scope.trx,
    unsynced: scope.trx,
    dialect: root.dialect,
    location: root.location,
    sync: () => root.sync(),
    durability: () => root.durability(),
    close: () => Promise.reject(new Error('close the database, not a transaction bound to it')),
  };
  // A child of ctx (not a copy), so whatever else the caller's ctx carries, even inherited, is kept.
  const own = (value: unknown) => ({ value, enumerable: true });
  return Object.create(ctx, {
    db: own(db),
    publish: own((e: LiveEvent) => void scope.events.push(e)),
    wake: own(() => void (scope.wake = true)),
    [SCOPE]: own(scope),
  }) as BoundCtx;
}
