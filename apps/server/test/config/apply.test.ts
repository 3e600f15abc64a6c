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
import { createSchedule } from '../../src/schedule/index.js';
import { AppError } from '../../src/lib/errors.js';
import { findIntegrationByKey, getService, listIntegrations, listServices } from '../../src/service/service.js';
import { getTeam, listTeams } from '../../src/team/service.js';
import { getUser, listContactMethods, listNotificationRules, listUsers } from '../../src/user/service.js';
import { DIALECTS, EXAMPLE_TEXT, editExample, lineColOf, testDatabases } from './helpers.js';

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
        '+ policy "Payments default" (2 levels, repeat 2)',
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
    expect(rules.map((r) => [nameOf.get(r.contactMethodId), r.delayMinutes])).toEqual([['email', 0], ['mobile', 1], ['phone', 3]]);
    // Each new contact method was sent a verification code.
    const codes = await ctx.db.kysely.selectFrom('outbox').select(['channel', 'destination', 'kind']).where('contact_method_id', 'in', methods.map((m) => m.id)).execute();
    expect(codes).toHaveLength(3);

    const payments = await getTeam(ctx, SYSTEM, 'Payments');
    const emailOf = new Map(users.map((u) => [u.id, u.email]));
    expect(payments.description).toBe('Checkout, card processing and payouts.');
    expect(payments.members.map((m) => [emailOf.get(m.userId), m.role])).toEqual([
      ['alice@example.com', 'manager'],
      ['bob@example.com', 'member'],
      ['carmen@example.com', 'member'],
    ]);

    const policy = await getPolicy(ctx, SYSTEM, 'Payments default');
    expect(policy.repeat).toBe(2);
    expect(policy.levels.map((l) => [l.delayMinutes, l.targets.map((t) => (t.type === 'user' ? emailOf.get(t.id) : t.type))])).toEqual([
      [10, ['bob@example.com', 'carmen@example.com']],
      [15, ['team']],
    ]);
    expect(policy.levels[1]?.targets[0]).toEqual({ type: 'team', id: payments.id });

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
    expect((await listNotificationRules(ctx, SYSTEM, alice.id)).map((r) => [nameOf.get(r.contactMethodId), r.delayMinutes])).toEqual([['email', 0], ['cell', 1], ['phone', 3]]);
    expect((await snapshot(ctx)).outbox).toBe(outboxBefore + 1); // the new method's verification code
    expect((await getUser(ctx, SYSTEM, 'bob@example.com')).name).toBe('Bob Okafor-Smith');
    expect((await getPolicy(ctx, SYSTEM, 'Payments default')).levels.map((l) => l.delayMinutes)).toEqual([5, 15]);
    const checkout = await getService(ctx, SYSTEM, 'checkout-api');
    expect((await listIntegrations(ctx, SYSTEM, checkout.id)).map((i) => i.name)).toEqual(['prometheus']);
    expect(await findIntegrationByKey(ctx.db.kysely, 'example-checkout-grafana-b83d0e56')).toBeUndefined();

    expect(await apply(ctx, yaml(edited))).toEqual({ changes: [], createdKeys: [] });
  });

  it('a dry run reports the same changes and writes nothing', async () => {
    const { ctx } = await dbs.fresh(dialect);
    const empty = await snapshot(ctx);
    const dry = await apply(ctx, example(), { dryRun: true });
    expect(dry.changes).toHaveLength(11);
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
    const old = (await listContactMethods(ctx, SYSTEM, carmen.id)).find((m) => m.name === 'mobile')!;
    await apply(ctx, yaml(editExample((d) => d.setIn(['users', 2, 'contactMethods', 1, 'address'], '+1 (212) 555-0199'))));
    const methods = await listContactMethods(ctx, SYSTEM, carmen.id);
    const mobile = methods.find((m) => m.name === 'mobile')!;
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
    const generated = first.createdKeys[0]!;
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

  it('escalation targets may name existing schedules, for who is on call now or next', async () => {
    const { ctx } = await dbs.fresh(dialect);
    await apply(ctx, example());
    const primary = await createSchedule(ctx, SYSTEM, { name: 'Payments primary', timeZone: 'Europe/London', layers: [] });
    const text = editExample((d) => {
      d.setIn(['escalationPolicies', 0, 'levels', 0, 'targets'], [{ schedule: 'Payments primary' }]);
      d.setIn(['escalationPolicies', 0, 'levels', 1, 'targets'], [{ scheduleNext: 'Payments primary' }, { team: 'Payments' }]);
    });
    expect((await apply(ctx, yaml(text))).changes).toEqual(['~ policy "Payments default": levels changed']);
    const policy = await getPolicy(ctx, SYSTEM, 'Payments default');
    const payments = await getTeam(ctx, SYSTEM, 'Payments');
    expect(policy.levels.map((l) => l.targets)).toEqual([
      [{ type: 'schedule', id: primary.id }],
      [{ type: 'schedule_next', id: primary.id }, { type: 'team', id: payments.id }],
    ]);
    expect(await apply(ctx, yaml(text))).toEqual({ changes: [], createdKeys: [] });
    const exported = await exportConfig(ctx, SYSTEM);
    expect(exported.escalationPolicies?.[0]?.levels.map((l) => l.targets)).toEqual([[{ schedule: 'Payments primary' }], [{ scheduleNext: 'Payments primary' }, { team: 'Payments' }]]);
    expect(await apply(ctx, parseConfigFile('export.yaml', stringifyConfig(exported)))).toEqual({ changes: [], createdKeys: [] });

    // Schedules are not made by the file: an unknown one is found before anything is written.
    const missing = 'version: 1\nusers:\n  - { email: erin@example.com, name: Erin }\nescalationPolicies:\n  - name: Primary\n    levels:\n      - delayMinutes: 5\n        targets:\n          - schedule: Payments primray\n';
    expect(await configError(apply(ctx, yaml(missing)))).toEqual([
      'klaxon.yaml:9:23: escalationPolicies[0].levels[0].targets[0].schedule: unknown schedule "Payments primray": schedules are made in the web app or the API, and this one does not exist (did you mean "Payments primary"?)',
      'Nothing was changed.',
    ]);
    expect((await listUsers(ctx, SYSTEM)).map((u) => u.email)).not.toContain('erin@example.com');
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
