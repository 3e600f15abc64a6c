import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/app/config.js';
import { localContext } from '../../src/app/klaxon.js';
import { Engine } from '../../src/engine/engine.js';
import { engineVersionGuard } from '../../src/engine/version-guard.js';

describe('rolling upgrade: the engine version guard', () => {
  it('an older instance steps aside once a newer one has run; the newer keeps running', async () => {
    const { ctx, close } = await localContext({ ...configFromEnv({}), databaseUrl: join(mkdtempSync(join(tmpdir(), 'klaxon-ver-')), 'k.db') });
    const ran: string[] = [];
    const engine = (name: string, version: number) =>
      new Engine(ctx, [{ name, updateAll: async () => void ran.push(name) }], { intervalMs: 0, moduleTimeoutMs: 1000, guard: engineVersionGuard(ctx, version) });
    const old = engine('v1', 1);
    const next = engine('v2', 2);
    await old.runCycle();
    expect(ran).toEqual(['v1']);
    await next.runCycle();
    await old.runCycle();
    await next.runCycle();
    expect(ran).toEqual(['v1', 'v2', 'v2']);
    await close();
  });
});
