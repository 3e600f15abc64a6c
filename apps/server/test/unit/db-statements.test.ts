/**
 * klaxon_db_statements_total counts every statement sent to the database, BEGIN and COMMIT included
 * (on PostgreSQL each is one network round trip): the figure bench/statements.ts divides by the
 * events it sent.
 */
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/app/klaxon.js';
import { dbStatements } from '../../src/lib/metrics.js';
import { must } from '../../src/lib/must.js';
import { DIALECTS, migratedDatabase } from '../harness.js';

const counted = async (dialect: string) =>
  must(
    (await dbStatements.get()).values.find((v) => v.labels.dialect === dialect),
    `the ${dialect} count`,
  ).value;

describe.each(DIALECTS)('statements counted (%s)', (dialect) => {
  it('counts each statement, and BEGIN and COMMIT of a transaction', async () => {
    const target = await migratedDatabase(dialect);
    const db = await openDatabase(target.url);
    try {
      const before = await counted(dialect);
      await db.kysely.selectFrom('services').select('id').execute();
      expect((await counted(dialect)) - before).toBe(1);
      const mid = await counted(dialect);
      await db.kysely.transaction().execute(async (trx) => {
        await trx.selectFrom('services').select('id').execute();
        await trx.selectFrom('users').select('id').execute();
      });
      expect((await counted(dialect)) - mid).toBe(4);
      const end = await counted(dialect);
      await db.unsynced.selectFrom('services').select('id').execute();
      expect((await counted(dialect)) - end).toBe(1);
    } finally {
      await db.close();
      await target.drop();
    }
  });
});
