import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addResponder, DIALECTS, mustFind, startTestKlaxon, type TestKlaxon } from '../harness.js';
import { must } from '../../src/lib/must.js';

// Event rules on the real server: every format goes through the one ingest entry, so the rules run
// on Alertmanager, PagerDuty and generic events alike (docs/event-rules.md).
describe.each(DIALECTS)('event rules at ingest (%s)', (dialect) => {
  let t: TestKlaxon;
  let api: { id: string };
  let db: { id: string };
  let catchAll: { id: string };

  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
    const alice = await addResponder(t, { name: 'Alice', email: 'alice@example.com', rules: [{ type: 'email', delayMinutes: 0 }] });
    const policy = await t.api('POST', '/api/v1/escalation-policies', { name: 'P', levels: [{ delayMinutes: 10, targets: [{ type: 'user', id: alice.id }] }] });
    const pid = policy.body.escalationPolicy.id;
    api = (await t.api('POST', '/api/v1/services', { name: 'api', escalationPolicyId: pid })).body.service;
    db = (await t.api('POST', '/api/v1/services', { name: 'db', escalationPolicyId: pid })).body.service;
    catchAll = (await t.api('POST', '/api/v1/services', { name: 'unrouted', escalationPolicyId: pid })).body.service;
  });
  afterAll(async () => t?.stop());

  const integration = async (kind: string, name: string) => {
    const r = await t.api('POST', `/api/v1/services/${api.id}/integrations`, { name, kind });
    expect(r.status).toBe(201);
    return r.body.integration as { id: string; key: string };
  };
  const rule = async (body: Record<string, unknown>) => {
    const r = await t.api('POST', '/api/v1/event-rules', body);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.rule as { id: string };
  };
  const generic = async (key: string, event: unknown) => {
    const res = await fetch(`${t.url}/integrations/v1/generic/${key}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });
    expect(res.status).toBe(202);
    return ((await res.json()) as { events: { outcome: string; incidentId: string | null; dedupKey: string }[] }).events;
  };
  const incidentsOf = async (serviceId: string) =>
    (await t.api('GET', `/api/v1/incidents?service=${serviceId}&limit=100`)).body.incidents as { id: string; title: string; severity: string; status: string }[];
  const mails = (re: RegExp) => t.smtp.messages.filter((m) => re.test(m.subject));

  it('an Alertmanager batch is routed to another service by label; the trace is recorded on the event', async () => {
    const am = await integration('alertmanager', 'am-route');
    const r = await rule({ integrationId: am.id, name: 'db team', condition: 'has(labels.team) && labels.team == "db"', actions: { route: 'db' } });
    const res = await fetch(`${t.url}/integrations/v1/alertmanager/${am.key}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        version: '4',
        status: 'firing',
        receiver: 'k',
        alerts: [
          { status: 'firing', labels: { alertname: 'ReplLag', team: 'db' }, annotations: { summary: 'Replication lag' }, fingerprint: 'f1' },
          { status: 'firing', labels: { alertname: 'Slow', team: 'web' }, annotations: { summary: 'Slow pages' }, fingerprint: 'f2' },
        ],
      }),
    });
    expect(res.status).toBe(202);
    await t.cycle();
    expect((await incidentsOf(db.id)).map((i) => i.title)).toContain('Replication lag');
    expect((await incidentsOf(api.id)).map((i) => i.title)).toContain('Slow pages');
    expect((await incidentsOf(api.id)).map((i) => i.title)).not.toContain('Replication lag');
    const trace = await t.k.ctx.db.kysely.selectFrom('alert_events').select(['rule_trace', 'service_id']).where('integration_id', '=', am.id).execute();
    const routed = trace.map((x) => JSON.parse(must(x.rule_trace, 'rule_trace of the alert'))).find((x) => x.service === db.id);
    expect(routed.rules).toEqual([{ ruleId: r.id, name: 'db team', scope: 'integration', result: 'matched', actions: { route: 'db' } }]);
  });

  it('suppress: stored, no incident, nobody paged; severity set by a rule', async () => {
    const g = await integration('generic', 'g-suppress');
    await rule({ integrationId: g.id, name: 'warnings are quiet', condition: 'severity == "warning"', actions: { suppress: true } });
    await rule({ integrationId: g.id, name: 'disk is critical', condition: 'summary.contains("disk")', actions: { severity: 'critical', title: 'DISK {{source}}: {{summary}}' } });
    const before = t.smtp.messages.length;
    const [s] = await generic(g.key, { summary: 'cpu a bit high', severity: 'warning', dedup_key: 'w1' });
    expect(must(s, 'the result of the warning').outcome).toBe('suppressed');
    expect(must(s, 'the result of the warning').incidentId).toBeNull();
    const [c] = await generic(g.key, { summary: 'disk full', severity: 'info', source: 'db-7' });
    await t.cycle();
    expect(t.smtp.messages.length).toBe(before + 1);
    const inc = mustFind(await incidentsOf(api.id), 'the incident of the created alert', (i) => i.id === must(c, 'the result of the disk alert').incidentId);
    expect(inc.title).toBe('DISK db-7: disk full');
    expect(inc.severity).toBe('critical');
    // The incident's trace shows the rule that matched, with its actions, and the one that did not.
    const trace = (await t.api('GET', `/api/v1/incidents/${must(c, 'the result of the disk alert').incidentId}/trace`)).body.trace as { rules: { rule: string; matched: boolean; detail?: string }[] };
    expect(trace.rules.filter((x) => x.matched)).toEqual([{ alertId: expect.any(String), rule: 'disk is critical', matched: true, detail: expect.stringContaining('"severity":"critical"') }]);
    expect(trace.rules.filter((x) => !x.matched).length).toBe(1);
    const stored = await t.k.ctx.db.kysely.selectFrom('alert_events').select(['outcome', 'service_id']).where('integration_id', '=', g.id).where('dedup_key', '=', 'w1').execute();
    expect(stored).toEqual([{ outcome: 'suppressed', service_id: api.id }]);
  });

  it('drop: not stored, counted on the rule', async () => {
    const g = await integration('generic', 'g-drop');
    const r = await rule({ integrationId: g.id, name: 'drop tests', condition: 'has(labels.env) && labels.env == "test"', actions: { drop: true } });
    const [d] = await generic(g.key, { summary: 'noise', fields: { env: 'test' } });
    expect(must(d, 'the result of the test alert').outcome).toBe('dropped');
    const [k] = await generic(g.key, { summary: 'real', fields: { env: 'prod' } });
    expect(must(k, 'the result of the prod alert').outcome).toBe('created');
    const rows = await t.k.ctx.db.kysely.selectFrom('alert_events').select('outcome').where('integration_id', '=', g.id).execute();
    expect(rows.map((x) => x.outcome)).toEqual(['created']);
    const got = (await t.api('GET', `/api/v1/event-rules/${r.id}`)).body.rule;
    expect(got.stats).toMatchObject({ evaluated: 2, matched: 1, dropped: 1, failed: 0 });
  });

  it('a rule that fails to evaluate falls through: the event is kept and the failure counted and shown', async () => {
    const g = await integration('generic', 'g-fail');
    // labels.team is absent on this event: CEL says "No such key" -> failure, treated as not matching.
    const bad = await rule({ integrationId: g.id, name: 'needs team', condition: 'labels.team == "x"', actions: { drop: true } });
    const [e] = await generic(g.key, { summary: 'kept despite a failing rule' });
    expect(must(e, 'the result of the alert').outcome).toBe('created');
    const got = (await t.api('GET', `/api/v1/event-rules/${bad.id}`)).body.rule;
    expect(got.stats.failed).toBe(1);
    expect(got.stats.lastError).toMatch(/team/);
    const [row] = await t.k.ctx.db.kysely.selectFrom('alert_events').select('rule_trace').where('integration_id', '=', g.id).execute();
    expect(JSON.parse(must(must(row, 'the alert event').rule_trace, 'rule_trace of the alert')).rules[0]).toMatchObject({ ruleId: bad.id, result: 'failed' });
  });

  it('a route to no existing service goes to the catch-all service the admin chose', async () => {
    const g = await integration('generic', 'g-catch');
    await rule({ integrationId: g.id, name: 'to a gone service', condition: 'true', actions: { route: 'no-such-service' } });
    expect((await t.api('PUT', '/api/v1/event-rules/catch-all', { serviceId: 'unrouted' })).body.catchAllServiceId).toBe(catchAll.id);
    const [e] = await generic(g.key, { summary: 'orphan alert' });
    expect((await incidentsOf(catchAll.id)).map((i) => i.id)).toContain(must(e, 'the result of the alert').incidentId);
  });

  it('auto-pause: an alert resolved within N minutes never pages; one still open after N pages', async () => {
    const g = await integration('generic', 'g-pause');
    await rule({ integrationId: g.id, name: 'flappy', condition: 'true', actions: { pauseMinutes: 5 } });
    await generic(g.key, { summary: 'Flapper short', dedup_key: 'short' });
    await generic(g.key, { summary: 'Flapper long', dedup_key: 'long' });
    await t.cycle();
    expect(mails(/Flapper/)).toHaveLength(0);
    await t.advance(2 * 60_000);
    await generic(g.key, { action: 'resolve', dedup_key: 'short' });
    await t.cycle();
    expect(mails(/Flapper/)).toHaveLength(0);
    await t.advance(4 * 60_000);
    await t.cycle();
    expect(mails(/Flapper long/)).toHaveLength(1);
    expect(mails(/Flapper short/)).toHaveLength(0);
  });

  it('a condition that does not compile is refused with a 400 that says where', async () => {
    const r = await t.api('POST', '/api/v1/event-rules', { name: 'broken', condition: 'labels.team ==' });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/condition/);
    expect(r.body.error.details[0].path).toBe('condition');
    const tpl = await t.api('POST', '/api/v1/event-rules', { name: 'broken tpl', condition: 'true', actions: { title: 'x {{ not valid' } });
    expect(tpl.status).toBe(400);
    expect(tpl.body.error.details[0].path).toBe('actions.title');
  });

  it('the tester answers which rules match and what would happen, creating nothing', async () => {
    const g = await integration('generic', 'g-test');
    await rule({ integrationId: g.id, name: 'route db', condition: 'source == "db-1"', actions: { route: 'db', groupBy: ['cluster'] } });
    const before = (await t.api('GET', '/api/v1/incidents?limit=100')).body.incidents.length;
    const r = await t.api('POST', '/api/v1/event-rules/test', { integrationId: g.id, payload: { summary: 'x', source: 'db-1', fields: { cluster: 'eu' } } });
    expect(r.status).toBe(200);
    expect(r.body.events[0]).toMatchObject({ serviceId: db.id, serviceName: 'db', result: 'alert', dedupKey: 'cluster=eu' });
    expect(r.body.events[0].rules.find((x: { name: string }) => x.name === 'route db').result).toBe('matched');
    expect((await t.api('GET', '/api/v1/incidents?limit=100')).body.incidents.length).toBe(before);
    const bad = await t.api('POST', '/api/v1/event-rules/test', { integrationId: g.id, payload: { nope: 1 } });
    expect(bad.status).toBe(400);
  });
});
