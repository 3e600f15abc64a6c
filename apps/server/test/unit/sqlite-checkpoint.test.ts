import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, sql, type Db } from '../../src/lib/db/index.js';
import { must } from '../../src/lib/must.js';

interface T {
  items: { id: number; v: string };
}

// WAL checkpoints run in a worker thread, not inside commits (lib/db/sqlite-checkpoint.ts).
describe('SQLite WAL checkpoints off the event loop', () => {
  let dir: string;
  let file: string;
  let db: Db<T>;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'klaxon-checkpoint-'));
    file = join(dir, 'k.db');
    db = openDb<T>(file);
    await sql`create table items (id integer primary key, v text not null)`.execute(db.kysely);
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the writing connection never checkpoints; the worker does, every 500 commits, and nothing is lost', async () => {
    const autocheckpoint = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(db.kysely);
    expect(must(autocheckpoint.rows[0], 'autocheckpoint.rows[0]').wal_autocheckpoint).toBe(0);
    const big = 'x'.repeat(3000); // about a page a row
    for (let i = 1; i <= 1200; i++) await db.kysely.insertInto('items').values({ id: i, v: big }).execute();
    await expect.poll(() => must(db.durability(), 'db.durability()').checkpoints, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    // The database file has received the pages (a checkpoint copied them), while the writer went on.
    expect(statSync(file).size).toBeGreaterThan(500 * 3000);
    expect(Number(must((await sql<{ n: number }>`select count(*) as n from items`.execute(db.kysely)).rows[0], 'execute().rows[0]').n)).toBe(1200);
  });

  it('under a steady stream of commits the WAL still starts over, so it does not grow without bound', async () => {
    const row = 'y'.repeat(3000);
    let before = 0;
    // 8,000 commits of about two WAL frames each: about 100 MB of WAL if it never started over (50 MB
    // for 4,000 measured with the writer's finishing step switched off).
    for (let i = 1; i <= 8000; i++) {
      await db.unsynced.insertInto('items').values({ id: i, v: row }).execute();
      if (i % 10 === 0) await new Promise((r) => setImmediate(r)); // the server's loop turns between requests
      // The worker checkpoints every 500 commits. On a machine whose cores are all busy (CI runs
      // many test files at once) it can fall behind the writer by any amount, and the WAL grows by
      // that much; what this test proves is that the WAL starts over at all while commits keep
      // coming, so every 1,000 commits it lets the worker catch up with one checkpoint, bounding
      // the lag, not the writer.
      // 600 commits after each snapshot a round has begun since it (one begins 500 commits after the
      // previous began), or one was running at the snapshot: either way the count will grow.
      if (i % 1000 === 0) before = must(db.durability(), 'db.durability()').checkpoints;
      if (i % 1000 === 600) await expect.poll(() => must(db.durability(), 'db.durability()').checkpoints, { timeout: 30_000 }).toBeGreaterThan(before);
    }
    expect(must(db.durability(), 'db.durability()').checkpoints).toBeGreaterThanOrEqual(8);
    // Without the WAL starting over, 8,000 commits leave about 100 MB of WAL; with it, at most the
    // frames of the commits between two checkpoints the worker caught up on (about 25 MB on a quiet
    // machine; 45 MB once in CI, with every core busy, when the bound here was 40 MB).
    expect(statSync(`${file}-wal`).size).toBeLessThan(60 * 1024 * 1024);
    expect(Number(must((await sql<{ n: number }>`select count(*) as n from items`.execute(db.kysely)).rows[0], 'execute().rows[0]').n)).toBe(8000);
  });

  it('closing closes the worker first, so the last close checkpoints and removes the WAL', async () => {
    for (let i = 1; i <= 50; i++)
      await db.kysely
        .insertInto('items')
        .values({ id: i, v: `row ${i}` })
        .execute();
    expect(existsSync(`${file}-wal`)).toBe(true);
    await db.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
    const check = new SQLite(file, { readonly: true });
    expect(check.prepare('select count(*) as n from items').get()).toEqual({ n: 50 });
    check.close();
    db = openDb<T>(file); // for afterEach
  });
});

// A checkpoint worker that ends without answering (it could not open the file, crashed or was
// terminated) must not hold up close(): the server's shutdown waits for it.
describe('SQLite checkpoint worker that ends early', () => {
  it('close() returns when the worker failed at start, and when it was terminated in a round', async () => {
    const { Checkpointer } = await import('../../src/lib/db/sqlite-checkpoint.js');
    const errors: unknown[] = [];
    const broken = new Checkpointer(join(tmpdir(), 'klaxon-no-such-dir', 'nested', 'k.db'), 1, (e) => errors.push(e));
    await expect.poll(() => errors.length).toBeGreaterThan(0);
    broken.committed(); // a round asked of a dead worker: nothing to wait for
    await broken.close();
    expect(String(errors[0])).toMatch(/directory does not exist|unable to open|SQLITE_CANTOPEN/i);

    const dir = mkdtempSync(join(tmpdir(), 'klaxon-checkpoint-'));
    try {
      new SQLite(join(dir, 'k.db')).pragma('journal_mode = WAL');
      const c = new Checkpointer(join(dir, 'k.db'), 1);
      c.committed(); // starts a round
      await (c as unknown as { worker: import('node:worker_threads').Worker }).worker.terminate();
      await c.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
