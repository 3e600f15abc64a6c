/**
 * `klaxon import opsgenie` and `klaxon compare opsgenie` as a person runs them: the real CLI process
 * against the fake Opsgenie API (test/fakes/opsgenie) and a fresh database on each dialect. Import +
 * apply, the report naming every unmappable object, a second import saying "No changes", the
 * parallel-run comparison (0 differences for what maps, future overrides included; the override of
 * only some rotations, which does not map, shows within its span), --trust-contacts, 429 + Retry-After, and errors
 * (401, 404, 500, malformed JSON, truncated page) that name the resource, exit 2 and apply nothing.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM } from '../../src/auth/actor.js';
import { parseConfigFile } from '../../src/config/load.js';
import { listHeartbeats } from '../../src/heartbeat/service.js';
import { addOverride } from '../../src/schedule/service.js';
import { findService } from '../../src/service/service.js';
import { listMaintenance } from '../../src/status/service.js';
import { DIALECTS, testDatabases } from '../config/helpers.js';
import { FakeOpsgenie, type FailMode } from '../fakes/opsgenie/server.js';
import { must } from '../../src/lib/must.js';
import { runKlaxon, UNPACED } from './cli.js';

const dir = mkdtempSync(join(tmpdir(), 'klaxon-og-'));

async function klaxon(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runKlaxon(args, env);
}

describe.each(DIALECTS)('klaxon import/compare opsgenie (%s)', (dialect) => {
  const dbs = testDatabases();
  let og: FakeOpsgenie;

  beforeAll(async () => {
    og = new FakeOpsgenie();
    await og.start();
  });
  afterAll(async () => {
    await og.close();
    await dbs.cleanup();
  });

  const conn = () => ['--api-key', og.key, '--url', og.url, ...UNPACED];

  it('imports, applies, says "No changes" the second time, and compares with 0 differences for what maps', async () => {
    const db = await dbs.fresh(dialect);
    const env = { KLAXON_DATABASE_URL: db.url, KLAXON_PUBLIC_URL: 'https://klaxon.example.com' };
    const yamlFile = join(dir, `${dialect}-import.yaml`);
    const reportFile = join(dir, `${dialect}-report.md`);
    const first = await klaxon(env, 'import', 'opsgenie', ...conn(), '-o', yamlFile, '--report', reportFile, '--apply');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/Applied \d+ change\(s\) from Opsgenie\./);
    expect(first.stderr).toContain('+ schedule "SRE primary" (3 layers)');
    expect(first.stderr).toMatch(/\+ override "SRE primary": bob@example\.com \d{4}-\d\d-\d\dT10:00 – \d{4}-\d\d-\d\dT10:00/);
    expect(first.stderr).toMatch(/integration key for Checkout\/Prometheus: \S{16,}/);
    expect(og.writes).toEqual([]);

    const doc = parseConfigFile(yamlFile, readFileSync(yamlFile, 'utf8'));
    const sre = must(
      must(doc.schedules, 'doc.schedules').find((s) => s.name === 'SRE primary'),
      "doc.schedules entry where s.name === 'SRE primary'",
    );
    expect(sre.layering).toBe('union');
    expect(sre.layers.map((l) => [l.name, l.turn.unit, l.turn.count])).toEqual([
      ['Weekly', 'week', 1],
      ['Nights', 'day', 2],
      ['Weekend and lunch', 'hour', 6],
    ]);
    expect(must(sre.layers[1], 'sre.layers[1]').participants).toEqual(['dave@example.com', [], 'erin@example.com']);
    expect(sre.overrides?.map((o) => o.users)).toEqual([['bob@example.com']]);
    expect(must(sre.layers[1], 'sre.layers[1]').restrictions).toEqual([{ kind: 'daily', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '18:30', end: '08:00' }]);
    expect(must(sre.layers[2], 'sre.layers[2]').restrictions).toEqual([
      { kind: 'weekly', startDay: 'sat', startTime: '00:00', endDay: 'mon', endTime: '00:00' },
      { kind: 'weekly', startDay: 'wed', startTime: '12:00', endDay: 'wed', endTime: '14:00' },
    ]);
    // Heartbeats: on a service of their owner team with an Opsgenie-format integration (the GenieKey of the pings).
    const hbs = must(doc.services, 'doc.services').flatMap((x) =>
      (x.heartbeats ?? []).map((h) => [x.name, x.team, h.name, h.intervalMinutes, h.graceMinutes, h.enabled, must(x.integrations, 'x.integrations').some((i) => i.kind === 'opsgenie')]),
    );
    expect(hbs).toEqual([
      ['Checkout', 'SRE', 'queue-drain', 30, 0, false, true],
      ['Batch', 'Solo', 'nightly-backup', 1500, 0, false, true],
    ]);
    const batchHeartbeats = await listHeartbeats(db.ctx, SYSTEM, 'Batch');
    expect(batchHeartbeats.map((h) => [h.name, h.intervalMinutes, h.enabled, h.state])).toEqual([['nightly-backup', 1500, false, 'disabled']]);
    const alice = must(
      must(doc.users, 'doc.users').find((u) => u.email === 'alice@example.com'),
      "doc.users entry where u.email === 'alice@example.com'",
    );
    expect(alice.timeZone).toBe('Europe/Berlin');
    expect(alice.notificationRules).toEqual([
      { contactMethod: 'email', delayMinutes: 0 },
      { contactMethod: 'sms', delayMinutes: 1 },
      { contactMethod: 'voice', delayMinutes: 4 },
    ]);
    const sreEsc = must(
      must(doc.escalationPolicies, 'doc.escalationPolicies').find((p) => p.name === 'SRE escalation'),
      "doc.escalationPolicies entry where p.name === 'SRE escalation'",
    );
    expect(sreEsc.levels.map((l) => [l.delayMinutes, l.until ?? 'acknowledged', l.targets])).toEqual([
      [4, 'acknowledged', [{ schedule: 'SRE primary' }]],
      [0, 'acknowledged', [{ scheduleNext: 'SRE primary' }]],
      [6, 'resolved', [{ teamManagers: 'SRE' }]],
      [5, 'acknowledged', [{ schedulePrevious: 'SRE primary' }]],
      [5, 'acknowledged', [{ teamRandom: 'Solo' }]],
      [5, 'acknowledged', [{ team: 'Payments' }, { user: 'alice@example.com' }]],
      [10, 'acknowledged', [{ schedule: 'Payments rota' }]],
    ]);
    expect([sreEsc.repeat, sreEsc.initialDelayMinutes]).toEqual([2, 0]);
    const payEsc = must(
      must(doc.escalationPolicies, 'doc.escalationPolicies').find((p) => p.name === 'Payments escalation'),
      "doc.escalationPolicies entry where p.name === 'Payments escalation'",
    );
    expect(payEsc.initialDelayMinutes).toBe(2);
    expect(payEsc.levels.map((l) => l.delayMinutes)).toEqual([5, 2, 0]);

    const report = readFileSync(reportFile, 'utf8');
    for (const needle of [
      '| schedule override | SRE primary: erin@example.com',
      '(rotations Nights) | ovr-nights | it replaces only some rotations',
      '| escalation | SRE escalation | esc-sre | closes the alert after the last repeat',
      '| team routing rule | SRE: P1 to payments | sre-p1 |',
      '| integration | Mailbox | int-email |',
      '| integration | Old webhook | int-off | disabled',
      '| heartbeat | queue-drain | queue-drain | disabled in Opsgenie |',
      '| heartbeat | report/weekly | report/weekly | its name has characters',
      '| heartbeat | nightly-backup | nightly-backup | enabled in Opsgenie; a Klaxon heartbeat enabled before its sender moves would page | imported disabled on service Batch: enable it once its sender pings Klaxon |',
      '**nightly-backup** (heartbeat, id nightly-backup) → service `',
      '/v2/heartbeats/nightly-backup/ping (GET, POST or HEAD). Klaxon heartbeat nightly-backup expects a ping every 1500 min',
      '| maintenance | Database upgrade',
      '| notification rule | alice@example.com: P1 only | alice-p1 |',
      '| notification rule | alice@example.com: Shift starts | alice-shift |',
      '| notification rule | bob@example.com: Office hours | bob-office |',
      '| user contact | bob@example.com: sms 44-7700900123 | bob-old-sms |',
      '| user contact | alice@example.com: mobile alice@example.com | alice-mobile | Opsgenie mobile app push |',
      '| schedule rotation | SRE primary / Weekend and lunch | rot-weekend | participant team Payments',
      '| schedule rotation | Payments rota / Backup escalation | rot-pay-esc | participant escalation Payments escalation',
      '| service | Batch | svc-batch |',
      '**Prometheus** (Prometheus, id int-prom) → service `Checkout`, integration `Prometheus`, key `',
      "Alertmanager: in the receiver's opsgenie_configs set api_url: https://klaxon.example.com/",
    ])
      expect(report, needle).toContain(needle);
    // Maintenance: the windows with an end became Klaxon windows on the services their integrations
    // feed, in the same transaction; the report says how Klaxon's differ; the endless one is not imported.
    const windows = await listMaintenance(db.ctx, SYSTEM);
    const checkout = await findService(db.ctx.db.kysely, 'Checkout');
    const network = must(
      og.fixture.maintenance.find((m) => m['id'] === 'mnt-now'),
      "og.fixture.maintenance entry where m['id'] === 'mnt-now'",
    )['time'] as { startDate: string; endDate: string };
    expect(windows.map((w) => w.title).sort()).toEqual(['Database upgrade', 'Network work']);
    expect(windows.find((w) => w.title === 'Network work')).toMatchObject({
      serviceIds: [must(checkout, 'checkout').id],
      businessServiceIds: [],
      startsAt: Date.parse(network.startDate),
      endsAt: Date.parse(network.endDate),
      description: 'Imported from Opsgenie (maintenance mnt-now).',
    });
    expect(first.stderr).toMatch(/\+ maintenance window "Network work" on Checkout, \d{4}-\d\d-\d\d \d\d:\d\d UTC – /);
    expect(report).toMatch(
      /\| maintenance \| Network work .* \| mnt-now \| Opsgenie drops the alerts of an integration in maintenance; Klaxon opens incidents and pages nobody.* \| created in Klaxon on Checkout, /,
    );
    expect(report).toMatch(
      /\| maintenance \| Database upgrade .* \| mnt-next \| it also covers policy pol-quiet \(enabled; Klaxon has no alert policies\), which did not become Klaxon services \| created in Klaxon on /,
    );
    expect(report).toMatch(/\| maintenance \| Legacy shutdown .* \| mnt-forever \| it has no end time; a Klaxon maintenance window always ends \| not imported/);

    // The past override is history, and the override of every rotation was imported: neither is reported.
    expect(report).not.toContain('ovr-past');
    expect(report).not.toContain('ovr-future');

    const second = await klaxon(env, 'import', 'opsgenie', ...conn(), '-o', join(dir, `${dialect}-2.yaml`), '--apply');
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain('No changes: Klaxon already matches Opsgenie.');
    expect((await listMaintenance(db.ctx, SYSTEM)).length).toBe(2); // not created twice

    // One week ahead: everything agrees (the override of some rotations is 12 days out).
    const week = await klaxon(env, 'compare', 'opsgenie', ...conn(), '--weeks', '1');
    expect(week.stdout).toContain('Schedule "SRE primary" (source: SRE primary, id sch-sre): same');
    expect(week.stdout).toContain('Schedule "Payments rota" (source: Payments rota, id sch-pay): same');
    expect(week.stdout).toContain('Service "Checkout" (source: Checkout, id svc-checkout): every level pages the same people');
    expect(week.stdout).toContain('Service "Billing" (source: Billing, id svc-billing): every level pages the same people');
    expect(week.stdout).toContain('No differences.');
    expect(week.code, week.stdout + week.stderr).toBe(0);

    // Two weeks: the imported override of every rotation agrees; the override of the Nights rotation
    // alone (not imported) differs, only within its span, where Opsgenie has Erin on call.
    const two = await klaxon(env, 'compare', 'opsgenie', ...conn(), '--weeks', '2', '--json');
    expect(two.code, two.stderr).toBe(1);
    const result = JSON.parse(two.stdout) as { schedules: { schedule: string; differences: { start: number; end: number; source: string[]; klaxon: string[] }[] }[]; differences: number };
    const [bobs, nights] = must(og.fixture.overrides['sch-sre'], "og.fixture.overrides['sch-sre']");
    const sreDiff = must(
      result.schedules.find((s) => s.schedule === 'SRE primary'),
      "result.schedules entry where s.schedule === 'SRE primary'",
    ).differences;
    expect(sreDiff.length).toBeGreaterThan(0);
    for (const d of sreDiff) {
      expect(d.start).toBeGreaterThanOrEqual(Date.parse(must(nights, 'nights').startDate));
      expect(d.end).toBeLessThanOrEqual(Date.parse(must(nights, 'nights').endDate));
      expect(d.source).toContain('erin@example.com');
    }
    expect(result.differences).toBe(1);
    expect(Date.parse(must(bobs, 'bobs').startDate)).toBeGreaterThan(Date.now() + 7 * 86_400_000);

    // Made in Klaxon as the report says (Erin with whoever the other rotations have then), it agrees.
    for (const d of sreDiff) {
      await addOverride(db.ctx, SYSTEM, 'SRE primary', { userIds: d.source, start: d.start, end: d.end });
    }
    const after = await klaxon(env, 'compare', 'opsgenie', ...conn(), '--weeks', '2');
    expect(after.code, after.stdout).toBe(0);
    expect(og.writes).toEqual([]);
  }, 480_000);

  it('--trust-contacts imports contact methods as verified, and says so', async () => {
    const db = await dbs.fresh(dialect);
    const reportFile = join(dir, `${dialect}-trust.md`);
    const r = await klaxon({ KLAXON_DATABASE_URL: db.url }, 'import', 'opsgenie', ...conn(), '-o', join(dir, `${dialect}-trust.yaml`), '--report', reportFile, '--apply', '--trust-contacts');
    expect(r.code, r.stderr).toBe(0);
    const methods = await db.ctx.db.kysely.selectFrom('contact_methods').select(['verified_at']).execute();
    expect(methods.length).toBe(18);
    expect(methods.every((m) => m.verified_at !== null)).toBe(true);
    expect(readFileSync(reportFile, 'utf8')).toContain('imported as verified (`--trust-contacts`)');

    const plain = await dbs.fresh(dialect);
    const p = await klaxon({ KLAXON_DATABASE_URL: plain.url }, 'import', 'opsgenie', ...conn(), '-o', join(dir, `${dialect}-plain.yaml`), '--apply');
    expect(p.code, p.stderr).toBe(0);
    const unverified = await plain.ctx.db.kysely.selectFrom('contact_methods').select(['verified_at']).execute();
    expect(unverified.length).toBe(18);
    expect(unverified.every((m) => m.verified_at === null)).toBe(true);
  }, 240_000);

  it('honours 429 with Retry-After', async () => {
    og.reset();
    og.rateLimit(/^\/v2\/escalations$/, 2, 1);
    const from = og.requests.length;
    const r = await klaxon({ KLAXON_DATABASE_URL: join(dir, `${dialect}-429.db`) }, 'import', 'opsgenie', ...conn(), '-o', join(dir, `${dialect}-429.yaml`));
    og.reset();
    expect(r.code, r.stderr).toBe(0);
    const esc = og.requests.slice(from).filter((q) => q.path.startsWith('/v2/escalations?'));
    // Two 429s, then the page, then the next page: each retry waited the second it was told to.
    expect(esc.length).toBeGreaterThanOrEqual(3);
    expect(must(esc[1], 'esc[1]').at - must(esc[0], 'esc[0]').at).toBeGreaterThanOrEqual(990);
    expect(must(esc[2], 'esc[2]').at - must(esc[1], 'esc[1]').at).toBeGreaterThanOrEqual(990);
  }, 240_000);

  const failures: [string, RegExp, FailMode, RegExp][] = [
    ['401', /^\/v2\/schedules$/, 401, /schedules: http:\/\/127\.0\.0\.1:\d+ refused the credentials \(401\)/],
    ['404', /^\/v2\/escalations$/, 404, /escalations: not found at \/v2\/escalations \(404\)/],
    ['malformed JSON', /^\/v2\/teams$/, 'malformed', /teams: the answer from \/v2\/teams is not valid JSON/],
    ['a truncated page', /^\/v2\/users$/, 'truncated', /users: the source said 6 but its pages held 5: a truncated answer/],
    ...(dialect === 'sqlite' ? ([['500', /^\/v1\/services$/, 500, /services: http:\/\/127\.0\.0\.1:\d+ answered 500 .* after 3 tries/]] as [string, RegExp, FailMode, RegExp][]) : []),
  ];
  it.each(failures)(
    'a source answering %s: a clear error naming the resource, exit 2, nothing applied',
    async (_name, match, mode, message) => {
      const db = await dbs.fresh(dialect);
      og.reset();
      og.fail(match, mode);
      // Three tries, not six, keep the 500's backoff short (0.5 + 1 s).
      const r = await klaxon({ KLAXON_DATABASE_URL: db.url }, 'import', 'opsgenie', ...conn(), '--max-tries', '3', '--apply');
      og.reset();
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
      expect(await db.ctx.db.kysely.selectFrom('users').select('email').execute()).toEqual([]);
      expect(await db.ctx.db.kysely.selectFrom('schedules').select('name').execute()).toEqual([]);
    },
    60_000,
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));
