/**
 * inBatch: a batch commits together; when it fails, each item runs alone and only the items that
 * fail alone are lost for this pass, counted so a paging module that made no progress does not ask
 * the engine for another pass (engine.ts MAX_PAGING_PASSES).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { inBatch } from '../../src/engine/batch.js';
import { testDatabases } from '../config/helpers.js';

describe('inBatch', () => {
  const dbs = testDatabases();
  afterAll(() => dbs.cleanup());

  it('commits a batch together, retries item by item when it fails, and says how many failed alone', async () => {
    const { ctx } = await dbs.fresh('sqlite');
    const teams = async () => (await ctx.db.kysely.selectFrom('teams').select('name').orderBy('name').execute()).map((t) => t.name);

    expect(await inBatch(ctx, 'test', ['a', 'b'], async (trx, _live, name) => void (await trx.insertInto('teams').values({ id: name, name, description: '', created_at: 0 }).execute()))).toEqual({
      failed: 0,
    });
    expect(await teams()).toEqual(['a', 'b']);

    // 'bad' fails every time: the batch fails, then the others are written one by one and one failure is counted.
    const result = await inBatch(ctx, 'test', ['c', 'bad', 'd'], async (trx, _live, name) => {
      if (name === 'bad') throw new Error('this row always fails');
      await trx.insertInto('teams').values({ id: name, name, description: '', created_at: 0 }).execute();
    });
    expect(result).toEqual({ failed: 1 });
    expect(await teams()).toEqual(['a', 'b', 'c', 'd']);

    // Every item failing alone: all counted (the escalation module then stops asking for passes).
    expect(await inBatch(ctx, 'test', ['x', 'y'], async () => Promise.reject(new Error('no')))).toEqual({ failed: 2 });
  });
});
