/**
 * withTransaction: service verbs called with a bound ctx run in the caller's transaction, their live
 * events and wake-ups wait for its commit (and never happen on rollback), and a verb that fails
 * inside it undoes only its own writes. SQLite always, PostgreSQL when configured.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { SYSTEM } from '../../src/auth/actor.js';
import { inCallerTransaction, inTransaction, withTransaction, type Ctx, type LiveEvent } from '../../src/context.js';
import { AppError } from '../../src/lib/errors.js';
import { createIntegration, createService, listServices } from '../../src/service/service.js';
import { createTeam } from '../../src/team/service.js';
import { addContactMethod, createUser } from '../../src/user/service.js';
import { DIALECTS, testDatabases } from '../config/helpers.js';

function recording(ctx: Ctx) {
  const events: LiveEvent[] = [];
  let wakes = 0;
  const rctx: Ctx = { ...ctx, publish: (e) => void events.push(e), wake: () => void wakes++ };
  return { ctx: rctx, events, wakes: () => wakes };
}

const names = async (ctx: Ctx) => (await listServices(ctx, SYSTEM)).map((s) => s.name);
const teamNames = async (ctx: Ctx) => (await ctx.db.kysely.selectFrom('teams').select('name').orderBy('name').execute()).map((t) => t.name);
const outbox = async (ctx: Ctx) => (await ctx.db.kysely.selectFrom('outbox').select('id').execute()).length;

describe.each(DIALECTS)('withTransaction on %s', (dialect) => {
  const dbs = testDatabases();
  afterAll(() => dbs.cleanup());

  it('commits the verbs together, then publishes their events and wakes the engine once', async () => {
    const { ctx: base } = await dbs.fresh(dialect);
    const { ctx, events, wakes } = recording(base);
    const result = await withTransaction(ctx, async (tctx) => {
      expect(inCallerTransaction(tctx)).toBe(true);
      const svc = await createService(tctx, SYSTEM, { name: 'billing' });
      await createIntegration(tctx, SYSTEM, svc.id, { name: 'events', kind: 'generic' });
      const user = await createUser(tctx, SYSTEM, { email: 'a@example.com', name: 'A' });
      await addContactMethod(tctx, SYSTEM, user.id, { name: 'email', type: 'email', address: 'a@example.com' });
      // Reads through the bound ctx see the transaction's own writes.
      expect(await names(tctx)).toEqual(['billing']);
      // Nothing has left the database yet.
      expect(events).toEqual([]);
      expect(wakes()).toBe(0);
      return 'done';
    });
    expect(result).toBe('done');
    expect(inCallerTransaction(ctx)).toBe(false);
    expect(await names(ctx)).toEqual(['billing']);
    expect(events).toEqual([{ type: 'config' }]); // createIntegration's
    expect(wakes()).toBe(1);
    expect(await outbox(ctx)).toBe(1);
  });

  it('a throw anywhere rolls back every verb, and nothing is published', async () => {
    const { ctx: base } = await dbs.fresh(dialect);
    const { ctx, events, wakes } = recording(base);
    await expect(
      withTransaction(ctx, async (tctx) => {
        await createService(tctx, SYSTEM, { name: 'billing' });
        const user = await createUser(tctx, SYSTEM, { email: 'a@example.com', name: 'A' });
        await addContactMethod(tctx, SYSTEM, user.id, { name: 'email', type: 'email', address: 'a@example.com' });
        throw new Error('stop');
      }),
    ).rejects.toThrow('stop');
    expect(await names(ctx)).toEqual([]);
    expect(await outbox(ctx)).toBe(0);
    expect(events).toEqual([]);
    expect(wakes()).toBe(0);
  });

  it('rollback: true runs the same code, returns its result and keeps nothing', async () => {
    const { ctx: base } = await dbs.fresh(dialect);
    const { ctx, events, wakes } = recording(base);
    const seen = await withTransaction(
      ctx,
      async (tctx) => {
        await createService(tctx, SYSTEM, { name: 'billing' });
        await createTeam(tctx, SYSTEM, { name: 'Payments' });
        return [await names(tctx), await teamNames(tctx)];
      },
      { rollback: true },
    );
    expect(seen).toEqual([['billing'], ['Payments']]);
    expect(await names(ctx)).toEqual([]);
    expect(await teamNames(ctx)).toEqual([]);
    expect(events).toEqual([]);
    expect(wakes()).toBe(0);
  });

  it('a verb that fails inside undoes only its own writes; the caller may go on and commit the rest', async () => {
    const { ctx: base } = await dbs.fresh(dialect);
    const { ctx, events } = recording(base);
    await withTransaction(ctx, async (tctx) => {
      await createTeam(tctx, SYSTEM, { name: 'Payments' });
      // A verb that wrote a row and then failed: as its own transaction would, it leaves nothing.
      await expect(
        inTransaction(tctx, async (trx, live) => {
          await trx.insertInto('teams').values({ id: 'half-made', name: 'Half', description: '', created_at: 0 }).execute();
          live.push({ type: 'never' });
          throw new AppError('conflict', 'refused');
        }),
      ).rejects.toThrow('refused');
      // A verb refused by the database itself (a duplicate name; on PostgreSQL this aborts the
      // transaction, and the savepoint's rollback clears that).
      await expect(inTransaction(tctx, (trx) => trx.insertInto('teams').values({ id: 'dup', name: 'Payments', description: '', created_at: 0 }).execute())).rejects.toThrow();
      const svc = await createService(tctx, SYSTEM, { name: 'billing' });
      await createIntegration(tctx, SYSTEM, svc.id, { name: 'events', kind: 'generic' });
      // A nested dry run undoes only its own part.
      expect(await withTransaction(tctx, async (inner) => (await createTeam(inner, SYSTEM, { name: 'Dry' })).name, { rollback: true })).toBe('Dry');
    });
    expect(await teamNames(ctx)).toEqual(['Payments']);
    expect(await names(ctx)).toEqual(['billing']);
    expect(events.map((e) => e.type)).toEqual(['config']);
  });

  it('what a rolled-back savepoint asked for (events, a wake-up) is never published', async () => {
    const { ctx: base } = await dbs.fresh(dialect);
    const { ctx, events, wakes } = recording(base);
    await withTransaction(ctx, async (tctx) => {
      const svc = await createService(tctx, SYSTEM, { name: 'billing' });
      // A nested dry run whose verbs publish an event and wake the engine.
      await withTransaction(
        tctx,
        async (inner) => {
          await createIntegration(inner, SYSTEM, svc.id, { name: 'dry', kind: 'generic' });
          const user = await createUser(inner, SYSTEM, { email: 'dry@example.com', name: 'Dry' });
          await addContactMethod(inner, SYSTEM, user.id, { name: 'email', type: 'email', address: 'dry@example.com' });
        },
        { rollback: true },
      );
      // A verb that publishes, then fails.
      await expect(
        inTransaction(tctx, async (_trx, live) => {
          live.push({ type: 'never' });
          tctx.wake();
          throw new AppError('conflict', 'refused');
        }),
      ).rejects.toThrow('refused');
    });
    expect(events).toEqual([]);
    expect(wakes()).toBe(0);
    expect(await outbox(ctx)).toBe(0);
  });

  it('another transaction cannot be opened on a bound ctx (on SQLite it would wait forever)', async () => {
    const { ctx } = await dbs.fresh(dialect);
    await withTransaction(ctx, async (tctx) => {
      expect(() => tctx.db.kysely.transaction()).toThrow('not supported');
      expect(() => tctx.db.unsynced.transaction()).toThrow('not supported');
    });
  });
});
