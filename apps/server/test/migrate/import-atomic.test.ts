/**
 * `klaxon import ... --apply` is all or nothing: the real CLI in its own process against the fake
 * PagerDuty API and a Klaxon database that already holds an earlier import (SQLite; PostgreSQL too
 * when KLAXON_TEST_DATABASE_URL is set). The source then changes in every section (a new person with
 * trusted contact methods, a renamed person, an override of 400 days, a new maintenance window), and
 * the database refuses the very last write of the apply (a trigger on maintenance_windows, the step
 * after every configuration verb). The database must be exactly as before (export, and every table
 * the import writes), and `--apply --dry-run` must stop at the same refusal. Without the trigger the
 * same import applies, the 400-day override as two consecutive ones.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM } from '../../src/auth/actor.js';
import { applyImport } from '../../src/migrate/run.js';
import type { ImportResult } from '../../src/migrate/types.js';
import { findService } from '../../src/service/service.js';
import { listMaintenance } from '../../src/status/service.js';
import { testDatabases } from '../config/helpers.js';
import { buildAccount } from '../fakes/pagerduty/fixture.js';
import { FakePagerDuty } from '../fakes/pagerduty/server.js';
import { DIALECTS, freshDatabase } from '../harness.js';
import { must } from '../../src/lib/must.js';
import { runKlaxon, UNPACED } from './cli.js';

const dir = mkdtempSync(join(tmpdir(), 'klaxon-import-atomic-'));
const DAY = 24 * 3600_000;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function klaxon(url: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runKlaxon(args, { KLAXON_DATABASE_URL: url, KLAXON_PUBLIC_URL: 'https://klaxon.example.com', PAGERDUTY_TOKEN: '' });
}

const TABLES = [
  'users',
  'contact_methods',
  'notification_rules',
  'teams',
  'team_members',
  'schedules',
  'schedule_overrides',
  'escalation_policies',
  'services',
  'integrations',
  'outbox',
  'audit_log',
  'migration_runs',
  'maintenance_windows',
] as const;

/** Every row of the tables an import writes, as plain data (through Klaxon's own database layer), without the audit rows of exports. */
async function rows(url: string): Promise<Record<string, string[]>> {
  const { localContext } = await import('../../src/app/klaxon.js');
  const { configFromEnv } = await import('../../src/app/config.js');
  const { ctx, close } = await localContext({ ...configFromEnv({ ...process.env, KLAXON_DATABASE_URL: url }), logLevel: 'silent' } as never);
  try {
    const out: Record<string, string[]> = {};
    const db = ctx.db.kysely as unknown as { selectFrom(t: string): { selectAll(): { execute(): Promise<unknown[]> } } };
    for (const t of TABLES) out[t] = (await db.selectFrom(t).selectAll().execute()).map((r) => JSON.stringify(r)).sort();
    // The test's own `klaxon export` runs are on the audit trail (config.export); they are not the import's writes.
    out.audit_log = must(out.audit_log, 'the audit rows').filter((r) => !r.includes('"action":"config.export"'));
    return out;
  } finally {
    await close();
  }
}

/** A trigger that makes the database refuse new maintenance windows (on), or its removal (off). */
async function freezeMaintenance(dialect: 'sqlite' | 'postgres', url: string, on: boolean): Promise<void> {
  if (dialect === 'sqlite') {
    const d = new Database(url);
    try {
      d.exec(on ? "CREATE TRIGGER test_freeze BEFORE INSERT ON maintenance_windows BEGIN SELECT RAISE(ABORT, 'maintenance windows are frozen by the test'); END;" : 'DROP TRIGGER test_freeze');
    } finally {
      d.close();
    }
    return;
  }
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(
      on
        ? "CREATE FUNCTION test_freeze() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'maintenance windows are frozen by the test'; END $$; CREATE TRIGGER test_freeze BEFORE INSERT ON maintenance_windows FOR EACH ROW EXECUTE FUNCTION test_freeze();"
        : 'DROP TRIGGER test_freeze ON maintenance_windows; DROP FUNCTION test_freeze();',
    );
  } finally {
    await c.end();
  }
}

describe.each(DIALECTS)('klaxon import --apply is all or nothing (%s)', (dialect) => {
  const fake = new FakePagerDuty(buildAccount(Date.now()));
  const conn = () => ['--token', fake.token, '--url', fake.url, ...UNPACED];
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  beforeAll(async () => {
    await fake.start();
    db = await freshDatabase(dialect);
  });
  afterAll(async () => {
    await fake.close();
    await db?.drop();
  });

  it('an apply refused at its last write leaves the database exactly as it was; the dry run reports the same refusal; unrefused, a 400-day override comes as two', async () => {
    // The database already holds the account, imported and applied earlier.
    const first = await klaxon(db.url, 'import', 'pagerduty', ...conn(), '-o', join(dir, `${dialect}-1.yaml`), '--apply');
    expect(first.code, first.stderr).toBe(0);

    // The source changes: a new person with contact methods (imported with --trust-contacts), a
    // renamed person, and on the first schedule an override of 400 days.
    const a = fake.account;
    a.users.push({
      id: 'PGINA01',
      name: 'Gina',
      email: 'gina@example.com',
      time_zone: 'Europe/Paris',
      role: 'user',
      contact_methods: [
        { id: 'PCMGE01', type: 'email_contact_method', label: 'Work', address: 'gina@example.com' },
        { id: 'PCMGS01', type: 'sms_contact_method', label: 'Cell', address: '7700900777', country_code: 44 },
      ],
      notification_rules: [{ id: 'PNRG001', start_delay_in_minutes: 0, urgency: 'high', contact_method: 'PCMGS01' }],
    });
    must(a.users[0], 'a.users[0]').name = 'Alice Renamed';
    const start = Math.ceil((Date.now() + 2 * DAY) / 3600_000) * 3600_000;
    must(a.schedules[0], 'a.schedules[0]').overrides.push({ id: 'POVRLONG', start, end: start + 400 * DAY, user: 'PGINA01' } as (typeof a.schedules)[0]['overrides'][number]);
    a.maintenance_windows.push({
      id: 'PMWNEW1',
      description: 'Checkout freeze',
      start: start + DAY,
      end: start + DAY + 3600_000,
      services: [must(must(a.maintenance_windows[0], 'a.maintenance_windows[0]').services[0], 'a.maintenance_windows[0].services[0]')],
    });
    await freezeMaintenance(dialect, db.url, true);

    const before = await klaxon(db.url, 'export');
    expect(before.code, before.stderr).toBe(0);
    const rowsBefore = await rows(db.url);
    expect(must(rowsBefore.users, 'rowsBefore.users').length).toBeGreaterThan(0);
    expect(must(rowsBefore.migration_runs, 'rowsBefore.migration_runs').length).toBe(1);

    const dry = await klaxon(db.url, 'import', 'pagerduty', ...conn(), '-o', join(dir, `${dialect}-dry.yaml`), '--apply', '--dry-run', '--trust-contacts');
    const real = await klaxon(db.url, 'import', 'pagerduty', ...conn(), '-o', join(dir, `${dialect}-2.yaml`), '--apply', '--trust-contacts');
    for (const r of [dry, real]) {
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain('klaxon: applying the import: ');
      expect(r.stderr).toContain('maintenance windows are frozen by the test');
      expect(r.stderr).toContain('the transaction was rolled back');
      expect(r.stderr).toContain('Nothing was applied.');
    }
    // The same refusal, word for word, from the dry run and the real apply.
    const refusal = (s: string) => s.split('\n').filter((l) => /frozen by the test/.test(l));
    expect(refusal(dry.stderr)).toEqual(refusal(real.stderr));
    expect(refusal(real.stderr).length).toBeGreaterThan(0);

    // Nothing changed: the export, and every row of every table the import writes (the new person,
    // the trusted contact methods and their audit lines, the rename, the stored import run).
    const after = await klaxon(db.url, 'export');
    expect(after.stdout).toBe(before.stdout);
    expect(after.stdout).not.toContain('gina@example.com');
    expect(after.stdout).not.toContain('Alice Renamed');
    expect(await rows(db.url)).toEqual(rowsBefore);

    // Unfrozen, the same import applies: trusted contact methods, the window, and the 400-day
    // override as two consecutive overrides covering exactly its span (the report notes the split).
    await freezeMaintenance(dialect, db.url, false);
    const ok = await klaxon(db.url, 'import', 'pagerduty', ...conn(), '-o', join(dir, `${dialect}-3.yaml`), '--apply', '--trust-contacts');
    expect(ok.code, ok.stderr).toBe(0);
    const rowsOk = await rows(db.url);
    expect(must(rowsOk.users, 'rowsOk.users').some((r) => r.includes('gina@example.com'))).toBe(true);
    expect(must(rowsOk.audit_log, 'rowsOk.audit_log').filter((r) => r.includes('contact_method.verify') && r.includes('--trust-contacts')).length).toBe(2);
    expect(must(rowsOk.migration_runs, 'rowsOk.migration_runs').length).toBe(2);
    expect(must(rowsOk.maintenance_windows, 'rowsOk.maintenance_windows').filter((r) => r.includes('Checkout freeze')).length).toBe(1);
    const long = must(rowsOk.schedule_overrides, 'rowsOk.schedule_overrides')
      .map((r) => JSON.parse(r) as { start_at: number | string; end_at: number | string; note: string | null })
      .filter((r) => r.note === 'PagerDuty override POVRLONG');
    expect(long.map((r) => [Number(r.start_at), Number(r.end_at)]).sort((x, y) => must(x[0], 'x[0]') - must(y[0], 'y[0]'))).toEqual([
      [start, start + 366 * DAY],
      [start + 366 * DAY, start + 400 * DAY],
    ]);
    expect(ok.stderr).not.toContain('frozen');
  }, 240_000);

  it('a maintenance window refused after the configuration and an earlier window undoes both; the dry run makes neither', async () => {
    const dbs = testDatabases();
    try {
      const d = await dbs.fresh(dialect);
      const now = d.ctx.clock.now();
      const result: ImportResult = {
        source: 'pagerduty',
        url: 'https://api.pagerduty.example',
        config: { version: 1, users: [{ email: 'hal@example.com', name: 'Hal' }], services: [{ name: 'Billing', integrations: [] }] } as ImportResult['config'],
        counts: {},
        items: [],
        senders: [],
        maintenance: [
          { source: { name: 'ok', id: 'PMW1' }, title: 'Billing upgrade', description: '', services: ['Billing'], startsAt: now + DAY, endsAt: now + DAY + 3600_000 },
          { source: { name: 'bad', id: 'PMW2' }, title: 'Gone', description: '', services: ['No such service'], startsAt: now + DAY, endsAt: now + DAY + 3600_000 },
        ],
      };
      await expect(applyImport(d.ctx, SYSTEM, result, { dryRun: false, trustContacts: false })).rejects.toThrow(/unknown service "No such service"/);
      expect(await listMaintenance(d.ctx, SYSTEM)).toEqual([]);
      expect(await findService(d.ctx.db.kysely, 'Billing')).toBeUndefined();
      // Without the bad window: the dry run lists the window and makes nothing; the apply makes it.
      result.maintenance.pop();
      const dry = await applyImport(d.ctx, SYSTEM, result, { dryRun: true, trustContacts: false });
      expect(dry.applied.changes.filter((c) => c.startsWith('+ maintenance window'))).toEqual([expect.stringMatching(/^\+ maintenance window "Billing upgrade" on Billing, /)]);
      expect(await listMaintenance(d.ctx, SYSTEM)).toEqual([]);
      const real = await applyImport(d.ctx, SYSTEM, result, { dryRun: false, trustContacts: false });
      expect(real.applied.changes).toEqual(dry.applied.changes);
      const billing = await findService(d.ctx.db.kysely, 'Billing');
      expect((await listMaintenance(d.ctx, SYSTEM)).map((m) => [m.title, m.serviceIds, m.startsAt, m.endsAt])).toEqual([
        ['Billing upgrade', [must(billing, 'billing').id], now + DAY, now + DAY + 3600_000],
      ]);
    } finally {
      await dbs.cleanup();
    }
  }, 120_000);
});
