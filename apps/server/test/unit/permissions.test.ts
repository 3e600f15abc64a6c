/**
 * Every service verb starts with a permission check. The test finds every exported verb — a
 * function whose parameters begin (ctx, actor) — in every source file of the server,
 * and calls it as a user whose role grants nothing. Each must refuse with
 * `forbidden` before it looks anything up: with made-up arguments, a verb that read first would
 * answer not_found or invalid instead.
 */
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/app/config.js';
import { localContext } from '../../src/app/klaxon.js';
import type { Actor } from '../../src/auth/actor.js';
import type { Ctx } from '../../src/context.js';
import { AppError } from '../../src/lib/errors.js';

const SRC = join(import.meta.dirname, '../../src');

function serviceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...serviceFiles(p));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const isVerb = (fn: unknown): fn is (...args: unknown[]) => unknown => typeof fn === 'function' && /^(async\s+)?function\s*\w*\s*\(\s*ctx\s*,\s*actor\b/.test(fn.toString());

describe('permission checks', () => {
  let ctx: Ctx;
  let close: () => Promise<void>;
  // A signed-in user whose role grants nothing (e.g. a role removed in a later version).
  const nobody = { type: 'user', id: 'u', name: 'Nobody', role: 'none' } as unknown as Actor;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'klaxon-perm-'));
    ({ ctx, close } = await localContext({ ...configFromEnv({}), databaseUrl: join(dir, 'k.db') }));
  });
  afterAll(() => close?.());

  it('finds the verbs of every domain', async () => {
    const files = serviceFiles(SRC).map((f) => relative(SRC, f));
    expect(files).toEqual(expect.arrayContaining(['user/service.ts', 'team/service.ts', 'escalation/service.ts', 'service/service.ts', 'incident/service.ts', 'auth/tokens.ts']));
  });

  it('every verb refuses an actor without permission, before doing anything else', async () => {
    const checked: string[] = [];
    for (const file of serviceFiles(SRC)) {
      if (file.includes(`${join('src', 'cli')}`) || file.endsWith('main.ts')) continue; // the CLI parses argv on import
      const mod = (await import(file)) as Record<string, unknown>;
      for (const [name, fn] of Object.entries(mod)) {
        if (!isVerb(fn)) continue;
        const label = `${relative(SRC, file)}:${name}`;
        let error: unknown = null;
        try {
          await fn(ctx, nobody, 'no-such-id', { name: 'x' }, 'x');
        } catch (e) {
          error = e;
        }
        expect(error instanceof AppError ? error.code : String(error), label).toBe('forbidden');
        checked.push(label);
      }
    }
    expect(checked.length).toBeGreaterThan(30);
    const domains = new Set(checked.map((c) => c.split('/')[0]));
    for (const d of ['user', 'team', 'escalation', 'service', 'incident', 'alert', 'auth', 'schedule']) expect(domains, d).toContain(d);
  });
});
