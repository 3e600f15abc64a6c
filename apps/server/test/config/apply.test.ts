import { FakeClock } from '../../src/lib/clock.js';
/** `klaxon apply` and `klaxon export` against real databases: SQLite always, PostgreSQL when configured. */
import { afterAll, describe, expect, it } from 'vitest';
import { SYSTEM, type Actor } from '../../src/auth/actor.js';
import { applyConfig } from '../../src/config/apply.js';
import { exportConfig, stringifyConfig } from '../../src/config/export.js';
import { ConfigFileError, parseConfigFile } from '../../src/config/load.js';
import type { ConfigDocument } from '../../src/config/schema.js';
import type { Ctx } from '../../src/context.js';
import { getPolicy, listPolicies } from '../../src/escalation/service.js';
import { createIncident } from '../../src/incident/service.js';
import { addLeave, addOverride, createSchedule, getOnCall, getSchedule, listOverrides, listSchedules, offerSwap } from '../../src/schedule/index.js';
import { AppError } from '../../src/lib/errors.js';
import { findIntegrationByKey, getService, listIntegrations, listServices } from '../../src/service/service.js';
import { getTeam, listTeams } from '../../src/team/service.js';
import { getUser, listContactMethods, listNotificationRules, listUsers } from '../../src/user/service.js';
import { DIALECTS, EXAMPLE_TEXT, editExample, lineColOf, testDatabases } from './helpers.js';
import { must } from '../../src/lib/must.js';

const example = () => parseConfigFile('klaxon.yaml', EXAMPLE_TEXT);
const apply = (ctx: Ctx, doc: ConfigDocument, opts: { dryRun?: boolean; prune?: boolean } = {}) => applyConfig(ctx, SYSTEM, doc, { dryRun: false, ...opts });
const yaml = (text: string) => parseConfigFile('klaxon.yaml', text);

/** Everything apply can change, as plain data, to compare before and after. */
async function snapshot(ctx: Ctx) {
  const db = ctx.db.kysely;
  return {
    config: await exportConfig(ctx, SYSTEM),
    contactMethods: await db.selectFrom('contact_methods').select(['id', 'name', 'address', 'verified_at']).orderBy('id').execute(),
    integrations: await db.selectFrom('integrations').select(['id', 'name', 'key_hash', 'settings']).orderBy('id').execute(),
    outbox: (await db.selectFrom('outbox').select('id').execute()).length,
    audit: (await db.selectFrom('audit_log').select('id').execute()).length,
  };
}

async function configError(p: Promise<unknown>): Promise<string[]> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ConfigFileError) return e.message.split('\n');
    throw e;
  }
  throw new Error('expected a ConfigFileError');
}

describe.each(DIALECTS)('config as code on %s', (dialect) => {
  const dbs = testDatabases();
  afterAll(() => dbs.cleanup());

  it('applies the example to an empty database, creating everything', async () => {
    const { ctx } = await dbs.fresh(dialect);
    const result = await apply(ctx, example());
    expect(result).toEqual({
      changes: [
        '+ user alice@example.com (3 contact methods, 3 notification rules)',
        '+ user bob@example.com (3 contact methods, 3 notification rules)',
        '+ user carmen@example.com (3 contact methods, 3 notification rules)',
        '+ user dev@example.com (3 contact methods, 3 notification rules)',
        '+ team Payments (3 members)',
        '+ team Platform (2 members)',
        '+ schedule "Payments primary" (1 layer)',
        '+ schedule "Payments secondary" (2 layers)',
        '+ policy "Payments default" (3 levels, repeat 2)',
        '+ policy "Platform default" (2 levels, repeat 1)',
        '+ service checkout-api (2 integrations)',
        '+ service payments-worker (1 integration)',
        '+ service edge-proxy (2 integrations)',
      ],
      createdKeys: [],
    });

    const users = await listUsers(ctx, SYSTEM);
    expect(users.map((u) => [u.email, u.name, u.timeZone, u.role])).toEqual([
      ['alice@example.com', 'Alice Chen', 'Europe/Berlin', 'admin'],
      ['bob@example.com', 'Bob Okafor', 'Europe/London', 'responder'],
      ['carmen@example.com', 'Carmen Díaz', 'America/New_York', 'responder'],
      ['dev@example.com', 'Dev Patel', 'America/New_York', 'responder'],
    ]);
    const alice = await getUser(ctx, SYSTEM, 'alice@example.com');
    const methods = await listContactMethods(ctx, SYSTEM, alice.id);
    expect(methods.map((m) => [m.name, m.type, m.address, m.verified])).toEqual([
      ['email', 'email', 'alice@example.com', false],
      ['mobile', 'sms', '+447700900101', false],
      ['phone', 'voice', '+447700900101', false],
    ]);
    const rules = await listNotificationRules(ctx, SYSTEM, alice.id);
    const nameOf = new Map(methods.map((m) => [m.id, m.name]));
    expect(rules.map((r) => [nameOf.get(r.contactMethodId), r.delayMinutes])).toEqual([
      ['email', 0],
      ['mobile', 1],
      ['phone', 3],
    ]);
    // Each new contact method was sent a verification code.
    const codes = await ctx.db.kysely
      .selectFrom('outbox')
      .select(['channel', 'destination', 'kind'])
      .where(
        'contact_method_id',
        'in',
        methods.map((m) => m.id),
      )
      .execute();
    expect(codes).toHaveLength(3);

    const payments = await getTeam(ctx, SYSTEM, 'Payments');
    const emailOf = new Map(users.map((u) => [u.id, u.email]));
    expect(payments.description).toBe('Checkout, card processing and payouts.');
    expect(payments.members.map((m) => [emailOf.get(m.userId), m.role])).toEqual([
      ['alice@example.com', 'manager'],
      ['bob@example.com', 'member'],
      ['carmen@example.com', 'member'],
    ]);

    const primary = await getSchedule(ctx, SYSTEM, 'Payments primary');
    const secondary = await getSchedule(ctx, SYSTEM, 'Payments secondary');
    expect([primary.teamId, primary.timeZone, primary.handoffNoticeMinutes, primary.gapNoticeDays]).toEqual([payments.id, 'Europe/London', 60, 14]);
    expect(primary.layers).toEqual([
      {
        name: 'weekly',
        participants: ['alice@example.com', 'bob@example.com', 'carmen@example.com'].map(
          (e) =>
            must(
              users.find((u) => u.email === e),
              'users entry where u.email === e',
            ).id,
        ),
        turn: { unit: 'week', count: 1 },
        handoffTime: '09:00',
        start: Date.parse('2026-03-02T09:00:00Z'), // London is on GMT in early March
      },
    ]);
    expect(secondary.layers.map((l) => [l.name, l.participants.map((p) => emailOf.get(p as string)), l.restrictions, l.priority])).toEqual([
      ['weekly', ['carmen@example.com', 'alice@example.com', 'bob@example.com'], undefined, undefined],
      ['london business hours', ['bob@example.com', 'alice@example.com'], [{ kind: 'preset', preset: 'business-hours' }], 1],
    ]);
    // Week one: Alice is primary, Carmen her backup; during London business hours Bob (Monday) backs up.
    expect((await getOnCall(ctx, SYSTEM, 'Payments primary', '2026-03-03T12:00Z')).users.map((u) => u.email)).toEqual(['alice@example.com']);
    expect((await getOnCall(ctx, SYSTEM, 'Payments secondary', '2026-03-02T12:00Z')).users.map((u) => u.email)).toEqual(['bob@example.com']);
    expect((await getOnCall(ctx, SYSTEM, 'Payments secondary', '2026-03-02T20:00Z')).users.map((u) => u.email)).toEqual(['carmen@example.com']);

    const policy = await getPolicy(ctx, SYSTEM, 'Payments default');
    expect(policy.repeat).toBe(2);
    expect(policy.levels.map((l) => [l.delayMinutes, l.targets])).toEqual([
      [10, [{ type: 'schedule', id: primary.id }]],
      [10, [{ type: 'schedule', id: secondary.id }]],
      [
        15,
        [
          { type: 'schedule_next', id: primary.id },
          { type: 'team', id: payments.id },
        ],
      ],
    ]);

    const services = await listServices(ctx, SYSTEM);
    expect(services.map((s) => [s.name, s.grouping])).toEqual([
      ['checkout-api', { mode: 'window', minutes: 10 }],
      ['edge-proxy', { mode: 'none' }],
      ['payments-worker', { mode: 'field', field: 'alertname' }],
    ]);
    const checkout = await getService(ctx, SYSTEM, 'checkout-api');
    expect(checkout.teamId).toBe(payments.id);
    expect(checkout.escalationPolicyId).toBe(policy.id);
    const integrations = await listIntegrations(ctx, SYSTEM, checkout.id);
    expect(integrations.map((i) => [i.name, i.kind, i.settings])).toEqual([
      ['grafana', 'grafana', { signingSecret: 'example-grafana-hmac-secret' }],
      ['prometheus', 'alertmanager', {}],
    ]);
    // The keys in the file are the keys monitoring tools use.
    for (const [key, service, name] of [
      ['example-checkout-prometheus-4f7c2a91', 'checkout-api', 'prometheus'],
      ['example-payments-pagerduty-1c9e7d24', 'payments-worker', 'pagerduty-events'],
      ['example-edge-opsgenie-6a2f5b80', 'edge-proxy', 'opsgenie'],
    ] as const) {
      const found = await findIntegrationByKey(ctx.db.kysely, key);
      expect([found?.service.name, found?.integration.name]).toEqual([service, name]);
    }
    const edge = await findIntegrationByKey(ctx.db.kysely, 'example-edge-prometheus-d41e9c37');
    expect(edge?.integration.settings).toEqual({ rateLimitPerMinute: 600 });
  });

  it('a second apply of the same file changes nothing', async () => {
    const { ctx } = await dbs.fresh(dialect);
    await apply(ctx, example());
    const before = await snapshot(ctx);
    expect(await apply(ctx, example())).toEqual({ changes: [], createdKeys: [] });
    expect(await snapshot(ctx)).toEqual(before);
  });

  it('export, then apply of the export, changes nothing', async () => {
    const { ctx } = await dbs.fresh(dialect);
    await apply(ctx, example());
    const before = await snapshot(ctx);
    const exported = await exportConfig(ctx, SYSTEM);
    expect(await apply(ctx, exported)).toEqual({ changes: [], createdKeys: [] });
    const text = stringifyConfig(exported, { schema: 'klaxon.schema.json' });
    expect(text.startsWith('# yaml-language-server: $schema=klaxon.schema.json\n')).toBe(true);
    expect(text).not.toContain('example-checkout-prometheus-4f7c2a91');
    expect(text).not.toContain('example-grafana-hmac-secret');
    expect(await apply(ctx, parseConfigFile('export.yaml', text))).toEqual({ changes: [], createdKeys: [] });
    expect(await snapshot(ctx)).toEqual(before);
    // The export says what the example says, less the secrets.
    const source = example();
    expect(exported.users).toEqual(source.users);
    expect(exported.escalationPolicies).toEqual(source.escalationPolicies);
    expect(exported.teams?.find((t) => t.name === 'Platform')?.members).toEqual([
      { user: 'dev@example.com', role: 'manager' },
      { user: 'carmen@example.com', role: 'member' },
    ]);
  });

  it('an edited file produces exactly the expected changes, and then none', async () => {
    const { ctx } = await dbs.fresh(dialect);
    await apply(ctx, example());
    const edited = editExample((d) => {
      d.setIn(['users', 0, 'contactMethods', 1, 'name'], 'cell'); // rename a contact method
      d.setIn(['users', 0, 'notificationRules', 1, 'contactMethod'], 'cell');
      d.setIn(['users', 1, 'name'], 'Bob Okafor-Smith'); // rename a person
      d.setIn(['escalationPolicies', 0, 'levels', 0, 'delayMinutes'], 5); // change a level delay
      d.deleteIn(['services', 0, 'integrations', 1]); // remove an integration
    });
    const outboxBefore = (await snapshot(ctx)).outbox;
    const result = await apply(ctx, yaml(edited));
    expect(result.changes).toEqual([
      '- contact method alice@example.com/mobile',
      '+ contact method alice@example.com/cell (sms +447700900101, to be verified)',
      '+ notification rule alice@example.com: cell after 1 min',
      '~ user bob@example.com: name "Bob Okafor" -> "Bob Okafor-Smith"',
      '~ policy "Payments default": levels changed',
      '- integration checkout-api/grafana',
    ]);

    const alice = await getUser(ctx, SYSTEM, 'alice@example.com');
    const methods = await listContactMethods(ctx, SYSTEM, alice.id);
    expect(methods.map((m) => m.name).sort()).toEqual(['cell', 'email', 'phone']);
    const nameOf = new Map(methods.map((m) => [m.id, m.name]));
    expect((await listNotificationRules(ctx, SYSTEM, alice.id)).map((r) => [nameOf.get(r.contactMethodId), r.delayMinutes])).toEqual([
      ['email', 0],
      ['cell', 1],
      ['phone', 3],
    ]);
    expect((await snapshot(ctx)).outbox).toBe(outboxBefore + 1); // the new method's verification code
    expect((await getUser(ctx, SYSTEM, 'bob@example.com')).name).toBe('Bob Okafor-Smith');
    expect((await getPolicy(ctx, SYSTEM, 'Payments default')).levels.map((l) => l.delayMinutes)).toEqual([5, 10, 15]);
    const checkout = await getService(ctx, SYSTEM, 'checkout-api');
    expect((await listIntegrations(ctx, SYSTEM, checkout.id)).map((i) => i.name)).toEqual(['prometheus']);
    expect(await findIntegrationByKey(ctx.db.kysely, 'example-checkout-grafana-b83d0e56')).toBeUndefined();

    expect(await apply(ctx, yaml(edited))).toEqual({ changes: [], createdKeys: [] });
  });

  it('a dry run reports the same changes and writes nothing', async () => {
    const { ctx } = await dbs.fresh(dialect);
    const empty = await snapshot(ctx);
    const dry = await apply(ctx, example(), { dryRun: true });
    expect(dry.changes).toHaveLength(13);
    expect(await snapshot(ctx)).toEqual(empty);
    expect(await apply(ctx, example())).toEqual(dry);

    const edited = editExample((d) => {
      d.setIn(['users', 2, 'contactMethods', 1, 'address'], '+12125550199');
      d.setIn(['services', 1, 'grouping'], { mode: 'window', minutes: 5 });
      d.setIn(['services', 2, 'integrations', 0, 'key'], 'rotated-opsgenie-key-0123456789');
    });
    const before = await snapshot(ctx);
    const planned = await apply(ctx, yaml(edited), { dryRun: true });
    expect(planned.changes).toEqual([
      '~ contact method carmen@example.com/mobile: address +12125550143 -> +12125550199 (re-created, to be verified)',
      '~ service payments-worker: grouping field alertname -> window 5 min',
      '~ integration edge-proxy/opsgenie: key changed',
    ]);
    expect(await snapshot(ctx)).toEqual(before);
    expect(await apply(ctx, yaml(edited))).toEqual(planned);
  });

  it('describes changes to people, teams, policies and services', async () => {
    const { ctx } = await dbs.fresh(dialect);
    await apply(ctx, example());
    const edited = editExample((d) => {
      d.setIn(['users', 3, 'role'], 'admin');
      d.setIn(['users', 3, 'timeZone'], 'America/Chicago');
      d.setIn(['teams', 0, 'members', 2, 'user'], 'dev@example.com');
      d.setIn(['teams', 1, 'members', 0, 'role'], 'member');
      d.setIn(['escalationPolicies', 1, 'repeat'], 0);
      d.setIn(['services', 0, 'escalationPolicy'], 'Platform default');
      d.setIn(['services', 1, 'team'], null);
      d.setIn(['services', 2, 'description'], 'Load balancers.');
      d.setIn(['services', 2, 'integrations', 1, 'rateLimitPerMinute'], 1200);
      d.addIn(['services', 2, 'integrations'], { name: 'synthetics', kind: 'generic' });
    });
    const result = await apply(ctx, yaml(edited));
    expect(result.changes).toEqual([
      '~ user dev@example.com: timeZone America/New_York -> America/Chicago; role responder -> admin',
      '~ team Payments: members +dev@example.com, -carmen@example.com',
      '~ team Platform: members order or roles changed',
      '~ policy "Platform default": repeat 1 -> 0',
      '~ service checkout-api: escalationPolicy "Payments default" -> "Platform default"',
      '~ service payments-worker: team Payments -> none',
      '~ service edge-proxy: description changed',
      '~ integration edge-proxy/prometheus: rateLimitPerMinute 600 -> 1200',
      '+ integration edge-proxy/synthetics (generic, key generated)',
    ]);
    expect(result.createdKeys.map((k) => [k.service, k.integration])).toEqual([['edge-proxy', 'synthetics']]);
    expect((await getService(ctx, SYSTEM, 'payments-worker')).teamId).toBeNull();
    expect(await apply(ctx, yaml(edited))).toEqual({ changes: [], createdKeys: [] });
  });

  it('re-creating a contact method whose address changed keeps its notification rules', async () => {
    const { ctx } = await dbs.fresh(dialect);
    await apply(ctx, example());
    const carmen = await getUser(ctx, SYSTEM, 'carmen@example.com');
    const old = must(
      (await listContactMethods(ctx, SYSTEM, carmen.id)).find((m) => m.name === 'mobile'),
      "listContactMethods() entry where m.name === 'mobile'",
    );
    await apply(ctx, yaml(editExample((d) => d.setIn(['users', 2, 'contactMethods', 1, 'address'], '+1 (212) 555-0199'))));
    const methods = await listContactMethods(ctx, SYSTEM, carmen.id);
    const mobile = must(
      methods.find((m) => m.name === 'mobile'),
      "methods entry where m.name === 'mobile'",
    );
    expect(mobile.id).not.toBe(old.id);
    expect([mobile.address, mobile.verified]).toEqual(['+12125550199', false]);
    const rules = await listNotificationRules(ctx, SYSTEM, carmen.id);
    expect(rules.find((r) => r.delayMinutes === 1)?.contactMethodId).toBe(mobile.id);
    expect(rules).toHaveLength(3);

    // Re-created and re-timed at once: both show.
    const retimed = editExample((d) => {
      d.setIn(['users', 2, 'contactMethods', 1, 'address'], '+12125550100');
      d.setIn(['users', 2, 'notificationRules', 1, 'delayMinutes'], 2);
    });
    expect((await apply(ctx, yaml(retimed))).changes).toEqual([
      '~ contact method carmen@example.com/mobile: address +12125550199 -> +12125550100 (re-created, to be verified)',
      '- notification rule carmen@example.com: mobile after 1 min',
      '+ notification rule carmen@example.com: mobile after 2 min',
    ]);
    expect((await listNotificationRules(ctx, SYSTEM, carmen.id)).map((r) => r.delayMinutes)).toEqual([0, 2, 3]);
    expect((await apply(ctx, yaml(retimed))).changes).toEqual([]);
  });

  it('fields and collections left out of the file are kept', async () => {
    const { ctx } = await dbs.fresh(dialect);
    await apply(ctx, example());
    const before = await snapshot(ctx);
    const sparse = [
      'version: 1',
      'users:',
      '  - { email: Alice@Example.com, name: Alice Chen }',
      'teams:',
      '  - { name: Payments }',
      'services:',
      '  - name: checkout-api',
      '  - name: edge-proxy',
      '    integrations:',
      '      - { name: opsgenie, kind: opsgenie }',
      '      - { name: prometheus, kind: alertmanager }',
      '',
    ].join('\n');
    expect(await apply(ctx, yaml(sparse))).toEqual({ changes: [], createdKeys: [] });
    expect(await snapshot(ctx)).toEqual(before);
  });

  it('integration keys: generated once when absent, kept when left out, replaced when changed', async () => {
    const { ctx } = await dbs.fresh(dialect);
    const file = (integration: string) => `version: 1\nservices:\n  - name: billing\n    integrations:\n      - ${integration}\n`;
    const first = await apply(ctx, yaml(file('{ name: events, kind: generic }')));
    expect(first.changes).toEqual(['+ service billing (1 integration)']);
    expect(first.createdKeys).toHaveLength(1);
    const generated = must(first.createdKeys[0], 'first.createdKeys[0]');
    expect([generated.service, generated.integration]).toEqual(['billing', 'events']);
    expect(generated.key).toMatch(/^[A-Za-z0-9_\-.]{16,}$/);
    expect((await findIntegrationByKey(ctx.db.kysely, generated.key))?.integration.name).toBe('events');

    expect(await apply(ctx, yaml(file('{ name: events, kind: generic }')))).toEqual({ changes: [], createdKeys: [] });

    const given = 'billing-events-key-0123456789';
    expect((await apply(ctx, yaml(file(`{ name: events, kind: generic, key: ${given} }`)))).changes).toEqual(['~ integration billing/events: key changed']);
    expect(await findIntegrationByKey(ctx.db.kysely, generated.key)).toBeUndefined();
    expect((await findIntegrationByKey(ctx.db.kysely, given))?.integration.name).toBe('events');
    expect((await apply(ctx, yaml(file(`{ name: events, kind: generic, key: ${given} }`)))).changes).toEqual([]);

    const rekinded = await apply(ctx, yaml(file(`{ name: events, kind: grafana, key: ${given}, rateLimitPerMinute: 120 }`)));
    expect(rekinded).toEqual({ changes: ['~ integration billing/events: kind generic -> grafana (re-created)'], createdKeys: [] });
    expect((await findIntegrationByKey(ctx.db.kysely, given))?.integration).toMatchObject({ kind: 'grafana', settings: { rateLimitPerMinute: 120 } });
    expect((await apply(ctx, yaml(file('{ name: events, kind: grafana, signingSecret: s3cret-s3cret, rateLimitPerMinute: null }')))).changes).toEqual([
      '~ integration billing/events: signing secret set; rateLimitPerMinute 120 -> none',
    ]);

    // A key another integration already uses is refused before anything is written.
    const clash = `version: 1\nservices:\n  - name: invoices\n    integrations:\n      - { name: events, kind: generic, key: ${given} }\n`;
    expect(await configError(apply(ctx, yaml(clash)))).toEqual([
      `klaxon.yaml:${lineColOf(clash, given)}: services[0].integrations[0].key: this key is already used by integration billing/events`,
      'Nothing was changed.',
    ]);
    expect((await listServices(ctx, SYSTEM)).map((s) => s.name)).toEqual(['billing']);
  });

  it('an unknown reference is reported at its line, and nothing is written', async () => {
    const { ctx } = await dbs.fresh(dialect);
    const text = editExample((d) => {
      d.setIn(['services', 1, 'escalationPolicy'], 'Payments defualt');
      d.setIn(['teams', 1, 'members', 1, 'user'], 'carmen@exmaple.com');
    });
    expect(await configError(apply(ctx, yaml(text)))).toEqual([
      `klaxon.yaml:${lineColOf(text, 'carmen@exmaple.com')}: teams[1].members[1].user: unknown user "carmen@exmaple.com": not in the file or the database (did you mean "carmen@example.com"?)`,
      `klaxon.yaml:${lineColOf(text, 'Payments defualt')}: services[1].escalationPolicy: unknown escalation policy "Payments defualt": not in the file or the database (did you mean "Payments default"?)`,
      'Nothing was changed.',
    ]);
    expect(await listUsers(ctx, SYSTEM)).toEqual([]);
  });

  it('references may resolve in the database instead of the file', async () => {
    const { ctx } = await dbs.fresh(dialect);
    await apply(ctx, example());
    const text = 'version: 1\nservices:\n  - { name: search, team: Platform, escalationPolicy: Platform default }\n';
    expect((await apply(ctx, yaml(text))).changes).toEqual(['+ service search']);
    const search = await getService(ctx, SYSTEM, 'search');
    expect(search.escalationPolicyId).toBe((await getPolicy(ctx, SYSTEM, 'Platform default')).id);
  });

  it('prune deletes what the file does not list, only for the sections it has', async () => {
    const { ctx } = await dbs.fresh(dialect);
    await apply(ctx, example());
    const smaller = editExample((d) => {
      d.deleteIn(['services', 2]); // edge-proxy
      d.deleteIn(['escalationPolicies', 1]); // Platform default
      d.deleteIn(['teams', 1]); // Platform
      d.deleteIn(['users', 3]); // dev
    });
    expect(await apply(ctx, yaml(smaller))).toEqual({ changes: [], createdKeys: [] });
    const planned = await apply(ctx, yaml(smaller), { prune: true, dryRun: true });
    expect(planned.changes).toEqual(['- service edge-proxy', '- policy "Platform default"', '- team Platform', '- user dev@example.com']);
    expect(await apply(ctx, yaml(smaller), { prune: true })).toEqual(planned);
    expect((await listUsers(ctx, SYSTEM)).map((u) => u.email)).not.toContain('dev@example.com');
    expect((await listTeams(ctx, SYSTEM)).map((t) => t.name)).toEqual(['Payments']);
    expect((await listPolicies(ctx, SYSTEM)).map((p) => p.name)).toEqual(['Payments default']);
    expect((await listServices(ctx, SYSTEM)).map((s) => s.name)).toEqual(['checkout-api', 'payments-worker']);
    expect(await findIntegrationByKey(ctx.db.kysely, 'example-edge-opsgenie-6a2f5b80')).toBeUndefined();

    // A file with only services prunes only services.
    expect((await apply(ctx, yaml('version: 1\nservices: []\n'), { prune: true, dryRun: true })).changes).toEqual(['- service checkout-api', '- service payments-worker']);
    // With pruning, a reference to something the file leaves out cannot resolve.
    const dangling = 'version: 1\nusers: []\nteams:\n  - { name: Payments, members: [{ user: alice@example.com }] }\n';
    expect(await configError(apply(ctx, yaml(dangling), { prune: true, dryRun: true }))).toEqual([
      'klaxon.yaml:4:41: teams[0].members[0].user: unknown user "alice@example.com": not in the file, and pruning deletes what the file does not list',
      'Nothing was changed.',
    ]);
  });

  it('pruning stops at a service that has incidents, and says which', async () => {
    const { ctx } = await dbs.fresh(dialect);
    await apply(ctx, example());
    await createIncident(ctx, SYSTEM, { service: 'edge-proxy', title: 'TLS handshake failures' });
    const text = editExample((d) => d.deleteIn(['services', 2]));
    const problems = await configError(apply(ctx, yaml(text), { prune: true }));
    expect(problems[0]).toMatch(/^klaxon\.yaml:\d+:\d+: services: deleting service edge-proxy: This service has incidents; it cannot be deleted$/);
    expect((await listServices(ctx, SYSTEM)).map((s) => s.name)).toContain('edge-proxy');
  });

  it('escalation targets may name schedules made outside the file, by name, and export writes names', async () => {
    const { ctx } = await dbs.fresh(dialect);
    await apply(ctx, example());
    const platform = await createSchedule(ctx, SYSTEM, {
      name: 'Platform on call',
      timeZone: 'America/New_York',
      layers: [{ participants: ['dev@example.com'], turn: { unit: 'week', count: 1 }, start: '2026-03-02T09:00' }],
    });
    const text = editExample((d) => {
      d.setIn(['escalationPolicies', 1, 'levels', 0, 'targets'], [{ schedule: 'Platform on call' }]);
      d.setIn(['escalationPolicies', 1, 'levels', 1, 'targets'], [{ scheduleNext: 'Platform on call' }, { team: 'Platform' }]);
    });
    expect((await apply(ctx, yaml(text))).changes).toEqual(['~ policy "Platform default": levels changed']);
    const policy = await getPolicy(ctx, SYSTEM, 'Platform default');
    const team = await getTeam(ctx, SYSTEM, 'Platform');
    expect(policy.levels.map((l) => l.targets)).toEqual([
      [{ type: 'schedule', id: platform.id }],
      [
        { type: 'schedule_next', id: platform.id },
        { type: 'team', id: team.id },
      ],
    ]);
    expect(await apply(ctx, yaml(text))).toEqual({ changes: [], createdKeys: [] });
    // Stored as ids, exported as names: export then apply is a no-op.
    const exported = await exportConfig(ctx, SYSTEM);
    expect(exported.escalationPolicies?.map((p) => p.levels.map((l) => l.targets))).toEqual([
      [[{ schedule: 'Payments primary' }], [{ schedule: 'Payments secondary' }], [{ scheduleNext: 'Payments primary' }, { team: 'Payments' }]],
      [[{ schedule: 'Platform on call' }], [{ scheduleNext: 'Platform on call' }, { team: 'Platform' }]],
    ]);
    expect(exported.schedules?.map((x) => x.name)).toEqual(['Payments primary', 'Payments secondary', 'Platform on call']);
    expect(await apply(ctx, parseConfigFile('export.yaml', stringifyConfig(exported)))).toEqual({ changes: [], createdKeys: [] });

    // An unknown schedule is found before anything is written.
    const missing =
      'version: 1\nusers:\n  - { email: erin@example.com, name: Erin }\nescalationPolicies:\n  - name: Primary\n    levels:\n      - delayMinutes: 5\n        targets:\n          - schedule: Payments primray\n';
    expect(await configError(apply(ctx, yaml(missing)))).toEqual([
      'klaxon.yaml:9:23: escalationPolicies[0].levels[0].targets[0].schedule: unknown schedule "Payments primray": not in the file or the database (did you mean "Payments primary"?)',
      'Nothing was changed.',
    ]);
    expect((await listUsers(ctx, SYSTEM)).map((u) => u.email)).not.toContain('erin@example.com');
  });

  it('schedules: the file and its export agree, layers compare by meaning, and defaults are filled', async () => {
    const { ctx } = await dbs.fresh(dialect);
    await apply(ctx, example());
    const exported = await exportConfig(ctx, SYSTEM);
    // Export spells out the notice settings the example leaves to their defaults.
    expect(exported.schedules).toEqual(example().schedules?.map((x) => ({ handoffNoticeMinutes: 60, gapNoticeDays: 14, ...x })));
    // The same layer written differently: an offset instead of local time, the schedule zone and
    // default priority spelled out, a different key order in a restriction, upper-case emails.
    const same = editExample((d) => {
      d.setIn(['schedules', 0, 'layers', 0, 'start'], '2026-03-02T09:00:00Z');
      d.setIn(['schedules', 0, 'layers', 0, 'timeZone'], 'Europe/London');
      d.setIn(['schedules', 0, 'layers', 0, 'priority'], 0);
      d.setIn(['schedules', 0, 'layers', 0, 'participants', 0], 'Alice@Example.com');
      d.setIn(['schedules', 1, 'layers', 1, 'restrictions', 0], { preset: 'business-hours', kind: 'preset' });
    });
    expect(await apply(ctx, yaml(same))).toEqual({ changes: [], createdKeys: [] });
    // Left out: a new schedule gets the defaults, an existing one keeps what it has.
    const text = editExample((d) => {
      d.deleteIn(['schedules', 0, 'handoffNoticeMinutes']);
      d.deleteIn(['schedules', 0, 'gapNoticeDays']);
      d.deleteIn(['schedules', 0, 'team']);
      d.deleteIn(['schedules', 0, 'description']);
      d.setIn(['schedules', 1, 'handoffNoticeMinutes'], 30);
    });
    expect((await apply(ctx, yaml(text))).changes).toEqual(['~ schedule "Payments secondary": handoffNoticeMinutes 60 -> 30']);
    const primary = await getSchedule(ctx, SYSTEM, 'Payments primary');
    expect([primary.description, primary.teamId !== null, primary.handoffNoticeMinutes, primary.gapNoticeDays]).toEqual(['One week each, handing off on Mondays at 09:00 London time.', true, 60, 14]);
    const fresh = 'version: 1\nschedules:\n  - name: Quiet\n    timeZone: UTC\n    layers: []\n';
    expect((await apply(ctx, yaml(fresh))).changes).toEqual(['+ schedule Quiet (0 layers)']);
    const quiet = await getSchedule(ctx, SYSTEM, 'Quiet');
    expect([quiet.teamId, quiet.handoffNoticeMinutes, quiet.gapNoticeDays]).toEqual([null, 60, 14]);
    expect(await apply(ctx, yaml(fresh))).toEqual({ changes: [], createdKeys: [] });
  });

  it('editing a layer gives its change line; a dry run writes nothing; overrides, leave and swaps are kept', async () => {
    const { ctx } = await dbs.fresh(dialect);
    // Swap offers must lie in the future: pin the clock so the fixtures below stay valid whatever today is.
    ctx.clock = new FakeClock('2027-01-04T00:00:00Z');
    await apply(ctx, example());
    const primary = await getSchedule(ctx, SYSTEM, 'Payments primary');
    const bob = await getUser(ctx, SYSTEM, 'bob@example.com');
    const override = await addOverride(ctx, SYSTEM, primary.id, { userIds: ['dev@example.com'], start: '2027-03-10T09:00', end: '2027-03-10T18:00', note: 'covering' });
    await addLeave(ctx, SYSTEM, bob.id, { start: '2027-03-20', end: '2027-03-25' });
    await offerSwap(ctx, SYSTEM, primary.id, { userId: bob.id, start: '2027-03-02T09:00', end: '2027-03-03T09:00' });
    const counts = async () => ({
      overrides: (await ctx.db.kysely.selectFrom('schedule_overrides').select('id').execute()).length,
      leave: (await ctx.db.kysely.selectFrom('user_leave').select('id').execute()).length,
      swaps: (await ctx.db.kysely.selectFrom('schedule_swaps').select('id').execute()).length,
    });
    const before = await counts();
    expect(before).toEqual({ overrides: 1, leave: 1, swaps: 1 });

    const edited = editExample((d) => {
      d.setIn(['schedules', 0, 'layers', 0, 'participants'], ['alice@example.com', 'carmen@example.com', ['bob@example.com', 'dev@example.com']]);
      d.setIn(['schedules', 0, 'layers', 0, 'turn', 'count'], 2);
      d.setIn(['schedules', 0, 'layers', 0, 'handoffTime'], '10:00');
      d.deleteIn(['schedules', 1, 'layers', 1]);
      d.setIn(['schedules', 1, 'timeZone'], 'Europe/Berlin');
    });
    const snap = await snapshot(ctx);
    const planned = await apply(ctx, yaml(edited), { dryRun: true });
    expect(planned.changes).toEqual([
      '~ schedule "Payments primary": layer weekly: participants +[bob@example.com, dev@example.com], -bob@example.com, turn 1 week -> 2 weeks, handoffTime 09:00 -> 10:00',
      '~ schedule "Payments secondary": timeZone Europe/London -> Europe/Berlin; layer weekly: timeZone Europe/London -> Europe/Berlin, start 2026-03-02T10:00 -> 2026-03-02T09:00; -layer "london business hours"',
    ]);
    expect(await snapshot(ctx)).toEqual(snap);
    expect(await apply(ctx, yaml(edited))).toEqual(planned);
    expect(await apply(ctx, yaml(edited))).toEqual({ changes: [], createdKeys: [] });
    const after = await getSchedule(ctx, SYSTEM, 'Payments primary');
    expect([after.layers[0]?.turn, after.layers[0]?.handoffTime, after.layers[0]?.participants.length]).toEqual([{ unit: 'week', count: 2 }, '10:00', 3]);
    expect(await counts()).toEqual(before);
    expect((await listOverrides(ctx, SYSTEM, primary.id, { from: '2027-03-01', to: '2027-04-01' })).map((o) => o.id)).toEqual([override.id]);
    // Export then apply of the edited state changes nothing either.
    expect(await apply(ctx, await exportConfig(ctx, SYSTEM))).toEqual({ changes: [], createdKeys: [] });
  });

  it('a bad participant or an unknown team is reported at its line, and nothing is written', async () => {
    const { ctx } = await dbs.fresh(dialect);
    const badEmail = editExample((d) => d.setIn(['schedules', 0, 'layers', 0, 'participants', 1], 'bob-at-example.com'));
    expect(() => yaml(badEmail)).toThrow(`klaxon.yaml:${lineColOf(badEmail, 'bob-at-example.com')}: schedules[0].layers[0].participants[1]: must be an email address`);
    const text = editExample((d) => {
      d.setIn(['schedules', 1, 'team'], 'Paymnets');
      d.setIn(['schedules', 0, 'layers', 0, 'participants', 2], 'carmen@exmaple.com');
      d.setIn(['schedules', 1, 'layers', 1, 'participants', 0], ['bob@example.com', 'erin@example.com']);
    });
    expect(await configError(apply(ctx, yaml(text)))).toEqual([
      `klaxon.yaml:${lineColOf(text, 'carmen@exmaple.com')}: schedules[0].layers[0].participants[2]: unknown user "carmen@exmaple.com": not in the file or the database (did you mean "carmen@example.com"?)`,
      `klaxon.yaml:${lineColOf(text, 'Paymnets')}: schedules[1].team: unknown team "Paymnets": not in the file or the database (did you mean "Payments"?)`,
      `klaxon.yaml:${lineColOf(text, 'erin@example.com')}: schedules[1].layers[1].participants[0][1]: unknown user "erin@example.com": not in the file or the database (did you mean "alice@example.com"?)`,
      'Nothing was changed.',
    ]);
    expect(await listUsers(ctx, SYSTEM)).toEqual([]);
    const zone = editExample((d) => d.setIn(['schedules', 0, 'layers', 0, 'timeZone'], 'Europe/Londn'));
    expect(() => yaml(zone)).toThrow(`klaxon.yaml:${lineColOf(zone, 'Europe/Londn')}: schedules[0].layers[0].timeZone: unknown IANA time zone "Europe/Londn"`);
    const start = editExample((d) => d.setIn(['schedules', 0, 'layers', 0, 'start'], 'next monday'));
    expect(() => yaml(start)).toThrow(`klaxon.yaml:${lineColOf(start, 'next monday')}: schedules[0].layers[0].start: must be a local date-time YYYY-MM-DDTHH:MM (or an ISO date-time with an offset)`);
  });

  it('prune drops policy targets before deleting a schedule, and refuses one a policy outside the file targets', async () => {
    const { ctx } = await dbs.fresh(dialect);
    await apply(ctx, example());
    // Secondary goes; the policy in the file stops targeting it in the same apply.
    const smaller = editExample((d) => {
      d.deleteIn(['schedules', 1]);
      d.deleteIn(['escalationPolicies', 0, 'levels', 1]);
    });
    const planned = await apply(ctx, yaml(smaller), { prune: true, dryRun: true });
    expect(planned.changes).toEqual(['~ policy "Payments default": levels changed', '- schedule "Payments secondary"']);
    // A pruned schedule cannot be a target.
    expect(await configError(apply(ctx, yaml(editExample((d) => d.deleteIn(['schedules', 1]))), { prune: true, dryRun: true }))).toEqual([
      expect.stringMatching(
        /^klaxon\.yaml:\d+:\d+: escalationPolicies\[0\]\.levels\[1\]\.targets\[0\]\.schedule: unknown schedule "Payments secondary": not in the file, and pruning deletes what the file does not list$/,
      ),
      'Nothing was changed.',
    ]);
    expect(await apply(ctx, yaml(smaller), { prune: true })).toEqual(planned);
    expect((await listSchedules(ctx, SYSTEM)).map((x) => x.name)).toEqual(['Payments primary']);
    // A file with only schedules cannot delete one that a policy it does not list targets.
    expect(await configError(apply(ctx, yaml('version: 1\nschedules: []\n'), { prune: true, dryRun: true }))).toEqual([
      'klaxon.yaml:2:12: schedules: --prune would delete schedule "Payments primary", but escalation policy "Payments default" not in this file targets it: add it to the file, or the schedule',
      'Nothing was changed.',
    ]);
    // With the policies pruned too, both go: policies first, then the schedule.
    expect((await apply(ctx, yaml('version: 1\nschedules: []\nescalationPolicies: []\n'), { prune: true })).changes).toEqual([
      '- policy "Payments default"',
      '- policy "Platform default"',
      '- schedule "Payments primary"',
    ]);
    expect(await listSchedules(ctx, SYSTEM)).toEqual([]);
  });

  it('documents built in code are validated, and only admins may apply or export', async () => {
    const { ctx } = await dbs.fresh(dialect);
    await expect(applyConfig(ctx, SYSTEM, { version: 1, users: [{ email: 'x', name: 'X' }] }, { dryRun: true, file: 'api' })).rejects.toThrow('api: users[0].email: must be an email address');
    await apply(ctx, example());
    const bob = await getUser(ctx, SYSTEM, 'bob@example.com');
    const responder: Actor = { type: 'user', id: bob.id, name: bob.name, role: bob.role };
    await expect(applyConfig(ctx, responder, example(), { dryRun: true })).rejects.toSatisfy((e) => e instanceof AppError && e.code === 'forbidden');
    await expect(exportConfig(ctx, responder)).rejects.toSatisfy((e) => e instanceof AppError && e.code === 'forbidden');
  });
});
