/**
 * `klaxon import pagerduty` and `klaxon compare pagerduty` as a person runs them: the real CLI in its
 * own process against the fake PagerDuty REST API (test/fakes/pagerduty) and a fresh database
 * (SQLite; PostgreSQL too when KLAXON_TEST_DATABASE_URL is set).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigFile } from '../../src/config/load.js';
import { buildAccount } from '../fakes/pagerduty/fixture.js';
import { FakePagerDuty } from '../fakes/pagerduty/server.js';
import { DIALECTS, freshDatabase } from '../harness.js';
import { must } from '../../src/lib/must.js';
import { runKlaxon, UNPACED } from './cli.js';

const dir = mkdtempSync(join(tmpdir(), 'klaxon-pd-'));
const KLAXON = 'https://klaxon.example.com';

interface Db {
  url: string;
  count(table: string, where?: string): Promise<number>;
  drop(): Promise<void>;
}

let n = 0;
async function database(dialect: 'sqlite' | 'postgres'): Promise<Db> {
  if (dialect === 'sqlite') {
    const url = join(dir, `k${n++}.db`);
    return {
      url,
      async count(table, where) {
        if (!existsSync(url)) return 0; // never opened: nothing was ever applied
        const db = new Database(url, { readonly: true });
        try {
          return (db.prepare(`select count(*) as n from ${table}${where ? ` where ${where}` : ''}`).get() as { n: number }).n;
        } catch {
          return 0; // no such table: nothing was ever applied
        } finally {
          db.close();
        }
      },
      async drop() {},
    };
  }
  const d = await freshDatabase('postgres');
  return {
    url: d.url,
    async count(table, where) {
      const c = new pg.Client({ connectionString: d.url });
      await c.connect();
      try {
        return Number((await c.query(`select count(*) as n from ${table}${where ? ` where ${where}` : ''}`)).rows[0].n);
      } catch {
        return 0;
      } finally {
        await c.end();
      }
    },
    drop: d.drop,
  };
}

async function klaxon(db: Db, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runKlaxon(args, { KLAXON_DATABASE_URL: db.url, KLAXON_PUBLIC_URL: KLAXON, PAGERDUTY_TOKEN: '' });
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(DIALECTS)('klaxon import / compare pagerduty (%s)', (dialect) => {
  const fake = new FakePagerDuty(buildAccount(Date.now()));
  let db: Db;
  const conn = () => ['--token', fake.token, '--url', fake.url, ...UNPACED];
  beforeAll(async () => {
    await fake.start();
    db = await database(dialect);
  });
  afterAll(async () => {
    await fake.close();
    await db?.drop();
  });

  it('imports and applies the account, reports everything without an exact equivalent, and compare finds no differences', async () => {
    const out = join(dir, `${dialect}-klaxon.yaml`);
    const report = join(dir, `${dialect}-report.md`);
    const r = await klaxon(db, 'import', 'pagerduty', ...conn(), '-o', out, '--report', report, '--apply');
    expect(r.code, r.stderr).toBe(0);
    expect(fake.requests.every((x) => x.method === 'GET' && x.auth && x.accept === 'application/vnd.pagerduty+json;version=2')).toBe(true);
    expect(fake.requests.some((x) => x.url.includes('limit=100') && x.url.includes('total=true'))).toBe(true);

    const doc = parseConfigFile('klaxon.yaml', readFileSync(out, 'utf8'));
    expect(doc.users?.map((u) => u.email)).toEqual(['alice@example.com', 'bob@example.com', 'carol@example.com', 'dave@example.com', 'erin@example.com', 'frank@example.com']);
    const alice = must(
      must(doc.users, 'doc.users').find((u) => u.email === 'alice@example.com'),
      "doc.users entry where u.email === 'alice@example.com'",
    );
    expect(alice.timeZone).toBe('Europe/Berlin');
    expect(alice.contactMethods).toEqual([
      { name: 'Default', type: 'email', address: 'alice@example.com' },
      { name: 'Mobile sms', type: 'sms', address: '+447700900101' },
      { name: 'Mobile voice', type: 'voice', address: '+447700900101' },
    ]);
    // High and low at the same delay became one rule for any urgency; the others keep theirs; delays exact.
    expect(alice.notificationRules).toEqual([
      { contactMethod: 'Default', delayMinutes: 0 },
      { contactMethod: 'Mobile sms', delayMinutes: 1, urgency: 'high' },
      { contactMethod: 'Mobile voice', delayMinutes: 4, urgency: 'high' },
      { contactMethod: 'Mobile sms', delayMinutes: 7, urgency: 'low' },
    ]);
    expect(doc.teams).toEqual([
      {
        name: 'Payments',
        description: 'Card payments',
        members: [
          { user: 'alice@example.com', role: 'manager' },
          { user: 'bob@example.com', role: 'member' },
          { user: 'carol@example.com', role: 'member' },
        ],
      },
      {
        name: 'Platform',
        members: [
          { user: 'dave@example.com', role: 'member' },
          { user: 'erin@example.com', role: 'member' },
          { user: 'frank@example.com', role: 'manager' },
        ],
      },
    ]);
    const pay = must(
      must(doc.schedules, 'doc.schedules').find((s) => s.name === 'Payments Primary'),
      "doc.schedules entry where s.name === 'Payments Primary'",
    );
    // The fake lists layers winning-first (as PagerDuty's GET long did); precedence comes from final_schedule.
    expect(pay.layers.map((l) => l.name)).toEqual(['Layer 1', 'Layer 2', 'Layer 3']);
    expect(pay.layers[0]).toMatchObject({ turn: { unit: 'week', count: 1 }, handoffTime: '09:00' });
    expect(must(pay.layers[0], 'pay.layers[0]').rotationStart).toBeDefined();
    expect(must(pay.layers[1], 'pay.layers[1]').restrictions).toEqual([{ kind: 'daily', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '18:00', end: '09:00' }]);
    expect(must(pay.layers[2], 'pay.layers[2]').restrictions).toEqual([{ kind: 'weekly', startDay: 'sat', startTime: '00:00', endDay: 'mon', endTime: '00:00' }]);
    const plt = must(
      must(doc.schedules, 'doc.schedules').find((s) => s.name === 'Platform 12h'),
      "doc.schedules entry where s.name === 'Platform 12h'",
    );
    expect(plt.layers.map((l) => l.turn)).toEqual([
      { unit: 'hour', count: 12 },
      { unit: 'second', count: 5430 },
    ]);
    expect(must(plt.layers[0], 'plt.layers[0]').participants).toEqual(['bob@example.com', 'dave@example.com', 'bob@example.com', 'erin@example.com']);
    expect(
      must(
        must(
          must(doc.schedules, 'doc.schedules').find((s) => s.name === 'India business days'),
          "doc.schedules entry where s.name === 'India business days'",
        ).layers[0],
        'doc.schedules.find().layers[0]',
      ).turn,
    ).toEqual({ unit: 'day', count: 2 });
    expect(must(doc.escalationPolicies, 'doc.escalationPolicies').find((p) => p.name === 'Payments')).toEqual({
      name: 'Payments',
      description: 'Primary, then Bob and the platform on-call, then Carol',
      repeat: 2,
      levels: [
        { delayMinutes: 10, targets: [{ schedule: 'Payments Primary' }] },
        { delayMinutes: 4, targets: [{ user: 'bob@example.com' }, { schedule: 'Platform 12h' }] },
        { delayMinutes: 15, targets: [{ user: 'carol@example.com' }] },
      ],
    });
    const checkout = must(
      must(doc.services, 'doc.services').find((s) => s.name === 'Checkout API'),
      "doc.services entry where s.name === 'Checkout API'",
    );
    expect(checkout).toMatchObject({
      team: 'Payments',
      escalationPolicy: 'Payments',
      urgencyRule: { type: 'support-hours', during: 'high', outside: 'low' },
      supportHours: { timeZone: 'America/Lima', days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' },
      integrations: [
        { name: 'Prometheus', kind: 'pagerduty' },
        { name: 'Legacy cron', kind: 'pagerduty' },
      ],
    });
    expect(
      must(
        must(doc.services, 'doc.services').find((s) => s.name === 'Ledger'),
        "doc.services entry where s.name === 'Ledger'",
      ).urgencyRule,
    ).toEqual({ type: 'constant', urgency: 'low' });
    expect(
      must(
        must(doc.services, 'doc.services').find((s) => s.name === 'Search'),
        "doc.services entry where s.name === 'Search'",
      ).urgencyRule,
    ).toEqual({ type: 'severity' });

    const md = readFileSync(report, 'utf8');
    for (const line of [
      /\| contact method \| Alice Chen: Pixel 8 \| PCMAP01 \| push to the PagerDuty mobile app cannot be carried over \| not imported: Alice Chen installs Klaxon's web app/,
      /\| notification rule \| Alice Chen: high urgency after 0 min \| PNRA005 \|/,
      /\| integration \| Checkout API: Email \| PINTEML \| Klaxon has no inbound email yet \| not imported/,
      /\| service scheduled action \| Checkout API \| PSVCCHK \|/,
      /\| service setting \| Ledger \| PSVCLDG \| acknowledgement_timeout 1800 s/,
      /\| maintenance window \| Ledger database upgrade .* \| PMWLDG1 \|/,
      /\| contact method \| Bob .*: Old desk \| PCMBV99 \| "5550" \(country code 1\) must be a phone number in E\.164 form/,
      /\| escalation rule \| Platform: rule 1 \| PERL001 \| round robin assignment/,
      /\| schedule layer order \| Payments Primary \| PSCHPAY \| PagerDuty listed the layers in the reverse of their precedence/,
      /\| integration \| Checkout API: Legacy cron \| PINTV1X \| Events API v1/,
    ]) {
      expect(md).toMatch(line);
    }
    expect(md).toContain(`Alertmanager: in the receiver's pagerduty_configs, set url: ${KLAXON}/v2/enqueue and routing_key: to the new key.`);
    expect(md).toContain(`Events API v2 sender (Datadog): change the events base URL from https://events.pagerduty.com to ${KLAXON}`);
    expect(md).toMatch(/- \*\*Checkout API: Prometheus\*\* .* key `[A-Za-z0-9_\-.]{16,}`/);
    // Future overrides are the schedule's `overrides` in klaxon.yaml, applied in the same transaction.
    expect(pay.overrides?.map((o) => ({ users: o.users, note: o.note }))).toEqual([{ users: ['erin@example.com'], note: 'PagerDuty override POVRP02' }]); // POVRP01 is past
    expect(r.stderr).toMatch(/\+ override "Payments Primary": erin@example.com /);
    expect(await db.count('schedule_overrides')).toBe(1);
    // The open maintenance window: created in Klaxon for the same service and span, in the same
    // transaction, and the report says how Klaxon's differs (incidents recorded, nobody paged).
    const mw = must(fake.account.maintenance_windows[0], 'fake.account.maintenance_windows[0]');
    expect(r.stderr).toMatch(/\+ maintenance window "Ledger database upgrade" on Ledger, \d{4}-\d\d-\d\d \d\d:\d\d UTC – /);
    const onLedger = `service_ids like '%' || (select id from services where name = 'Ledger') || '%'`;
    expect(
      await db.count(
        'maintenance_windows',
        `title = 'Ledger database upgrade' and starts_at > ${mw.start - 1000} and starts_at <= ${mw.start} and ends_at - starts_at = ${mw.end - mw.start} and ${onLedger} and cancelled_at is null`,
      ),
    ).toBe(1);
    expect(await db.count('maintenance_windows')).toBe(1);
    expect(md).toMatch(
      /\| maintenance window \| Ledger database upgrade .* \| PMWLDG1 \| PagerDuty opens no incidents on its services during the window; Klaxon opens them and pages nobody \| created in Klaxon on Ledger, /,
    );

    const cmp = await klaxon(db, 'compare', 'pagerduty', ...conn(), '--json');
    expect(cmp.code, cmp.stdout + cmp.stderr).toBe(0);
    const result = JSON.parse(cmp.stdout);
    expect(result.differences).toBe(0);
    expect(result.schedules.map((s: { schedule: string; inKlaxon: boolean }) => [s.schedule, s.inKlaxon])).toEqual([
      ['Payments Primary', true],
      ['Platform 12h', true],
      ['India business days', true],
    ]);
    expect(result.schedules[0].notes[0]).toContain('reverse of their precedence');
    expect(result.services.map((s: { service: string }) => s.service)).toEqual(['Checkout API', 'Ledger', 'Search']);
    expect(result.services[0].levels[0].source.length).toBe(1);
  }, 120_000);

  it('a second import and apply of the unchanged account says No changes', async () => {
    const r = await klaxon(db, 'import', 'pagerduty', ...conn(), '-o', join(dir, 'again.yaml'), '--apply');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('No changes: Klaxon already matches PagerDuty.');
    expect(await db.count('maintenance_windows')).toBe(1); // the window is not created twice
  }, 60_000);

  it('compare exits 1 and names the schedule, interval and people when the source changes after the import', async () => {
    const s = must(fake.account.schedules[0], 'fake.account.schedules[0]');
    // Frank is only on the weekend layer: an override of his at noon (Berlin) on a weekday, when the
    // weekly daytime layer has someone else, always differs, whatever day the test runs.
    const frank = must(
      fake.account.users.find((u) => u.email === 'frank@example.com'),
      "fake.account.users entry where u.email === 'frank@example.com'",
    ).id;
    const berlin = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', weekday: 'short', hour: '2-digit', hourCycle: 'h23' });
    const isWeekdayNoon = (t: number) => {
      const parts = Object.fromEntries(berlin.formatToParts(new Date(t)).map((p) => [p.type, p.value]));
      return parts.hour === '12' && !['Sat', 'Sun'].includes(must(parts.weekday, 'parts.weekday'));
    };
    let start = Math.ceil((Date.now() + 50 * 3600_000) / 3600_000) * 3600_000;
    while (!isWeekdayNoon(start)) start += 3600_000;
    s.overrides.push({ id: 'POVRNEW', start, end: start + 3600_000, user: frank });
    try {
      const cmp = await klaxon(db, 'compare', 'pagerduty', ...conn());
      expect(cmp.code).toBe(1);
      expect(cmp.stdout).toContain(`Schedule "Payments Primary" (source: Payments Primary, id PSCHPAY): 1 difference`);
      expect(cmp.stdout).toContain(`${new Date(start).toISOString().slice(0, 16).replace('T', ' ')}Z`);
      expect(cmp.stdout).toMatch(/source: frank@example.com {2}klaxon: /);
    } finally {
      s.overrides.pop();
    }
  }, 60_000);
});

describe('layer precedence both ways, errors, 429, trusted contacts (sqlite)', () => {
  const fake = new FakePagerDuty(buildAccount(Date.now()));
  const conn = () => ['--token', fake.token, '--url', fake.url, ...UNPACED];
  beforeAll(() => fake.start());
  afterAll(() => fake.close());

  it('escalation delays map exactly, 0 included; only what Klaxon cannot hold (over 1440 minutes) is changed and reported', async () => {
    const rules = must(
      fake.account.escalation_policies.find((p) => p.id === 'PEPPLT1'),
      "fake.account.escalation_policies entry where p.id === 'PEPPLT1'",
    ).escalation_rules;
    const saved = rules.map((r) => r.escalation_delay_in_minutes);
    must(rules[0], 'rules[0]').escalation_delay_in_minutes = 0;
    rules.push({ id: 'PERL002', escalation_delay_in_minutes: 2000, targets: [{ type: 'schedule_reference', id: 'PSCHSUN' }] });
    try {
      const out = join(dir, 'delays.yaml');
      const report = join(dir, 'delays.md');
      const r = await klaxon(await database('sqlite'), 'import', 'pagerduty', ...conn(), '-o', out, '--report', report);
      expect(r.code, r.stderr).toBe(0);
      const platform = must(
        must(parseConfigFile('klaxon.yaml', readFileSync(out, 'utf8')).escalationPolicies, 'parseConfigFile().escalationPolicies').find((p) => p.name === 'Platform'),
        "parseConfigFile().escalationPolicies entry where p.name === 'Platform'",
      );
      expect(platform.levels.map((l) => l.delayMinutes)).toEqual([0, 1440]);
      const md = readFileSync(report, 'utf8');
      expect(md).not.toMatch(/\| escalation rule \| Platform: rule 1 \| PERL001 \| a delay/);
      expect(md).toMatch(/\| escalation rule \| Platform: rule 2 \| PERL002 \| a delay of 2000 minutes; .* \| 1440 minutes \|/);
    } finally {
      rules.length = 1;
      must(rules[0], 'rules[0]').escalation_delay_in_minutes = must(saved[0], 'saved[0]');
    }
  }, 60_000);

  it('imports the same precedence whether GET lists layers in PUT order or reversed, and says so only when reversed', async () => {
    const docs: string[] = [];
    const reports: string[] = [];
    for (const order of ['reversed', 'put'] as const) {
      fake.layerOrder = order;
      const db = await database('sqlite');
      const report = join(dir, `order-${order}.md`);
      const r = await klaxon(db, 'import', 'pagerduty', ...conn(), '-o', join(dir, `order-${order}.yaml`), '--report', report, '--apply');
      expect(r.code, r.stderr).toBe(0);
      docs.push(readFileSync(join(dir, `order-${order}.yaml`), 'utf8'));
      reports.push(readFileSync(report, 'utf8'));
      const cmp = await klaxon(db, 'compare', 'pagerduty', ...conn(), '--json');
      expect(cmp.code, cmp.stdout).toBe(0);
    }
    const layerNames = (text: string) => must(parseConfigFile('k.yaml', text).schedules, "parseConfigFile('k.yaml', text).schedules").map((s) => s.layers.map((l) => l.name));
    expect(layerNames(must(docs[0], 'docs[0]'))).toEqual(layerNames(must(docs[1], 'docs[1]')));
    expect(layerNames(must(docs[0], 'docs[0]'))[0]).toEqual(['Layer 1', 'Layer 2', 'Layer 3']);
    expect(reports[0]).toContain('PagerDuty listed the layers in the reverse of their precedence');
    expect(reports[1]).not.toContain('reverse of their precedence');
    fake.layerOrder = 'reversed';
  }, 120_000);

  it('--trust-contacts marks imported contact methods verified and says so; without it they wait for their codes', async () => {
    const trusted = await database('sqlite');
    const a = await klaxon(trusted, 'import', 'pagerduty', ...conn(), '-o', join(dir, 't.yaml'), '--report', join(dir, 't.md'), '--apply', '--trust-contacts');
    expect(a.code, a.stderr).toBe(0);
    expect(readFileSync(join(dir, 't.md'), 'utf8')).toContain('imported as verified (`--trust-contacts`)');
    expect(await trusted.count('contact_methods')).toBeGreaterThan(0);
    expect(await trusted.count('contact_methods', 'verified_at is null')).toBe(0);
    expect(await trusted.count('audit_log', "action = 'contact_method.verify' and data like '%--trust-contacts%'")).toBe(await trusted.count('contact_methods'));
    const plain = await database('sqlite');
    const b = await klaxon(plain, 'import', 'pagerduty', ...conn(), '-o', join(dir, 'p.yaml'), '--apply');
    expect(b.code, b.stderr).toBe(0);
    expect(await plain.count('contact_methods', 'verified_at is not null')).toBe(0);
  }, 120_000);

  it('--apply --dry-run lists the changes, overrides included, and makes none', async () => {
    const db = await database('sqlite');
    const r = await klaxon(db, 'import', 'pagerduty', ...conn(), '-o', join(dir, 'dry.yaml'), '--apply', '--dry-run');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('+ schedule "Payments Primary" (3 layers)');
    expect(r.stderr).toMatch(/\+ override "Payments Primary": erin@example.com /);
    expect(r.stderr).toMatch(/Would apply \d+ change\(s\) from PagerDuty\./);
    expect(await db.count('users')).toBe(0);
    expect(await db.count('schedule_overrides')).toBe(0);
    expect(r.stderr).toMatch(/\+ maintenance window "Ledger database upgrade" on Ledger/);
    expect(await db.count('maintenance_windows')).toBe(0);
  }, 60_000);

  it('honours 429 with ratelimit-reset and retries', async () => {
    fake.faults = [{ path: '/teams', fault: '429', times: 1, retryAfter: 1 }];
    const before = fake.requests.length;
    const r = await klaxon(await database('sqlite'), 'import', 'pagerduty', ...conn(), '-o', join(dir, 'r.yaml'));
    expect(r.code, r.stderr).toBe(0);
    const teams = fake.requests.slice(before).filter((x) => x.url.startsWith('/teams?'));
    expect(teams.length).toBe(2);
    expect(must(teams[1], 'teams[1]').at - must(teams[0], 'teams[0]').at).toBeGreaterThanOrEqual(950);
    fake.faults = [];
  }, 60_000);

  for (const [fault, path, message] of [
    ['401', '/users', /users: .* refused the credentials \(401\) \(Authentication failed\)/],
    ['404', '/teams', /teams: not found at \/teams \(404\)/],
    ['malformed', '/escalation_policies', /escalation policies: the answer from \/escalation_policies is not valid JSON/],
    ['truncated', '/services', /services: the answer from \/services is not valid JSON/],
    ['403', '/schedules/PSCHSUN', /schedule "India business days" \(PSCHSUN\): .* refused the credentials \(403\)/],
  ] as const) {
    it(`${fault} on ${path}: a clear error naming the resource, exit 2, nothing applied`, async () => {
      const db = await database('sqlite');
      // The database holds an earlier import; the failing one must change nothing.
      fake.faults = [];
      expect((await klaxon(db, 'import', 'pagerduty', ...conn(), '-o', join(dir, 'e0.yaml'), '--apply')).code).toBe(0);
      const users = await db.count('users');
      fake.account.users.push({ ...must(fake.account.users[5], 'fake.account.users[5]'), id: 'PNEWUSR', email: 'new@example.com', name: 'New' });
      fake.faults = [{ path, fault }];
      try {
        const r = await klaxon(db, 'import', 'pagerduty', ...conn(), '-o', join(dir, 'e.yaml'), '--apply');
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(message);
        expect(r.stderr).toContain('Nothing was applied.');
        expect(await db.count('users')).toBe(users);
      } finally {
        fake.faults = [];
        fake.account.users.pop();
      }
    }, 90_000);
  }

  it('a persistent 500 is retried, then a clear error; a wrong token is refused before anything is read', async () => {
    fake.faults = [{ path: '/maintenance_windows', fault: '500' }];
    const before = fake.hits('/maintenance_windows');
    const db = await database('sqlite');
    const r = await klaxon(db, 'import', 'pagerduty', ...conn(), '--max-tries', '3', '-o', join(dir, 'f.yaml'), '--apply');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/maintenance windows: .* answered 500 \(An internal error has occurred.* after 3 tries/);
    expect(fake.hits('/maintenance_windows') - before).toBe(3); // --max-tries 3 (the default six: grafana-oncall.test.ts)
    expect(await db.count('users')).toBe(0);
    fake.faults = [];
    const bad = await klaxon(db, 'import', 'pagerduty', '--token', 'wrong', '--url', fake.url);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/users: .* refused the credentials \(401\)/);
  }, 90_000);
});
