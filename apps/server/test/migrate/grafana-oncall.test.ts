/**
 * `klaxon import grafana-oncall` and `klaxon compare grafana-oncall` end to end: the real CLI as a
 * process, against the fake Grafana OnCall API (test/fakes/grafana-oncall), on a fresh database of
 * each dialect. The fake's final_shifts come from semantics.ts (Grafana's rules), never from Klaxon.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/app/config.js';
import { localContext } from '../../src/app/klaxon.js';
import { parseConfigFile } from '../../src/config/load.js';
import { ScheduleSpec } from '../../src/config/schema.js';
import { exactItems, expectedItems, grafanaFixture } from '../fakes/grafana-oncall/fixture.js';
import { FakeGrafanaOnCall, type FailKind } from '../fakes/grafana-oncall/server.js';
import { DIALECTS, freshDatabase } from '../harness.js';
import { must } from '../../src/lib/must.js';
import { runKlaxon, UNPACED } from './cli.js';

const dir = mkdtempSync(join(tmpdir(), 'klaxon-grafana-'));

/** Runs the CLI from the repository root against `db`; never throws on a non-zero exit. */
async function klaxon(db: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runKlaxon(args, { KLAXON_DATABASE_URL: db, KLAXON_PUBLIC_URL: 'https://klaxon.example.com', GRAFANA_ONCALL_TOKEN: '' });
}

async function counts(db: string): Promise<{ users: number; schedules: number; services: number; verified: number; maintenance: number }> {
  const { ctx, close } = await localContext({ ...configFromEnv({ ...process.env, KLAXON_DATABASE_URL: db }), logLevel: 'silent' } as never);
  try {
    const k = ctx.db.kysely as unknown as {
      selectFrom(t: string): {
        select(f: unknown): { executeTakeFirstOrThrow(): Promise<{ n: number | string }> };
        where(...a: unknown[]): { select(f: unknown): { executeTakeFirstOrThrow(): Promise<{ n: number | string }> } };
      };
    };
    const n = async (t: string, verifiedOnly = false) => {
      const q = verifiedOnly ? k.selectFrom(t).where('verified_at', 'is not', null) : k.selectFrom(t);
      return Number((await q.select((eb: { fn: { countAll(): { as(a: string): unknown } } }) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    };
    return { users: await n('users'), schedules: await n('schedules'), services: await n('services'), verified: await n('contact_methods', true), maintenance: await n('maintenance_windows') };
  } finally {
    await close();
  }
}

const hasLayering = 'layering' in (ScheduleSpec as unknown as { properties: Record<string, unknown> }).properties;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(DIALECTS)('klaxon import/compare grafana-oncall (%s)', (dialect) => {
  let fake: FakeGrafanaOnCall;
  let db: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    fake = await new FakeGrafanaOnCall(grafanaFixture(Date.now())).start();
    db = await freshDatabase(dialect);
  });
  afterAll(async () => {
    await fake.stop();
    await db.drop();
  });

  it('imports and applies the account, says "No changes" the second time, and compares with 0 differences for what maps', async () => {
    const yamlFile = join(dir, `${dialect}-klaxon.yaml`);
    const reportFile = join(dir, `${dialect}-report.md`);
    const first = await klaxon(db.url, 'import', 'grafana-oncall', '--url', fake.url, '--token', fake.token, ...UNPACED, '--apply', '-o', yamlFile, '--report', reportFile);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/Applied \d+ change\(s\) from Grafana OnCall\./);
    expect(first.stderr).toContain('integration key for Prometheus/alertmanager: ');
    expect(fake.writes).toBe(0);
    const report = readFileSync(reportFile, 'utf8');
    // Every object without an exact equivalent is in the report, with its id.
    for (const [severity, id] of expectedItems) {
      const section = must(
        report
          .split(/^## /m)
          .find((s) =>
            s.startsWith(
              must(
                { 'not-imported': 'Not imported', changed: 'Imported differently', note: 'Notes' }[severity],
                "{ 'not-imported': 'Not imported', changed: 'Imported differently', note: 'Notes' }[severity]",
              ),
            ),
          ),
        "split() entry where s.startsWith({ 'not-imported': 'Not imported', changed: 'Imported differently', note: 'Notes' }[severity])",
      );
      expect(section, `${severity} ${id}`).toContain(`| ${id} |`);
    }
    for (const id of exactItems) expect(report, id).not.toContain(`| ${id} |`);
    // Exact now: the override is the schedule's override (it replaces everyone, as in Grafana), the
    // wait before the first step is initialDelayMinutes, no wait after the last step is a 0-minute wait.
    const doc = parseConfigFile('import.yaml', readFileSync(yamlFile, 'utf8'));
    const primary = must(
      must(doc.schedules, 'doc.schedules').find((x) => x.name === 'Primary'),
      "doc.schedules entry where x.name === 'Primary'",
    );
    expect(primary.layers.some((l) => l.name === 'Bob covers')).toBe(false);
    expect(primary.overrides?.map((o) => ({ users: o.users, note: o.note }))).toEqual([{ users: ['bob@example.com'], note: 'Grafana OnCall override OSOVERRIDE' }]);
    const chain2 = must(
      must(doc.escalationPolicies, 'doc.escalationPolicies').find((p) => p.levels.some((l) => l.targets.some((t) => 'user' in t && t.user === 'dave@example.com'))),
      "doc.escalationPolicies entry where p.levels.some((l) => l.targets.some((t) => 'user' in t && t.user === 'dave@example.com'))",
    );
    expect(chain2.initialDelayMinutes).toBe(4);
    expect(chain2.levels.map((l) => l.delayMinutes)).toEqual([0]);
    // The exact sender change, with the new key.
    const key = must(/integration key for Prometheus\/alertmanager: (\S+)/.exec(first.stderr)?.[1], 'the integration key line on stderr');
    expect(report).toContain(`change url: https://oncall.example.com/integrations/v1/alertmanager/AbCdEf123/ to url: https://klaxon.example.com/integrations/v1/alertmanager/<key>`);
    expect(report).toContain(`key \`${key}\``);
    expect(report).toContain('change the webhook URL https://oncall.example.com/integrations/v1/grafana_alerting/GhIjKl456/ to https://klaxon.example.com/integrations/v1/grafana/<key>');
    // The integration heartbeat became a Klaxon heartbeat on the integration's service; the report gives its check-in URL.
    expect(
      must(
        must(doc.services, 'doc.services').find((x) => x.name === 'Prometheus'),
        "doc.services entry where x.name === 'Prometheus'",
      ).heartbeats,
    ).toEqual([{ name: 'heartbeat', intervalMinutes: 60, graceMinutes: 0, enabled: false }]);
    const checkin = must(/check-in URL for heartbeat Prometheus\/heartbeat: (\S+)/.exec(first.stderr)?.[1], 'the check-in URL line on stderr');
    expect(checkin).toMatch(/^https:\/\/klaxon\.example\.com\/heartbeats\/v1\/[A-Za-z0-9]{20,}$/);
    expect(report).toContain(`**Prometheus heartbeat** (heartbeat, id CPROM) → service \`Prometheus\`, heartbeat \`heartbeat\`, check-in URL \`${checkin}\``);
    expect(report).toContain("change the heartbeat URL https://oncall.example.com/integrations/v1/alertmanager/AbCdEf123/heartbeat/ to Klaxon's check-in URL");
    expect(report).toMatch(
      /\| integration heartbeat \| Prometheus \| CPROM \| Grafana OnCall's API gives the heartbeat's URL, not its timeout \| imported as heartbeat "heartbeat" of service Prometheus, every 60 min and disabled/,
    );
    const yaml = readFileSync(yamlFile, 'utf8');
    expect(yaml).toContain('delayMinutes: 20'); // 15 + 5 min waits, exact
    const masked = { unit: 'day', count: 2, weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'] }; // the daily rotation masked to weekdays
    expect(
      must(
        must(
          must(parseConfigFile('import.yaml', yaml).schedules, "parseConfigFile('import.yaml', yaml).schedules").find((x) => x.name === 'Weekday days'),
          "parseConfigFile().schedules entry where x.name === 'Weekday days'",
        ).layers[0],
        'parseConfigFile().schedules.find().layers[0]',
      ).turn,
    ).toEqual(masked);
    const exported = await klaxon(db.url, 'export');
    expect(
      must(
        must(
          must(parseConfigFile('export.yaml', exported.stdout).schedules, 'parseConfigFile().schedules').find((x) => x.name === 'Weekday days'),
          "parseConfigFile().schedules entry where x.name === 'Weekday days'",
        ).layers[0],
        'parseConfigFile().schedules.find().layers[0]',
      ).turn,
    ).toEqual(masked);
    expect(await counts(db.url)).toMatchObject({ users: 6, schedules: 5, services: 3, verified: 0, maintenance: 1 });
    // The integration in maintenance mode: a Klaxon window on its service until the mode ends.
    expect(first.stderr).toMatch(/\+ maintenance window "Grafana Alerting: maintenance mode" on Grafana Alerting, \d{4}-\d\d-\d\d \d\d:\d\d UTC – /);
    expect(report).toMatch(
      /\| integration maintenance \| Grafana Alerting \| CGRAF \| in maintenance mode Grafana OnCall sends no notifications and gathers the alerts into one alert group; Klaxon opens each incident and pages nobody \| created in Klaxon on Grafana Alerting, /,
    );

    const second = await klaxon(db.url, 'import', 'grafana-oncall', '--url', fake.url, '--token', fake.token, ...UNPACED, '--apply', '-o', yamlFile);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain('No changes: Klaxon already matches Grafana OnCall.');
    expect((await counts(db.url)).maintenance).toBe(1);

    const cmp = await klaxon(db.url, 'compare', 'grafana-oncall', '--url', fake.url, '--token', fake.token, ...UNPACED, '--json', '--weeks', '6');
    expect(cmp.code, cmp.stderr + cmp.stdout.slice(0, 2000)).toBe(1); // the schedule "Unmappable" differs: its shifts were reported, not imported
    const r = JSON.parse(cmp.stdout) as {
      differences: number;
      schedules: { schedule: string; inKlaxon: boolean; differences: unknown[] }[];
      services: { service: string; differences: unknown[]; levels: { source: string[] }[] }[];
    };
    const differing = r.schedules.filter((s) => !s.inKlaxon || s.differences.length).map((s) => s.schedule);
    expect(differing).toEqual(['Unmappable']);
    expect(r.schedules.map((s) => s.schedule)).toEqual(['Primary', 'Follow the sun', 'Infra', 'Weekday days', 'Unmappable']);
    expect(r.services.filter((s) => s.differences.length)).toEqual([]);
    expect(
      must(
        r.services.find((s) => s.service === 'Prometheus'),
        "r.services entry where s.service === 'Prometheus'",
      ).levels.map((l) => l.source),
    ).toEqual([expect.arrayContaining(['alice@example.com']), ['carol@example.com', 'dave@example.com'], ['bob@example.com', 'carol@example.com']]);
    expect(r.differences).toBe(1);
    expect(fake.writes).toBe(0);
  }, 120_000);

  it.skipIf(!hasLayering)(
    'imports two shifts of one level as a union (needs layering: union) and compares with 0 differences',
    async () => {
      const f = await new FakeGrafanaOnCall(grafanaFixture(Date.now(), { union: true })).start();
      const d = await freshDatabase(dialect);
      try {
        const imp = await klaxon(d.url, 'import', 'grafana-oncall', '--url', f.url, '--token', f.token, ...UNPACED, '--apply', '-o', join(dir, `${dialect}-union.yaml`));
        expect(imp.code, imp.stderr).toBe(0);
        expect(readFileSync(join(dir, `${dialect}-union.yaml`), 'utf8')).toContain('layering: union');
        const cmp = await klaxon(d.url, 'compare', 'grafana-oncall', '--url', f.url, '--token', f.token, ...UNPACED, '--json', '--weeks', '4');
        const r = JSON.parse(cmp.stdout) as { schedules: { schedule: string; differences: unknown[] }[] };
        expect(
          must(
            r.schedules.find((s) => s.schedule === 'Pairs'),
            "r.schedules entry where s.schedule === 'Pairs'",
          ).differences,
        ).toEqual([]);
      } finally {
        await f.stop();
        await d.drop();
      }
    },
    120_000,
  );
});

describe('klaxon import grafana-oncall: trust, errors and rate limits', () => {
  let fake: FakeGrafanaOnCall;
  let db: string;
  beforeAll(async () => {
    fake = await new FakeGrafanaOnCall(grafanaFixture(Date.now())).start();
    db = join(mkdtempSync(join(dir, 'errors-')), 'klaxon.db');
    const first = await klaxon(
      db,
      'import',
      'grafana-oncall',
      '--url',
      fake.url,
      '--token',
      fake.token,
      ...UNPACED,
      '--apply',
      '--trust-contacts',
      '-o',
      join(dir, 'trusted.yaml'),
      '--report',
      join(dir, 'trusted.md'),
    );
    expect(first.code, first.stderr).toBe(0);
  }, 120_000);
  afterAll(() => fake.stop());

  it('--trust-contacts imports the contact methods as verified and says so in the report', async () => {
    expect((await counts(db)).verified).toBe(7); // six emails and alice's Slack
    expect(readFileSync(join(dir, 'trusted.md'), 'utf8')).toContain('imported as verified (`--trust-contacts`)');
  });

  const cases: [FailKind, string, RegExp][] = [
    [401, '/api/v1/users/', /users: .* refused the credentials \(401\)/],
    [404, '/api/v1/teams/', /teams: not found at \/api\/v1\/teams\/ \(404\)/],
    [500, '/api/v1/on_call_shifts/', /on-call shifts: .* answered 500 .* after 6 tries/],
    ['malformed', '/api/v1/escalation_policies/', /escalation policies: the answer from \/api\/v1\/escalation_policies\/ is not valid JSON/],
    ['truncated', '/api/v1/integrations/', /integrations: the source said 4 object\(s\) but its pages held 3 \(a truncated page\)/],
  ];
  it.each(cases)(
    'a %s from %s: a clear error naming the resource, exit 2, nothing applied',
    async (kind, path, message) => {
      // A change at the source that an apply would bring over, were the import to get that far.
      fake.data.users.push({ id: 'U9NEW', email: 'new@example.com', username: 'new', role: 'editor', timezone: 'UTC', teams: [] });
      try {
        fake.fail(path, kind, kind === 500 ? 6 : 1);
        const before = await counts(db);
        const r = await klaxon(db, 'import', 'grafana-oncall', '--url', fake.url, '--token', fake.token, ...UNPACED, '--apply');
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(message);
        expect(r.stderr).toContain('Nothing was applied.');
        expect(await counts(db)).toEqual(before);
      } finally {
        fake.data.users.pop();
      }
    },
    120_000,
  );

  it('a wrong token is refused with 401 and exit 2', async () => {
    const r = await klaxon(db, 'import', 'grafana-oncall', '--url', fake.url, '--token', 'wrong');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/users: .*refused the credentials \(401\) \(Invalid token\.\)/);
  }, 60_000);

  it('honours 429 with Retry-After and carries on', async () => {
    const asked = () => fake.requests.filter((p) => p.startsWith('/api/v1/user_groups/')).length;
    const before = asked();
    fake.fail('/api/v1/user_groups/', 429, 1);
    const t0 = Date.now();
    const r = await klaxon(db, 'import', 'grafana-oncall', '--url', fake.url, '--token', fake.token, ...UNPACED, '-o', join(dir, 'again.yaml'));
    expect(r.code, r.stderr).toBe(0);
    expect(asked() - before).toBe(2);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
  }, 60_000);
});
