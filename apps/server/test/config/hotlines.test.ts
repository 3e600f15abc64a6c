/** Hotline numbers in klaxon.yaml: apply creates, updates and deletes them; export and apply round-trip. */
import { afterAll, describe, expect, it } from 'vitest';
import { SYSTEM } from '../../src/auth/actor.js';
import { applyConfig } from '../../src/config/apply.js';
import { exportConfig, stringifyConfig } from '../../src/config/export.js';
import { ConfigFileError, parseConfigFile } from '../../src/config/load.js';
import type { Ctx } from '../../src/context.js';
import { listHotlines } from '../../src/hotline/service.js';
import { AppError } from '../../src/lib/errors.js';
import { DIALECTS, testDatabases } from './helpers.js';

const yaml = (text: string) => parseConfigFile('klaxon.yaml', text);
const apply = (ctx: Ctx, text: string, dryRun = false) => applyConfig(ctx, SYSTEM, yaml(text), { dryRun });

const FILE = `version: 1
services:
  - name: support
    hotlines:
      - { name: Support line, number: "+1 (500) 555-0100", ringSeconds: 15, allowedCallers: ["+44 7700 900123"] }
      - { name: Out of hours, number: "+15005550101" }
  - name: etl
`;

describe.each(DIALECTS)('hotlines in config as code on %s', (dialect) => {
  const dbs = testDatabases();
  afterAll(() => dbs.cleanup());

  it('apply creates hotlines with numbers normalised; a second apply changes nothing', async () => {
    const { ctx } = await dbs.fresh(dialect);
    const dry = await apply(ctx, FILE, true);
    expect(dry.changes).toEqual(['+ service support', '+ hotline support/"Support line" (+1 (500) 555-0100, twilio)', '+ hotline support/"Out of hours" (+15005550101, twilio)', '+ service etl']);
    const r = await apply(ctx, FILE);
    expect(r.changes).toEqual(dry.changes);
    const list = await listHotlines(ctx, SYSTEM, 'support');
    expect(list.map((h) => [h.name, h.number, h.ringSeconds, h.allowedCallers, h.enabled])).toEqual([
      ['Out of hours', '+15005550101', 20, [], true],
      ['Support line', '+15005550100', 15, ['+447700900123'], true],
    ]);
    expect(await apply(ctx, FILE)).toEqual({ changes: [], createdKeys: [] });
  });

  it('export lists them and applying the export changes nothing', async () => {
    const { ctx } = await dbs.fresh(dialect);
    await apply(ctx, FILE);
    const exported = await exportConfig(ctx, SYSTEM);
    expect(exported.services?.find((s) => s.name === 'support')?.hotlines).toEqual([
      { name: 'Out of hours', provider: 'twilio', number: '+15005550101', ringSeconds: 20, allowedCallers: [], enabled: true },
      { name: 'Support line', provider: 'twilio', number: '+15005550100', ringSeconds: 15, allowedCallers: ['+447700900123'], enabled: true },
    ]);
    expect(exported.services?.find((s) => s.name === 'etl')?.hotlines).toBeUndefined();
    const text = stringifyConfig(exported);
    expect(await applyConfig(ctx, SYSTEM, parseConfigFile('export.yaml', text), { dryRun: false })).toEqual({ changes: [], createdKeys: [] });
  });

  it('a changed file updates and deletes hotlines to match exactly', async () => {
    const { ctx } = await dbs.fresh(dialect);
    await apply(ctx, FILE);
    const r = await apply(
      ctx,
      `version: 1\nservices:\n  - name: support\n    hotlines:\n      - { name: Support line, number: "+15005550100", ringSeconds: 30, allowedCallers: [], enabled: false }\n`,
    );
    expect(r.changes).toEqual(['- hotline support/"Out of hours" (+15005550101)', '~ hotline support/"Support line": ringSeconds 15 -> 30; allowedCallers 1 -> 0 numbers; disabled']);
    const list = await listHotlines(ctx, SYSTEM, 'support');
    expect(list.map((h) => [h.name, h.ringSeconds, h.allowedCallers, h.enabled])).toEqual([['Support line', 30, [], false]]);
  });

  it('a bad hotline is refused (with its line for the schema, by the verb for a number that is not one), and nothing changes', async () => {
    const { ctx } = await dbs.fresh(dialect);
    let message = '';
    try {
      await apply(ctx, `version: 1\nservices:\n  - name: support\n    hotlines:\n      - { name: line, number: "+15005550100", ringSeconds: 1 }\n`);
    } catch (e) {
      if (!(e instanceof ConfigFileError)) throw e;
      message = e.message;
    }
    expect(message).toMatch(/klaxon\.yaml:5.*ringSeconds/);
    let bad: unknown;
    try {
      await apply(ctx, `version: 1\nservices:\n  - name: support\n    hotlines:\n      - { name: line, number: "call me" }\n`);
    } catch (e) {
      bad = e;
    }
    expect(bad instanceof AppError || bad instanceof ConfigFileError).toBe(true);
    expect(String((bad as Error).message)).toContain('not a phone number');
    expect(await ctx.db.kysely.selectFrom('services').select('id').execute()).toEqual([]);
  });
});
