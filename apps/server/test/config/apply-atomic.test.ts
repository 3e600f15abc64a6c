/**
 * `klaxon apply` runs in one transaction: a file with a problem anywhere changes nothing, and a dry
 * run is the same transaction rolled back, so it reports (and refuses) exactly what a real apply
 * then does. SQLite always, PostgreSQL when configured.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { SYSTEM } from '../../src/auth/actor.js';
import { applyConfig, type ApplyOptions } from '../../src/config/apply.js';
import { exportConfig } from '../../src/config/export.js';
import { ConfigFileError, parseConfigFile } from '../../src/config/load.js';
import type { ConfigDocument } from '../../src/config/schema.js';
import type { Ctx, LiveEvent } from '../../src/context.js';
import { createIncident } from '../../src/incident/service.js';
import { DIALECTS, EXAMPLE_TEXT, editExample, testDatabases } from './helpers.js';
import { must } from '../../src/lib/must.js';

const yaml = (text: string) => parseConfigFile('klaxon.yaml', text);

/** The 1-based line and column of the last `needle` in `text`. */
function lastLineColOf(text: string, needle: string): string {
  const before = text.slice(0, text.lastIndexOf(needle)).split('\n');
  return `${before.length}:${must(before[before.length - 1], 'before[before.length - 1]').length + 1}`;
}

/** A ctx that records what would leave the database: live events and engine wake-ups. */
function recording(ctx: Ctx) {
  const events: LiveEvent[] = [];
  let wakes = 0;
  const rctx: Ctx = { ...ctx, publish: (e) => void events.push(e), wake: () => void wakes++ };
  return { ctx: rctx, events, wakes: () => wakes };
}

/** Every row apply can write, as plain data. */
async function snapshot(ctx: Ctx) {
  const db = ctx.db.kysely;
  const all = async (
    table: 'users' | 'contact_methods' | 'notification_rules' | 'teams' | 'team_members' | 'schedules' | 'escalation_policies' | 'services' | 'integrations' | 'outbox' | 'audit_log',
  ) => (await db.selectFrom(table).selectAll().execute()).map((r) => JSON.stringify(r)).sort();
  return {
    config: await exportConfig(ctx, SYSTEM),
    users: await all('users'),
    contactMethods: await all('contact_methods'),
    rules: await all('notification_rules'),
    teams: await all('teams'),
    members: await all('team_members'),
    schedules: await all('schedules'),
    policies: await all('escalation_policies'),
    services: await all('services'),
    integrations: await all('integrations'),
    outbox: await all('outbox'),
    audit: await all('audit_log'),
  };
}

/** The lines of the ConfigFileError `p` throws. */
async function configError(p: Promise<unknown>): Promise<string[]> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ConfigFileError) return e.message.split('\n');
    throw e;
  }
  throw new Error('expected a ConfigFileError');
}

const run = (ctx: Ctx, doc: ConfigDocument, opts: Partial<ApplyOptions> = {}) => applyConfig(ctx, SYSTEM, doc, { dryRun: false, ...opts });

describe.each(DIALECTS)('apply is one transaction on %s', (dialect) => {
  const dbs = testDatabases();
  afterAll(() => dbs.cleanup());

  // Changes in every section, then, as the very last step, pruning dev@example.com, whom a policy
  // the file does not list still targets: only deleteUser, the last verb apply calls, refuses that.
  const lastStepRefused = editExample((d) => {
    d.setIn(['users', 0, 'name'], 'Alice C.');
    d.addIn(['users'], { email: 'erin@example.com', name: 'Erin', contactMethods: [{ name: 'email', type: 'email', address: 'erin@example.com' }] });
    d.deleteIn(['users', 3]); // dev
    d.deleteIn(['teams', 1, 'members', 0]); // dev
    d.setIn(['schedules', 0, 'description'], 'Changed');
    d.deleteIn(['escalationPolicies']); // so "Platform default", which targets dev, is kept
    d.setIn(['services', 2, 'description'], 'Changed');
  });
  const refusal = ['klaxon.yaml:18:3: users: deleting user dev@example.com: This user is a target of escalation policy "Platform default": change it first', 'Nothing was changed.'];

  it('a file whose last step is refused changes nothing, and nothing leaves the database', async () => {
    const { ctx: base } = await dbs.fresh(dialect);
    const { ctx, events, wakes } = recording(base);
    await run(ctx, yaml(EXAMPLE_TEXT));
    expect(events.length).toBeGreaterThan(0);
    expect(wakes()).toBe(1);
    const full = await snapshot(ctx);
    events.length = 0;

    expect(await configError(run(ctx, yaml(lastStepRefused), { prune: true }))).toEqual(refusal);
    expect(await snapshot(ctx)).toEqual(full);
    // No live event, no wake-up: the new contact method's verification code was never sent.
    expect(events).toEqual([]);
    expect(wakes()).toBe(1);

    // The same with a key that an integration outside the file uses, on the last integration.
    await run(ctx, yaml('version: 1\nservices:\n  - name: monitoring\n    integrations:\n      - { name: events, kind: generic, key: monitoring-events-key-0123 }\n'));
    const withMonitoring = await snapshot(ctx);
    events.length = 0;
    const clash = editExample((d) => {
      d.setIn(['users', 0, 'name'], 'Alice C.');
      d.setIn(['services', 2, 'integrations', 1, 'key'], 'monitoring-events-key-0123');
    });
    expect(await configError(run(ctx, yaml(clash)))).toEqual([
      `klaxon.yaml:${lastLineColOf(clash, 'monitoring-events-key-0123')}: services[2].integrations[1].key: this key is already used by integration monitoring/events`,
      'Nothing was changed.',
    ]);
    expect(await snapshot(ctx)).toEqual(withMonitoring);
    expect(events).toEqual([]);
  });

  it('a dry run reports exactly what the real apply then does, and refuses what it refuses', async () => {
    const { ctx: base } = await dbs.fresh(dialect);
    const { ctx, events, wakes } = recording(base);

    const steps: [string, Partial<ApplyOptions>][] = [
      [EXAMPLE_TEXT, {}],
      [
        editExample((d) => {
          d.setIn(['users', 0, 'name'], 'Alice C.');
          d.setIn(['users', 2, 'contactMethods', 1, 'address'], '+12125550199');
          d.deleteIn(['teams', 1, 'members', 1]);
          d.setIn(['schedules', 0, 'layers', 0, 'turn'], { unit: 'week', count: 2 });
          d.setIn(['escalationPolicies', 0, 'repeat'], 1);
          d.setIn(['services', 1, 'grouping'], { mode: 'window', minutes: 5 });
          d.setIn(['services', 2, 'integrations', 0, 'key'], 'rotated-opsgenie-key-0123456789');
        }),
        {},
      ],
      [
        editExample((d) => {
          d.deleteIn(['services', 2]);
          d.deleteIn(['escalationPolicies', 1]);
          d.deleteIn(['teams', 1]);
          d.deleteIn(['users', 3]);
        }),
        { prune: true },
      ],
    ];
    for (const [text, opts] of steps) {
      const before = await snapshot(ctx);
      const wakesBefore = wakes();
      events.length = 0;
      const dry = await run(ctx, yaml(text), { ...opts, dryRun: true });
      expect(dry.changes.length).toBeGreaterThan(0);
      expect(await snapshot(ctx)).toEqual(before);
      expect(events).toEqual([]);
      expect(wakes()).toBe(wakesBefore);

      const real = await run(ctx, yaml(text), opts);
      expect(real).toEqual(dry);
      expect(await snapshot(ctx)).not.toEqual(before);
      expect(events.length).toBeGreaterThan(0);
      // Applied: the same file now has nothing to do.
      expect(await run(ctx, yaml(text), { ...opts, dryRun: true })).toEqual({ changes: [], createdKeys: [] });
    }

    // The same refusal from a dry run as from the real apply, where a dry run used to only plan
    // and say all was well. (The file prunes on top of what the steps above left.)
    await run(ctx, yaml(EXAMPLE_TEXT));
    const before = await snapshot(ctx);
    expect(await configError(run(ctx, yaml(lastStepRefused), { prune: true, dryRun: true }))).toEqual(refusal);
    expect(await snapshot(ctx)).toEqual(before);

    // A verb's refusal in the middle (a service with incidents cannot be pruned) is the dry run's too.
    await createIncident(ctx, SYSTEM, { service: 'payments-worker', title: 'Queue backlog' });
    const withoutWorker = editExample((d) => {
      d.deleteIn(['services', 1]);
      d.setIn(['users', 0, 'name'], 'Alice Chen-Okafor');
    });
    const dryLines = await configError(run(ctx, yaml(withoutWorker), { prune: true, dryRun: true }));
    expect(dryLines[0]).toMatch(/^klaxon\.yaml:\d+:\d+: services: deleting service payments-worker: This service has incidents; it cannot be deleted$/);
    expect(await configError(run(ctx, yaml(withoutWorker), { prune: true }))).toEqual(dryLines);
    expect(await snapshot(ctx)).toEqual(before);
  });

  it("plans with the verbs' own rules: an override longer than addOverride allows is refused up front, with every other problem, before any step runs", async () => {
    const { ctx } = await dbs.fresh(dialect);
    await run(ctx, yaml(EXAMPLE_TEXT));
    const before = await snapshot(ctx);
    const text = editExample((d) => {
      d.setIn(['users', 0, 'name'], 'Alice C.'); // a change that would run first
      d.setIn(
        ['schedules', 0, 'overrides'],
        [
          { users: ['bob@example.com'], start: '2027-01-04T09:00', end: '2028-02-07T09:00' }, // 399 days
          { users: ['nobody@example.com'], start: '2027-01-04T09:00', end: '2027-01-05T09:00' },
        ],
      );
    });
    const lines = await configError(run(ctx, yaml(text)));
    expect(lines).toEqual([
      `klaxon.yaml:${lastLineColOf(text, '2028-02-07T09:00')}: schedules[0].overrides[0].end: must be at most 366 days after start`,
      expect.stringMatching(/^klaxon\.yaml:\d+:\d+: schedules\[0\]\.overrides\[1\]\.users\[0\]: unknown user "nobody@example\.com"/),
      'Nothing was changed.',
    ]);
    expect(await snapshot(ctx)).toEqual(before);
  });

  it('keys generated in a dry run are never shown; the real apply shows the ones it stored', async () => {
    const { ctx } = await dbs.fresh(dialect);
    const file = yaml('version: 1\nservices:\n  - name: billing\n    integrations:\n      - { name: events, kind: generic }\n');
    const dry = await run(ctx, file, { dryRun: true });
    expect(dry).toEqual({ changes: ['+ service billing (1 integration)'], createdKeys: [] });
    const real = await run(ctx, file);
    expect(real.changes).toEqual(dry.changes);
    expect(real.createdKeys).toHaveLength(1);
  });
});
