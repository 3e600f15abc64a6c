import type { Generated } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, sql, type Db } from '../../src/lib/db/index.js';
import { compiled } from '../../src/lib/db/compiled.js';
import { DIALECTS, freshDatabase } from '../harness.js';

interface T {
  items: { id: string; n: number; label: string; note: string | null; tag: Generated<string> };
}

// compiled(): Kysely's SQL built once per shape, run with new values, on each dialect.
describe.each(DIALECTS)('compiled queries on %s', (dialect) => {
  let db: Db<T>;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const fresh = await freshDatabase(dialect);
    drop = fresh.drop;
    db = openDb<T>(fresh.url);
    await sql`create table items (id text primary key, n integer not null, label text not null, note text, tag text not null default 'plain')`.execute(db.kysely);
  });
  afterAll(async () => {
    await db?.close();
    await drop?.();
  });

  const insert = compiled<T, { id: string; n: number; label: string; note: string | null; tag?: string }, unknown>((q, p) => q.insertInto('items').values(p));
  const insertMany = compiled<T, { rows: { id: string; n: number; label: string; note: string | null }[] }, unknown>((q, p) => q.insertInto('items').values(p.rows));
  let bumpBuilds = 0;
  const bump = compiled<T, { id: string; by: number }, { n: number }>((q, p) => {
    bumpBuilds++;
    return q
      .updateTable('items')
      .set((eb) => ({ n: eb('n', '+', p.by) }))
      .where('id', '=', p.id)
      .where('tag', '=', 'plain')
      .returning('n');
  });
  const find = compiled<T, { ids: string[]; min: number }, { id: string; n: number; note: string | null }>((q, p) =>
    q.selectFrom('items').select(['id', 'n', 'note']).where('id', 'in', p.ids).where('n', '>=', p.min).orderBy('id').limit(100),
  );

  it('runs the same statement with each call’s values, and only those', async () => {
    await insert(db.kysely, { id: 'a', n: 1, label: 'first', note: null });
    await insert(db.kysely, { id: 'b', n: 2, label: 'second', note: 'x' });
    // An undefined value is left out, as Kysely does: the column's default applies.
    await insert(db.kysely, { id: 'c', n: 3, label: 'third', note: null, tag: undefined });
    await insert(db.kysely, { id: 'd', n: 4, label: 'fourth', note: null, tag: 'special' });
    const all = await db.kysely.selectFrom('items').selectAll().orderBy('id').execute();
    expect(all).toEqual([
      { id: 'a', n: 1, label: 'first', note: null, tag: 'plain' },
      { id: 'b', n: 2, label: 'second', note: 'x', tag: 'plain' },
      { id: 'c', n: 3, label: 'third', note: null, tag: 'plain' },
      { id: 'd', n: 4, label: 'fourth', note: null, tag: 'special' },
    ]);
  });

  it('keeps constants of the query and maps values into expressions', async () => {
    expect((await bump(db.kysely, { id: 'a', by: 10 })).rows).toEqual([{ n: 11 }]);
    expect((await bump(db.kysely, { id: 'b', by: 5 })).rows).toEqual([{ n: 7 }]);
    // The constant tag = 'plain' is part of the statement: 'd' is special and not bumped.
    expect((await bump(db.kysely, { id: 'd', by: 5 })).rows).toEqual([]);
    // Built once for the three calls (and once more per dialect handle, not per call).
    expect(bumpBuilds).toBe(1);
  });

  it('in-lists and multi-row inserts of different lengths each get their own statement', async () => {
    expect((await find(db.kysely, { ids: ['a'], min: 0 })).rows.map((r) => r.id)).toEqual(['a']);
    expect((await find(db.kysely, { ids: ['a', 'b', 'c'], min: 3 })).rows.map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect((await find(db.kysely, { ids: ['b', 'd'], min: 0 })).rows).toEqual([
      { id: 'b', n: 7, note: 'x' },
      { id: 'd', n: 4, note: null },
    ]);
    await insertMany(db.kysely, { rows: [{ id: 'm1', n: 1, label: 'm', note: null }] });
    await insertMany(db.kysely, {
      rows: [
        { id: 'm2', n: 2, label: 'm', note: 'two' },
        { id: 'm3', n: 3, label: 'm', note: null },
      ],
    });
    expect((await find(db.kysely, { ids: ['m1', 'm2', 'm3'], min: 0 })).rows).toEqual([
      { id: 'm1', n: 1, note: null },
      { id: 'm2', n: 2, note: 'two' },
      { id: 'm3', n: 3, note: null },
    ]);
  });

  it('runs inside a transaction, which rolls it back', async () => {
    await db.kysely
      .transaction()
      .execute(async (trx) => {
        await insert(trx, { id: 't1', n: 1, label: 'in trx', note: null });
        expect((await find(trx, { ids: ['t1'], min: 0 })).rows).toHaveLength(1);
        throw new Error('roll back');
      })
      .catch(() => {});
    expect((await find(db.kysely, { ids: ['t1'], min: 0 })).rows).toHaveLength(0);
  });

  it('refuses a build that computes with a value (it would be frozen into the statement)', async () => {
    const wrong = compiled<T, { id: string; n: number }, unknown>((q, p) =>
      q
        .updateTable('items')
        .set({ n: p.n + 1 })
        .where('id', '=', p.id),
    );
    await expect(wrong(db.kysely, { id: 'a', n: 1 })).rejects.toThrow('compiled(): the value at n was used in an expression while the query was built');
  });

  it('past the cap of shapes, calls still run (compiled each time)', async () => {
    const ids = Array.from({ length: 300 }, (_, i) => `cap${i}`);
    for (let i = 1; i <= ids.length; i++) await find(db.kysely, { ids: ids.slice(0, i), min: 0 });
    await insertMany(db.kysely, { rows: ids.slice(0, 3).map((id, i) => ({ id, n: i, label: 'cap', note: null })) });
    expect((await find(db.kysely, { ids, min: 0 })).rows.map((r) => r.id).sort()).toEqual(['cap0', 'cap1', 'cap2']);
  });
});
