/** Heartbeats in klaxon.yaml: apply creates, updates and deletes them; export and apply round-trip. */
import { afterAll, describe, expect, it } from 'vitest';
import { SYSTEM } from '../../src/auth/actor.js';
import { applyConfig } from '../../src/config/apply.js';
import { exportConfig, stringifyConfig } from '../../src/config/export.js';
import { ConfigFileError, parseConfigFile } from '../../src/config/load.js';
import type { Ctx } from '../../src/context.js';
import { listHeartbeats } from '../../src/heartbeat/service.js';
import { DIALECTS, testDatabases } from './helpers.js';
import { must } from '../../src/lib/must.js';

const yaml = (text: string) => parseConfigFile('klaxon.yaml', text);
const apply = (ctx: Ctx, text: string, dryRun = false) => applyConfig(ctx, SYSTEM, yaml(text), { dryRun });

const FILE = `version: 1
services:
  - name: backups
    heartbeats:
      - { name: nightly-backup, intervalMinutes: 1500, graceMinutes: 60 }
      - { name: prometheus, intervalMinutes: 5, graceMinutes: 5, watchdogAlert: Watchdog }
  - name: etl
`;

describe.each(DIALECTS)('heartbeats in config as code on %s', (dialect) => {
  const dbs = testDatabases();
  afterAll(() => dbs.cleanup());

  it('apply creates heartbeats and prints each check-in URL once; a second apply changes nothing', async () => {
    const { ctx } = await dbs.fresh(dialect);
    const dry = await apply(ctx, FILE, true);
    expect(dry.changes).toEqual([
      '+ service backups',
      '+ heartbeat backups/nightly-backup (every 1500 min, grace 60 min)',
      '+ heartbeat backups/prometheus (every 5 min, grace 5 min)',
      '+ service etl',
    ]);
    expect(dry.createdHeartbeats).toBeUndefined();
    const r = await apply(ctx, FILE);
    expect(r.changes).toEqual(dry.changes);
    expect(r.createdHeartbeats?.map((h) => [h.service, h.heartbeat])).toEqual([
      ['backups', 'nightly-backup'],
      ['backups', 'prometheus'],
    ]);
    for (const h of must(r.createdHeartbeats, 'r.createdHeartbeats')) expect(h.checkinUrl).toMatch(/\/heartbeats\/v1\/[A-Za-z0-9]{20,}$/);
    const list = await listHeartbeats(ctx, SYSTEM, 'backups');
    expect(list.map((h) => [h.name, h.intervalMinutes, h.graceMinutes, h.enabled, h.watchdogAlert])).toEqual([
      ['nightly-backup', 1500, 60, true, null],
      ['prometheus', 5, 5, true, 'Watchdog'],
    ]);
    expect(await apply(ctx, FILE)).toEqual({ changes: [], createdKeys: [] });
  });

  it('export lists them and applying the export changes nothing (tokens kept)', async () => {
    const { ctx } = await dbs.fresh(dialect);
    await apply(ctx, FILE);
    const hashes = await ctx.db.kysely.selectFrom('heartbeats').select(['name', 'token_hash']).orderBy('name').execute();
    const exported = await exportConfig(ctx, SYSTEM);
    expect(exported.services?.find((s) => s.name === 'backups')?.heartbeats).toEqual([
      { name: 'nightly-backup', intervalMinutes: 1500, graceMinutes: 60, enabled: true },
      { name: 'prometheus', intervalMinutes: 5, graceMinutes: 5, enabled: true, watchdogAlert: 'Watchdog' },
    ]);
    expect(exported.services?.find((s) => s.name === 'etl')?.heartbeats).toBeUndefined();
    const text = stringifyConfig(exported);
    expect(text).not.toMatch(/heartbeats\/v1\//);
    expect(await applyConfig(ctx, SYSTEM, parseConfigFile('export.yaml', text), { dryRun: false })).toEqual({ changes: [], createdKeys: [] });
    expect(await ctx.db.kysely.selectFrom('heartbeats').select(['name', 'token_hash']).orderBy('name').execute()).toEqual(hashes);
  });

  it('a changed file updates and deletes heartbeats to match exactly', async () => {
    const { ctx } = await dbs.fresh(dialect);
    await apply(ctx, FILE);
    const changed = `version: 1
services:
  - name: backups
    heartbeats:
      - { name: nightly-backup, intervalMinutes: 1440, graceMinutes: 60, enabled: false }
`;
    const r = await apply(ctx, changed);
    expect(r.changes).toEqual(['- heartbeat backups/prometheus', '~ heartbeat backups/nightly-backup: intervalMinutes 1500 -> 1440; disabled']);
    const list = await listHeartbeats(ctx, SYSTEM, 'backups');
    expect(list.map((h) => [h.name, h.intervalMinutes, h.enabled, h.state])).toEqual([['nightly-backup', 1440, false, 'disabled']]);
  });

  it('a bad heartbeat is refused with its line, and nothing changes', async () => {
    const { ctx } = await dbs.fresh(dialect);
    let message = '';
    try {
      await apply(ctx, `version: 1\nservices:\n  - name: backups\n    heartbeats:\n      - { name: nightly, intervalMinutes: 0 }\n`);
    } catch (e) {
      if (!(e instanceof ConfigFileError)) throw e;
      message = e.message;
    }
    expect(message).toMatch(/klaxon\.yaml:5.*intervalMinutes/);
    expect(await ctx.db.kysely.selectFrom('services').select('id').execute()).toEqual([]);
  });
});
