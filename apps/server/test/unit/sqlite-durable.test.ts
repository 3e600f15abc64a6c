import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, sql, type Db } from '../../src/lib/db/index.js';
import { must } from '../../src/lib/must.js';

interface T {
  items: { id: number; v: string };
}

// SQLite commits are made durable by an fdatasync of the WAL on the thread pool (lib/db/sqlite-durable.ts).
// These prove the promise of a write resolves only once its commit is covered by a completed sync,
// that concurrent writers share syncs, and that reads and rollbacks cost none.
describe('SQLite durable commits off the event loop', () => {
  let dir: string;
  let db: Db<T>;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'klaxon-durable-'));
    db = openDb<T>(join(dir, 'k.db'));
    await sql`create table items (id integer primary key, v text not null)`.execute(db.kysely);
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const counters = () => must(db.durability(), 'db.durability()');

  it('a write resolves only after a sync that covers its commit; 50 concurrent writers share few syncs', async () => {
    const before = counters().syncs;
    await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const committedBefore = counters().committed;
        await db.kysely
          .insertInto('items')
          .values({ id: i + 1, v: `row ${i}` })
          .execute();
        expect(counters().synced).toBeGreaterThanOrEqual(committedBefore + 1);
      }),
    );
    const after = counters();
    expect(after.committed).toBeGreaterThanOrEqual(50);
    expect(after.synced).toBe(after.committed);
    expect(after.syncs - before).toBeGreaterThan(0);
    expect(after.syncs - before).toBeLessThanOrEqual(25);
  });

  it('a write with RETURNING alone is durable when it resolves too (better-sqlite3 runs it as a reader)', async () => {
    const before = counters();
    const rows = await db.kysely.insertInto('items').values({ id: 7, v: 'g' }).returning('id').execute();
    expect(rows).toEqual([{ id: 7 }]);
    const after = counters();
    expect(after.committed).toBe(before.committed + 1);
    expect(after.synced).toBe(after.committed);
    const none = await db.kysely.updateTable('items').set({ v: 'h' }).where('id', '=', 99).returning('id').execute();
    expect(none).toEqual([]);
    expect(counters().committed).toBe(after.committed);
  });

  it('a transaction is durable when it resolves; a read or a rolled-back transaction syncs nothing', async () => {
    await db.kysely.transaction().execute(async (trx) => {
      await trx.insertInto('items').values({ id: 1, v: 'a' }).execute();
      await trx.insertInto('items').values({ id: 2, v: 'b' }).execute();
    });
    const c = counters();
    expect(c.synced).toBe(c.committed);
    await db.kysely.selectFrom('items').selectAll().execute();
    await expect(
      db.kysely.transaction().execute(async (trx) => {
        await trx.insertInto('items').values({ id: 3, v: 'c' }).execute();
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(counters()).toEqual(c);
    expect((await db.kysely.selectFrom('items').select('id').execute()).map((r) => r.id)).toEqual([1, 2]);
  });

  it('engine bookkeeping does not wait for the disk; sync() covers it, and so does the next waiting write', async () => {
    const start = counters();
    await db.unsynced.insertInto('items').values({ id: 1, v: 'escalation step' }).execute();
    const c = counters();
    expect(c.committed).toBe(start.committed + 1);
    expect(c.syncs).toBe(start.syncs);
    expect(c.synced).toBeLessThan(c.committed);
    await db.sync();
    expect(counters().synced).toBe(c.committed);
    await db.unsynced.insertInto('items').values({ id: 2, v: 'notification' }).execute();
    await db.kysely.insertInto('items').values({ id: 3, v: 'outbox claim' }).execute();
    const end = counters();
    expect(end.synced).toBe(end.committed);
    expect(end.committed).toBe(start.committed + 3);
    expect((await db.kysely.selectFrom('items').select('id').execute()).map((r) => r.id)).toEqual([1, 2, 3]);
  });

  it('what was committed is there after the database is reopened', async () => {
    await db.kysely.insertInto('items').values({ id: 7, v: 'kept' }).execute();
    await db.close();
    db = openDb<T>(join(dir, 'k.db'));
    expect(await db.kysely.selectFrom('items').selectAll().execute()).toEqual([{ id: 7, v: 'kept' }]);
  });
});
