import { AsyncLocalStorage } from 'node:async_hooks';
import { fdatasync, fstat, open, close as closeFd } from 'node:fs';
import type SQLite from 'better-sqlite3';
import { CompiledQuery, SqliteDialect, type DatabaseConnection, type Driver, type QueryResult, type TransactionSettings } from 'kysely';

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

  /** The WAL's file descriptor, reopened if SQLite replaced the file (it has no links left). */
  private async walFd(): Promise<number> {
    if (this.fd !== null) {
      const fd = this.fd;
      const links = await new Promise<number>((resolve) => fstat(fd, (err, st) => resolve(err ? 0 : st.nlink)));
      if (links > 0) return fd;
      closeFd(fd, () => {});
      this.fd = null;
    }
    this.fd = await new Promise<number>((resolve, reject) => open(this.walPath, 'r', (err, fd) => (err ? reject(err) : resolve(fd))));
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

const waitForDisk = new AsyncLocalStorage<boolean>();

/**
 * Runs `fn` with its SQLite writes committed but not waited for on the disk: for the engine's own
 * bookkeeping, which nobody outside has been told about yet. They become durable with the next
 * sync, and whatever the engine shows the outside world (a message handed to a provider) is claimed
 * in a write that does wait (see `waitingForDisk`), which covers every commit made before it. After
 * a power loss, work whose commit was lost is done again from the last durable state.
 */
export function notWaitingForDisk<T>(fn: () => Promise<T>): Promise<T> {
  return waitForDisk.run(false, fn);
}

/** Inside `notWaitingForDisk`, runs `fn` with its writes waited for again. */
export function waitingForDisk<T>(fn: () => Promise<T>): Promise<T> {
  return waitForDisk.run(true, fn);
}

/** What the driver needs of a better-sqlite3 database: prepared statements (cached by the caller) and close. */
export interface StatementSource {
  prepare(sql: string): SQLite.Statement;
  close(): unknown;
}

/** One SQLite connection that remembers whether it wrote since it was acquired. */
class Connection implements DatabaseConnection {
  /** True once a statement changed rows since the connection was acquired. */
  wrote = false;
  constructor(private readonly db: StatementSource) {}

  async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    const stmt = this.db.prepare(q.sql);
    if (stmt.reader) return { rows: stmt.all(q.parameters as unknown[]) as R[] };
    const { changes, lastInsertRowid } = stmt.run(q.parameters as unknown[]);
    if (changes > 0) this.wrote = true;
    return { numAffectedRows: BigInt(changes), insertId: lastInsertRowid !== undefined ? BigInt(lastInsertRowid) : undefined, rows: [] };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('Streaming is not used with SQLite');
  }
}

/** Kysely's single-connection SQLite driver, with durable commits awaited off the event loop (see WalSync). */
class DurableSqliteDriver implements Driver {
  private readonly conn: Connection;
  private lock: Promise<void> | null = null;
  private unlock: (() => void) | null = null;

  constructor(
    private readonly db: StatementSource,
    private readonly wal: WalSync | null,
  ) {
    this.conn = new Connection(db);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    while (this.lock) await this.lock;
    this.lock = new Promise((r) => (this.unlock = r));
    return this.conn;
  }

  async beginTransaction(c: DatabaseConnection, _s: TransactionSettings): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('begin'));
  }

  async commitTransaction(c: DatabaseConnection): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(c: DatabaseConnection): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('rollback'));
    this.conn.wrote = false; // nothing of it reached the WAL
  }

  async releaseConnection(): Promise<void> {
    const wrote = this.conn.wrote;
    this.conn.wrote = false;
    const seq = wrote && this.wal ? this.wal.commit() : 0;
    // Let the next query in before waiting for the disk: the connection is free, the caller is not.
    const unlock = this.unlock;
    this.lock = null;
    this.unlock = null;
    unlock?.();
    if (seq && waitForDisk.getStore() !== false) await this.wal!.durable(seq);
  }

  async destroy(): Promise<void> {
    this.wal?.close();
    this.db.close();
  }
}

/** Kysely's SQLite dialect with the durable driver. `wal` is null for in-memory databases. */
export class DurableSqliteDialect extends SqliteDialect {
  constructor(
    private readonly db: StatementSource,
    private readonly wal: WalSync | null,
  ) {
    super({ database: db as unknown as SQLite.Database });
  }

  override createDriver(): Driver {
    return new DurableSqliteDriver(this.db, this.wal);
  }
}
