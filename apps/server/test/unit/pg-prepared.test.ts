import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, sql, type Db } from '../../src/lib/db/index.js';
import { preparedStatementCounts } from '../../src/lib/db/pg-prepared.js';
import { freshDatabase } from '../harness.js';
import { must } from '../../src/lib/must.js';

const URL = process.env.KLAXON_TEST_DATABASE_URL;

interface T {
  t: { a: number; b?: number };
}

// Repeated statements become server-side prepared statements; a schema change under them is survived.
describe.skipIf(!URL)('prepared statements on a real PostgreSQL', () => {
  let db: Db<T>;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const fresh = await freshDatabase('postgres');
    drop = fresh.drop;
    db = openDb<T>(fresh.url, { poolSize: 1 }); // one connection: what it prepared is visible to the next query
    await sql`create table t (a integer not null)`.execute(db.kysely);
    await db.kysely
      .insertInto('t')
      .values([{ a: 1 }, { a: 2 }])
      .execute();
  });
  afterAll(async () => {
    await db?.close();
    await drop?.();
  });

  const prepared = async () => (await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(db.kysely)).rows.map((r) => r.statement);

  it('a statement run twice is prepared on the connection and gives the same answers', async () => {
    const run = (min: number) => db.kysely.selectFrom('t').select('a').where('a', '>=', min).orderBy('a').execute();
    expect(await run(1)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(await prepared()).not.toContain('select "a" from "t" where "a" >= $1 order by "a"');
    expect(await run(2)).toEqual([{ a: 2 }]);
    expect(await run(0)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(await prepared()).toContain('select "a" from "t" where "a" >= $1 order by "a"');
  });

  it('after a column is added under a prepared select *, the call is answered with the new column', async () => {
    const all = () => db.kysely.selectFrom('t').selectAll().where('a', '>', 0).orderBy('a').execute();
    await all();
    await all();
    expect(await prepared()).toContain('select * from "t" where "a" > $1 order by "a"');
    const before = preparedStatementCounts().stale;
    await sql`alter table t add column b integer not null default 7`.execute(db.kysely);
    expect(await all()).toEqual([
      { a: 1, b: 7 },
      { a: 2, b: 7 },
    ]);
    expect(preparedStatementCounts().stale).toBe(before + 1);
    expect(await all()).toHaveLength(2);
  });

  it('switched off (KLAXON_PG_PREPARED_STATEMENTS=false), nothing is prepared', async () => {
    const fresh = await freshDatabase('postgres');
    const plain = openDb<T>(fresh.url, { poolSize: 1, preparedStatements: false });
    try {
      await sql`create table t (a integer not null)`.execute(plain.kysely);
      for (let i = 0; i < 3; i++) await plain.kysely.selectFrom('t').select('a').where('a', '>', i).execute();
      expect(must((await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements`.execute(plain.kysely)).rows[0], 'execute().rows[0]').n).toBe(0);
    } finally {
      await plain.close();
      await fresh.drop();
    }
  });
});
