/**
 * Every war-room verb (a function whose parameters begin (ctx, actor), in any src/warroom file)
 * refuses a user whose role grants nothing with `forbidden`, before it looks anything up. Runs once:
 * it needs no server and no PostgreSQL.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/app/config.js';
import { localContext } from '../../src/app/klaxon.js';
import type { Actor } from '../../src/auth/actor.js';
import type { Ctx } from '../../src/context.js';
import { AppError } from '../../src/lib/errors.js';

const DIR = join(import.meta.dirname, '../../src/warroom');
const isVerb = (fn: unknown): fn is (...args: unknown[]) => unknown => typeof fn === 'function' && /^(async\s+)?function\s*\w*\s*\(\s*ctx\s*,\s*actor\b/.test(fn.toString());

describe('war-room permission checks', () => {
  let ctx: Ctx;
  let close: () => Promise<void>;
  const nobody = { type: 'user', id: 'u', name: 'Nobody', role: 'none' } as unknown as Actor;
  beforeAll(async () => {
    ({ ctx, close } = await localContext({ ...configFromEnv({}), databaseUrl: join(mkdtempSync(join(tmpdir(), 'klaxon-wr-perm-')), 'k.db') }));
  });
  afterAll(() => close?.());

  it('every verb refuses an actor without permission first', async () => {
    const checked: string[] = [];
    for (const name of readdirSync(DIR).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
      const mod = (await import(join(DIR, name))) as Record<string, unknown>;
      for (const [verb, fn] of Object.entries(mod)) {
        if (!isVerb(fn)) continue;
        let error: unknown = null;
        let result: unknown;
        try {
          result = await fn(ctx, nobody, 'no-such-id', { text: 'x', name: 'x' }, 'x', 'x');
        } catch (e) {
          error = e;
        }
        // runCommand answers refusals as a result instead of throwing.
        const code = error instanceof AppError ? error.code : ((result as { code?: string } | undefined)?.code ?? String(error));
        expect(code, `${name}:${verb}`).toBe('forbidden');
        checked.push(`${name}:${verb}`);
      }
    }
    expect(checked.length).toBeGreaterThan(20);
  });
});
