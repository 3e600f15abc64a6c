import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresAdapter, PostgresDialect, sql, type Expression, type RawBuilder, type Transaction } from 'kysely';
import { dbStatements } from '../metrics.js';
import { prepareRepeatedStatements } from './pg-prepared.js';
import { Checkpointer } from './sqlite-checkpoint.js';
import { DurableSqliteDialect, SqliteCore, WalSync } from './sqlite-durable.js';

/** Which SQL engine a database runs on. Dialect differences live in this folder only. */
export type DialectName = 'sqlite' | 'postgres';

/** A Kysely instance plus what the rest of the code needs to know about it. */
export interface Db<DB> {
  /** The database. On SQLite a write resolves once its commit is on the disk (see sqlite-durable.ts). */
  readonly kysely: Kysely<DB>;
  /**
   * The same database, whose writes on SQLite resolve at commit without waiting for the disk; they
   * become durable with the next `sync()`. For work nobody outside has seen yet: the engine's
   * bookkeeping, and ingest, which calls `sync()` before it answers (so the next batch is processed
   * while the disk works). PostgreSQL: the same as `kysely`.
   */
  readonly unsynced: Kysely<DB>;
  /** Resolves when every commit made so far is on the disk (PostgreSQL: at once; its commits are). */
  sync(): Promise<void>;
  readonly dialect: DialectName;
  /** Human-readable location (file path or URL without password). */
  readonly location: string;
  /** SQLite: commits made and commits known to be on stable storage (see sqlite-durable.ts); PostgreSQL: null. */
  durability(): { committed: number; synced: number; syncs: number; checkpoints: number } | null;
  close(): Promise<void>;
}

// int8 (bigint) columns hold epoch milliseconds; they fit in a double, so parse them as numbers.
pg.types.setTypeParser(20, (v) => Number(v));

/** Opens a database: PostgreSQL for postgres:// URLs, otherwise an SQLite file path (WAL, durable commits). */
export function openDb<DB>(urlOrPath: string, opts: { poolSize?: number; preparedStatements?: boolean } = {}): Db<DB> {
  if (/^postgres(ql)?:\/\//.test(urlOrPath)) {
    const pool = new pg.Pool({ connectionString: urlOrPath, max: opts.poolSize ?? 10 });
    if (opts.preparedStatements !== false) pool.on('connect', (client) => prepareRepeatedStatements(client));
    // An idle client error (server restart) must not crash the process; the pool replaces the client.
    pool.on('error', () => {});
    // Every statement counted (klaxon_db_statements_total): Kysely's log hook sees BEGIN and COMMIT too.
    const counted = dbStatements.labels('postgres');
    const kysely = new Kysely<DB>({ dialect: new PostgresDialect({ pool }), log: () => counted.inc() });
    return { kysely, unsynced: kysely, dialect: 'postgres', location: urlOrPath.replace(/:[^:@/]*@/, ':***@'), sync: async () => {}, durability: () => null, close: () => kysely.destroy() };
  }
  if (urlOrPath !== ':memory:') mkdirSync(dirname(urlOrPath), { recursive: true });
  const database = new SQLite(urlOrPath);
  database.pragma('journal_mode = WAL');
  // Durable commits: NORMAL here, and every write waits for an fdatasync of the WAL on the thread
  // pool before it completes (see sqlite-durable.ts) — the guarantee of FULL without a stalled loop.
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  // Kysely prepares every statement anew; better-sqlite3 statements are reusable, so cache them by SQL text.
  const statements = new Map<string, SQLite.Statement>();
  const cached = {
    close: () => database.close(),
    prepare: (text: string) => {
      let st = statements.get(text);
      if (!st) {
        st = database.prepare(text);
        if (statements.size < 1000) statements.set(text, st);
      }
      return st;
    },
  };
  const wal = urlOrPath === ':memory:' ? null : new WalSync(`${urlOrPath}-wal`);
  // Checkpoints run in a worker thread, not inside a commit on the event loop (sqlite-checkpoint.ts).
  let checkpointer: Checkpointer | null = null;
  if (urlOrPath !== ':memory:') {
    database.pragma('wal_autocheckpoint = 0');
    // A WAL that grew during a long storm is cut back to 64 MiB when it starts over.
    database.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
    checkpointer = new Checkpointer(urlOrPath, 500, (err) => process.emitWarning(err instanceof Error ? err : new Error(String(err))));
  }
  const core = new SqliteCore(cached, wal, checkpointer);
  // Statements are counted (klaxon_db_statements_total) by the connection both share (sqlite-durable.ts).
  const kysely = new Kysely<DB>({ dialect: new DurableSqliteDialect(core, true) });
  const unsynced = new Kysely<DB>({ dialect: new DurableSqliteDialect(core, false) });
  return {
    kysely,
    unsynced,
    dialect: 'sqlite',
    location: urlOrPath,
    sync: () => core.sync(),
    durability: () => (wal ? { ...wal.durability(), checkpoints: checkpointer?.runs ?? 0 } : null),
    close: () => kysely.destroy(),
  };
}

/** A Kysely handle that may be a transaction; store functions accept either. */
export type Executor<DB> = Kysely<DB> | Transaction<DB>;

/**
 * The dialect a handle (a database or one of its transactions) runs on, for the few statements that
 * differ. getExecutor() is public on Kysely's classes though documented as internal (compiled.ts
 * relies on it too; test/unit/compiled-query.test.ts fails first if an upgrade changes it).
 */
export function dialectOf<DB>(db: Executor<DB>): DialectName {
  return (db as unknown as { getExecutor(): { adapter: object } }).getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/**
 * `FOR UPDATE SKIP LOCKED` where the dialect has it. SQLite has a single writer, so a claim made by
 * an UPDATE inside a write transaction is already exclusive there.
 */
export function skipLocked(dialect: DialectName) {
  return dialect === 'postgres' ? sql`for update skip locked` : sql``;
}

/**
 * For an engine's compare-and-set claim of one row (`update … where id = ? and status = ?`): on
 * PostgreSQL, true only if no other transaction holds the row, which the claim then locks; SQLite has
 * one writer at a time and needs nothing. Without it, engines on several instances that read the same
 * due rows queued on each other's row locks until the first one's batch committed, and then lost the
 * compare-and-set anyway; now they skip the row and take the next. A claim skipped this way is a claim
 * lost: if the holder rolls back, the row is still due and a later pass takes it.
 */
export function notHeldElsewhere(table: 'incidents' | 'notifications', id: string): RawBuilder<boolean> {
  return sql<boolean>`${sql.ref(`${table}.id`)} = (select held.id from ${sql.table(table)} as held where held.id = ${id} for no key update skip locked)`;
}

/**
 * `column` is one of the ids the subqueries give. On SQLite an `IN` for each (several joined by OR),
 * which it answers by looking each id up. On PostgreSQL one array of them all (`= any(array(…) ||
 * …)`): an `IN` under an `OR` is not turned into a join there, and a union's estimated size can make
 * the planner join it to a read of the whole table; an array is looked up by key.
 */
export function idIn(dialect: DialectName, column: string, ...subqueries: [Expression<unknown>, ...Expression<unknown>[]]): RawBuilder<boolean> {
  const ref = sql.ref(column);
  if (dialect === 'postgres')
    return sql<boolean>`${ref} = any(${sql.join(
      subqueries.map((q) => sql`array${q}`),
      sql` || `,
    )})`;
  return sql<boolean>`(${sql.join(
    subqueries.map((q) => sql`${ref} in ${q}`),
    sql` or `,
  )})`;
}

export { sql };
