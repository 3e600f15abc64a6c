import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localContext } from '../../src/app/klaxon.js';
import { configFromEnv } from '../../src/app/config.js';
import { SYSTEM } from '../../src/auth/actor.js';
import type { Ctx, Tx } from '../../src/context.js';
import { FakeClock } from '../../src/lib/clock.js';
import { IntegrationKeyCache } from '../../src/service/key-cache.js';
import { createIntegration, createService, deleteIntegration, findIntegrationByKey } from '../../src/service/service.js';
import { must } from '../../src/lib/must.js';

// The ingest path's integration cache on a real database: shared lookups, stale-while-refresh, TTL.
describe('integration key cache', () => {
  let dir: string;
  let ctx: Ctx;
  let close: () => Promise<void>;
  const clock = new FakeClock();
  let lookups = 0;
  let failNext = false;
  const counted = async (db: Tx, key: string) => {
    lookups++;
    if (failNext) {
      failNext = false;
      throw new Error('database unavailable');
    }
    return findIntegrationByKey(db, key);
  };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'klaxon-keycache-'));
    ({ ctx, close } = await localContext({ ...configFromEnv({}), databaseUrl: join(dir, 'k.db') }));
  });
  afterAll(async () => {
    await close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('50 requests that miss together share one lookup', async () => {
    const service = await createService(ctx, SYSTEM, { name: 'Payments' });
    const { key } = await createIntegration(ctx, SYSTEM, service.id, { kind: 'pagerduty', name: 'PD', key: 'k-shared-000000000001' });
    const cache = new IntegrationKeyCache(clock, 5_000, 10_000, counted);
    lookups = 0;
    const found = await Promise.all(Array.from({ length: 50 }, () => cache.find(ctx.db.kysely, must(key, 'key'))));
    expect(lookups).toBe(1);
    expect(new Set(found.map((f) => f?.service.name))).toEqual(new Set(['Payments']));
  });

  it('a stale entry answers at once while one lookup refreshes it; long after, a request waits for a fresh answer', async () => {
    const service = await createService(ctx, SYSTEM, { name: 'Search' });
    const integration = await createIntegration(ctx, SYSTEM, service.id, { kind: 'pagerduty', name: 'PD', key: 'k-stale-0000000000001' });
    const cache = new IntegrationKeyCache(clock, 5_000, 10_000, counted);
    lookups = 0;
    expect((await cache.find(ctx.db.kysely, must(integration.key, 'integration.key')))?.integration.id).toBe(integration.id);
    clock.advance(4_000);
    await cache.find(ctx.db.kysely, must(integration.key, 'integration.key'));
    expect(lookups).toBe(1); // fresh
    await deleteIntegration(ctx, SYSTEM, integration.id);
    clock.advance(2_000); // stale: 20 requests get the cached answer, one refresh runs
    const stale = await Promise.all(Array.from({ length: 20 }, () => cache.find(ctx.db.kysely, must(integration.key, 'integration.key'))));
    expect(stale.every((f) => f?.integration.id === integration.id)).toBe(true);
    expect(lookups).toBe(2);
    await new Promise((r) => setImmediate(r));
    expect(await cache.find(ctx.db.kysely, must(integration.key, 'integration.key'))).toBeUndefined(); // the refresh saw the deletion
    // No traffic for two TTLs: the next request waits for the database instead of an old answer.
    const other = await createIntegration(ctx, SYSTEM, service.id, { kind: 'pagerduty', name: 'PD2', key: 'k-stale-0000000000002' });
    await cache.find(ctx.db.kysely, must(other.key, 'other.key'));
    await deleteIntegration(ctx, SYSTEM, other.id);
    clock.advance(10_001);
    expect(await cache.find(ctx.db.kysely, must(other.key, 'other.key'))).toBeUndefined();
  });

  it('a failed lookup is not remembered', async () => {
    const service = await createService(ctx, SYSTEM, { name: 'Billing' });
    const { key } = await createIntegration(ctx, SYSTEM, service.id, { kind: 'pagerduty', name: 'PD', key: 'k-fail-00000000000001' });
    const cache = new IntegrationKeyCache(clock, 5_000, 10_000, counted);
    failNext = true;
    await expect(cache.find(ctx.db.kysely, must(key, 'key'))).rejects.toThrow('database unavailable');
    expect((await cache.find(ctx.db.kysely, must(key, 'key')))?.service.name).toBe('Billing');
  });
});
