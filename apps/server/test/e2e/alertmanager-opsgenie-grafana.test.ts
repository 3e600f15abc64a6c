import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addResponder, DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';
import { must } from '../../src/lib/must.js';

function amPayload(status: 'firing' | 'resolved', alerts: { name: string; instance: string; fp: string; status?: 'firing' | 'resolved' }[]) {
  return {
    version: '4',
    groupKey: '{}:{alertname="HighLatency"}',
    truncatedAlerts: 0,
    status,
    receiver: 'klaxon',
    groupLabels: { alertname: 'HighLatency' },
    commonLabels: { alertname: 'HighLatency', severity: 'critical', job: 'api' },
    commonAnnotations: { summary: 'p99 latency above 2s' },
    externalURL: 'http://alertmanager.local:9093',
    alerts: alerts.map((a) => ({
      status: a.status ?? status,
      labels: { alertname: a.name, instance: a.instance, severity: 'critical', job: 'api' },
      annotations: { summary: `${a.name} on ${a.instance}`, runbook_url: 'https://runbooks.local/latency' },
      startsAt: '2026-03-02T08:59:00Z',
      endsAt: status === 'resolved' ? '2026-03-02T09:10:00Z' : '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.local/graph?g0.expr=latency',
      fingerprint: a.fp,
    })),
  };
}

describe.each(DIALECTS)('Alertmanager, Grafana and Opsgenie formats open and resolve incidents (%s)', (dialect) => {
  let t: TestKlaxon;
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
    const alice = await addResponder(t, { name: 'Alice', email: 'alice@example.com', rules: [{ type: 'email', delayMinutes: 0 }] });
    const policy = await t.api('POST', '/api/v1/escalation-policies', { name: 'API', levels: [{ delayMinutes: 10, targets: [{ type: 'user', id: alice.id }] }] });
    const svc = await t.api('POST', '/api/v1/services', { name: 'api', escalationPolicyId: policy.body.escalationPolicy.id });
    for (const [kind, extra] of [
      ['alertmanager', {}],
      ['grafana', { signingSecret: 'grafana-secret' }],
      ['opsgenie', {}],
    ] as const) {
      const r = await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: kind, kind, ...extra });
      expect(r.status).toBe(201);
      keys[kind] = r.body.integration.key;
    }
  });
  afterAll(() => t?.stop());

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

  it('Alertmanager: one incident per firing alert, resends are idempotent, resolved closes it', async () => {
    const firing = amPayload('firing', [
      { name: 'HighLatency', instance: 'api-1', fp: 'aaaa1111' },
      { name: 'HighLatency', instance: 'api-2', fp: 'bbbb2222' },
    ]);
    for (let i = 0; i < 3; i++) expect((await post(`/integrations/v1/alertmanager/${keys.alertmanager}`, firing)).status).toBe(202); // group_interval resends
    await t.cycle();
    let open = (await t.api('GET', '/api/v1/incidents?status=triggered')).body.incidents;
    expect(open).toHaveLength(2);
    expect(open.map((i: { title: string }) => i.title).sort()).toEqual(['HighLatency on api-1', 'HighLatency on api-2']);
    // One page per incident, not per resend: the two, due together, go out as one message naming both (docs/paging.md).
    const mails = t.smtp.messages.filter((m) => /HighLatency/.test(m.text));
    expect(mails).toHaveLength(1);
    const mail = must(mails[0], 'the HighLatency mail');
    expect(mail.subject).toMatch(/2 new incidents/);
    expect(mail.text).toContain('HighLatency on api-1');
    expect(mail.text).toContain('HighLatency on api-2');

    const resolved = amPayload('resolved', [{ name: 'HighLatency', instance: 'api-1', fp: 'aaaa1111' }]);
    expect((await post(`/integrations/v1/alertmanager/${keys.alertmanager}`, resolved)).status).toBe(202);
    open = (await t.api('GET', '/api/v1/incidents?status=triggered')).body.incidents;
    expect(open.map((i: { title: string }) => i.title)).toEqual(['HighLatency on api-2']);
    const closed = (await t.api('GET', '/api/v1/incidents?status=resolved')).body.incidents;
    expect(closed.map((i: { title: string }) => i.title)).toContain('HighLatency on api-1');
  });

  it('Alertmanager: a malformed payload is a 400 that names the problem', async () => {
    const r = await post(`/integrations/v1/alertmanager/${keys.alertmanager}`, { version: '4', alerts: [{ labels: 'nope' }] });
    expect(r.status).toBe(400);
    const body = await r.json();
    expect(body.error.code).toBe('invalid');
    expect(body.error.message).toMatch(/alerts\[0\]|alerts\.0/);
    expect((await post(`/integrations/v1/alertmanager/${keys.alertmanager}`, '{not json')).status).toBe(400);
    expect((await post(`/integrations/v1/alertmanager/not-a-real-key-0000000`, amPayload('firing', []))).status).toBe(404);
  });

  it('Grafana: signed webhooks are accepted, unsigned or forged ones refused', async () => {
    const body = JSON.stringify({
      ...amPayload('firing', [{ name: 'DiskFull', instance: 'db-1', fp: 'cccc3333' }]),
      orgId: 1,
      title: '[FIRING:1] DiskFull',
      state: 'alerting',
      message: 'Disk almost full',
    });
    const ts = String(Math.floor(t.clock.now() / 1000));
    const sig = createHmac('sha256', 'grafana-secret').update(`${ts}:${body}`).digest('hex');
    expect((await post(`/integrations/v1/grafana/${keys.grafana}`, body)).status).toBe(403);
    expect((await post(`/integrations/v1/grafana/${keys.grafana}`, body, { 'X-Grafana-Alerting-Signature': 'f'.repeat(64), 'X-Grafana-Alerting-Signature-Timestamp': ts })).status).toBe(403);
    const ok = await post(`/integrations/v1/grafana/${keys.grafana}`, body, { 'X-Grafana-Alerting-Signature': sig, 'X-Grafana-Alerting-Signature-Timestamp': ts });
    expect(ok.status).toBe(202);
    const open = (await t.api('GET', '/api/v1/incidents?status=triggered')).body.incidents;
    expect(open.map((i: { title: string }) => i.title)).toContain('DiskFull on db-1');
  });

  it('Opsgenie: create, acknowledge and close by alias with GenieKey auth, in Opsgenie’s response shape', async () => {
    const auth = { authorization: `GenieKey ${keys.opsgenie}` };
    const created = await post('/v2/alerts', { message: 'Queue backlog growing', alias: 'queue-backlog', priority: 'P1', tags: ['queue'], details: { depth: '12000' } }, auth);
    expect(created.status).toBe(202);
    const cb = await created.json();
    expect(cb).toMatchObject({ result: 'Request will be processed' });
    expect(typeof cb.requestId).toBe('string');
    expect(typeof cb.took).toBe('number');
    let inc = (await t.api('GET', '/api/v1/incidents?status=triggered')).body.incidents.find((i: { title: string }) => i.title === 'Queue backlog growing');
    expect(inc.severity).toBe('critical');

    expect((await post('/v2/alerts/queue-backlog/acknowledge?identifierType=alias', { user: 'ops', note: 'looking' }, auth)).status).toBe(202);
    inc = (await t.api('GET', `/api/v1/incidents/${inc.number}`)).body.incident;
    expect(inc.status).toBe('acknowledged');

    expect((await post('/v2/alerts/queue-backlog/close?identifierType=alias', {}, auth)).status).toBe(202);
    inc = (await t.api('GET', `/api/v1/incidents/${inc.number}`)).body.incident;
    expect(inc.status).toBe('resolved');

    const bad = await post('/v2/alerts', { message: 'x' }, { authorization: 'GenieKey wrong-key-000000000000' });
    expect(bad.status).toBe(401);
    const invalid = await post('/v2/alerts', { alias: 'no-message' }, auth);
    expect(invalid.status).toBe(422);
    expect((await invalid.json()).message).toMatch(/message/);
  });

  it('Opsgenie: close by id', async () => {
    const auth = { authorization: `GenieKey ${keys.opsgenie}` };
    await post('/v2/alerts', { message: 'Cache hit ratio low', alias: 'cache-ratio' }, auth);
    const inc = (await t.api('GET', '/api/v1/incidents?status=triggered')).body.incidents.find((i: { title: string }) => i.title === 'Cache hit ratio low');
    const alerts = (await t.api('GET', `/api/v1/incidents/${inc.number}/alerts`)).body.alerts;
    expect((await post(`/v2/alerts/${alerts[0].id}/close?identifierType=id`, {}, auth)).status).toBe(202);
    expect((await t.api('GET', `/api/v1/incidents/${inc.number}`)).body.incident.status).toBe('resolved');
  });
});
