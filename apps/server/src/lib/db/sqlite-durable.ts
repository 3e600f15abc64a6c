import { dbStatements } from '../metrics.js';
import { fdatasync, open, close as closeFd, writeFileSync } from 'node:fs';
import type SQLite from 'better-sqlite3';
import type { Checkpointer } from './sqlite-checkpoint.js';
import { CompiledQuery, SqliteDialect, type DatabaseConnection, type Driver, type QueryResult, type TransactionSettings } from 'kysely';
import { must } from '../must.js';

/**
 * Durable commits on SQLite without stalling the event loop.
 *
 * better-sqlite3 is synchronous: with `synchronous = FULL` every commit waits for an fsync of the WAL
 * (3 ms and more on this class of disk) on the one JavaScript thread, and nothing else happens
 * meanwhile — no request is parsed, no page is sent. Instead the connection runs with
 * `synchronous = NORMAL` (in WAL mode a commit then only appends to the WAL file) and this driver
 * makes each write durable before the caller sees it complete: after a connection that wrote is
 * released, the caller waits for an fdatasync of the WAL file on libuv's thread pool. One fdatasync
 * covers every commit made before it started, so concurrent writers share it (group commit), and the
 * event loop keeps serving while the disk works.
 *
 * The guarantee is that of `synchronous = FULL`: no write is acknowledged (its promise resolved)
 * before the WAL frames of its commit are on stable storage. `durability()` exposes the counters a
 * test checks this by.
 */
export class WalSync {
  /** Commits made (writes that left the connection). */
  private committed = 0;
  /** Every commit up to this number is on stable storage. */
  private synced = 0;
  private fd: number | null = null;
  private running: Promise<void> | null = null;
  private waiting: Promise<void> | null = null;
  /** fdatasync calls made, for tests and benchmarks. */
  syncs = 0;

  constructor(private readonly walPath: string) {}

  /** Records a commit; returns its number. */
  commit(): number {
    return ++this.committed;
  }

  /** Resolves when commit `seq` is on stable storage. */
  async durable(seq: number): Promise<void> {
    while (this.synced < seq) {
      // A sync already running may have started before this commit: wait for one that starts after.
      if (!this.waiting) {
        const after = this.running ?? Promise.resolve();
        this.waiting = after.then(() => {
          this.waiting = null;
          this.running = this.syncNow().finally(() => (this.running = null));
          return this.running;
        });
      }
      await this.waiting;
    }
  }

  private async syncNow(): Promise<void> {
    const upTo = this.committed;
    const fd = await this.walFd();
    await new Promise<void>((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));
    this.syncs++;
    this.synced = Math.max(this.synced, upTo);
  }

  /**
   * The WAL's file descriptor, opened once: SQLite keeps the -wal file (it truncates or rewrites it,
   * never unlinks it) while its connection is open, and this lives exactly as long as that connection.
   */
  private async walFd(): Promise<number> {
    this.fd ??= await new Promise<number>((resolve, reject) => open(this.walPath, 'r', (err, fd) => (err ? reject(err) : resolve(fd))));
    return this.fd;
  }

  /** Counters: commits made and commits known durable. */
  durability(): { committed: number; synced: number; syncs: number } {
    return { committed: this.committed, synced: this.synced, syncs: this.syncs };
  }

  close(): void {
    if (this.fd !== null) closeFd(this.fd, () => {});
    this.fd = null;
  }
}

/** What the driver needs of a better-sqlite3 database: prepared statements (cached by the caller) and close. */
export interface StatementSource {
  prepare(sql: string): SQLite.Statement;
  close(): unknown;
}

/**
 * KLAXON_SQL_PROFILE=path: time and count every statement text; written to path.<pid> as JSON at exit
 * (a guide for performance work, see docs/performance.md; off by default, one branch per statement).
 */
const PROF: Map<string, [count: number, ns: number]> | null = process.env.KLAXON_SQL_PROFILE ? new Map() : null;
if (PROF) process.on('exit', () => writeFileSync(`${process.env.KLAXON_SQL_PROFILE}.${process.pid}`, JSON.stringify([...PROF].sort((a, b) => b[1][1] - a[1][1]))));

/** klaxon_db_statements_total for SQLite: counted here, where both Kysely handles' statements (and BEGIN, COMMIT) pass. */
const counted = dbStatements.labels('sqlite');

/** One SQLite connection that remembers whether it wrote since it was acquired. */
class Connection implements DatabaseConnection {
  /** True once a statement changed rows since the connection was acquired. */
  wrote = false;
  constructor(private readonly db: StatementSource) {}

  async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    counted.inc();
    if (!PROF) return this.run<R>(q);
    const t0 = process.hrtime.bigint();
    try {
      return this.run<R>(q);
    } finally {
      const e = PROF.get(q.sql) ?? [0, 0];
      e[0]++;
      e[1] += Number(process.hrtime.bigint() - t0);
      PROF.set(q.sql, e);
    }
  }

  private run<R>(q: CompiledQuery): QueryResult<R> {
    const stmt = this.db.prepare(q.sql);
    if (stmt.reader) {
      const rows = stmt.all(q.parameters as unknown[]) as R[];
      // An INSERT/UPDATE/DELETE … RETURNING is a reader too: it wrote when it returned rows (one per row changed).
      if (!stmt.readonly && rows.length) this.wrote = true;
      return { rows };
    }
    const { changes, lastInsertRowid } = stmt.run(q.parameters as unknown[]);
    if (changes > 0) this.wrote = true;
    return { numAffectedRows: BigInt(changes), insertId: lastInsertRowid !== undefined ? BigInt(lastInsertRowid) : undefined, rows: [] };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('Streaming is not used with SQLite');
  }
}

/**
 * The one SQLite connection and its lock, shared by the Kysely instances of a database: the one
 * whose writes wait for the disk, and the engine's, whose writes do not (see `openDb`).
 */
export class SqliteCore {
  readonly conn: Connection;
  private lock: Promise<void> | null = null;
  private unlock: (() => void) | null = null;

  constructor(
    private readonly db: StatementSource,
    readonly wal: WalSync | null,
    /** Runs WAL checkpoints off the event loop (the connection has wal_autocheckpoint = 0); null for :memory:. */
    readonly checkpointer: Checkpointer | null = null,
  ) {
    this.conn = new Connection(db);
  }

  async acquire(): Promise<Connection> {
    while (this.lock) await this.lock;
    this.lock = new Promise((r) => (this.unlock = r));
    return this.conn;
  }

  /** Frees the connection, then (if it wrote and `wait`) waits until its commit is on the disk. */
  async release(wait: boolean): Promise<void> {
    const wrote = this.conn.wrote;
    this.conn.wrote = false;
    const seq = wrote && this.wal ? this.wal.commit() : 0;
    if (wrote) this.checkpointer?.committed();
    // Between transactions: the place where the writer may finish a checkpoint round (see Checkpointer).
    this.checkpointer?.finishOnWriter(() => this.db.prepare('PRAGMA wal_checkpoint(PASSIVE)').all());
    // Let the next query in before waiting for the disk: the connection is free, the caller is not.
    const unlock = this.unlock;
    this.lock = null;
    this.unlock = null;
    unlock?.();
    if (seq && wait) await must(this.wal, 'this.wal').durable(seq);
  }

  /** Resolves when every commit made so far is on the disk. */
  async sync(): Promise<void> {
    if (this.wal) await this.wal.durable(this.wal.durability().committed);
  }

  async close(): Promise<void> {
    // The checkpointer's connection first: closing the last connection checkpoints and removes the WAL.
    await this.checkpointer?.close();
    this.wal?.close();
    this.db.close();
  }
}

/** Kysely's driver over the shared connection; `wait` says whether a write waits for the disk. */
class DurableSqliteDriver implements Driver {
  constructor(
    private readonly core: SqliteCore,
    private readonly wait: boolean,
  ) {}

  async init(): Promise<void> {}

  acquireConnection(): Promise<DatabaseConnection> {
    return this.core.acquire();
  }

  async beginTransaction(c: DatabaseConnection, _s: TransactionSettings): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('begin'));
  }

  async commitTransaction(c: DatabaseConnection): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(c: DatabaseConnection): Promise<void> {
    this.core.conn.wrote = false; // nothing of it reached the WAL
    try {
      await c.executeQuery(CompiledQuery.raw('rollback'));
    } catch (err) {
      // After some errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM...) SQLite has already rolled the
      // transaction back itself. Throwing "cannot rollback - no transaction is active" here would
      // replace the error that caused it (a full disk) with one that says nothing.
      if (/no transaction is active/.test((err as Error).message)) return;
      throw err;
    }
  }

  releaseConnection(): Promise<void> {
    return this.core.release(this.wait);
  }

  async destroy(): Promise<void> {
    // The waiting instance owns the connection; the engine's shares it.
    if (this.wait) await this.core.close();
  }
}

/** Kysely's SQLite dialect over a shared connection (see SqliteCore). */
export class DurableSqliteDialect extends SqliteDialect {
  constructor(
    private readonly core: SqliteCore,
    private readonly wait: boolean,
  ) {
    super({ database: {} as unknown as SQLite.Database });
  }

  override createDriver(): Driver {
    return new DurableSqliteDriver(this.core, this.wait);
  }
}
