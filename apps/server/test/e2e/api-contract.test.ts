import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';
import { must } from '../../src/lib/must.js';

const MIN = 60_000;

describe.each(DIALECTS)('the HTTP API contract (%s)', (dialect) => {
  let t: TestKlaxon;
  const tokens: Record<string, string> = {};
  let serviceId: string;

  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
    for (const role of ['responder', 'stakeholder', 'viewer']) {
      const u = await t.api('POST', '/api/v1/users', { email: `${role}@example.com`, name: role, role });
      tokens[role] = (await t.api('POST', `/api/v1/users/${u.body.user.id}/tokens`, { name: 't' })).body.token;
    }
    serviceId = (await t.api('POST', '/api/v1/services', { name: 'billing' })).body.service.id;
  });
  afterAll(() => t?.stop());

  it('publishes an OpenAPI 3.1 document of the API', async () => {
    const doc = (await t.api('GET', '/api/v1/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/incidents', '/api/v1/incidents/{id}/acknowledge', '/api/v1/escalation-policies', '/api/v1/users/{id}/contact-methods']));
    expect(doc.paths['/api/v1/users'].post.requestBody.content['application/json'].schema.properties.email).toBeDefined();
  });

  it('answers /healthz, /readyz and /metrics', async () => {
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(200);
    expect((await ready.json()).database).toBe(dialect);
    // Counters are per process (tests share one), so compare before and after.
    const rejected = async () => {
      const text = await (await fetch(`${t.url}/metrics`)).text();
      expect(text).toContain('klaxon_process_');
      return Number(/klaxon_events_rejected_total\{kind="generic",reason="unknown_key"\} (\d+)/.exec(text)?.[1] ?? 0);
    };
    const before = await rejected();
    await fetch(`${t.url}/integrations/v1/generic/nope-nope-nope-nope`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(await rejected()).toBe(before + 1);
  });

  it('rejects bad input with a 4xx naming the problem, in one error shape', async () => {
    const missing = await t.api('POST', '/api/v1/users', { name: 'No Email' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('invalid');
    expect(missing.body.error.message).toMatch(/email/);
    const extra = await t.api('POST', '/api/v1/services', { name: 'x', colour: 'red' });
    expect(extra.status).toBe(400);
    expect(extra.body.error.message).toMatch(/colour/);
    const zone = await t.api('POST', '/api/v1/users', { email: 'z@example.com', name: 'Z', timeZone: 'Mars/Olympus' });
    expect(zone.status).toBe(400);
    expect(zone.body.error.details[0]).toEqual({ path: 'timeZone', message: 'unknown IANA time zone "Mars/Olympus"' });
    const phone = await t.api('POST', '/api/v1/users/admin@test.local/contact-methods', { name: 'p', type: 'sms', address: '12345' });
    expect([400, 404]).toContain(phone.status);
    const dup = await t.api('POST', '/api/v1/services', { name: 'billing' });
    expect(dup.status).toBe(409);
    const policy = await t.api('POST', '/api/v1/escalation-policies', { name: 'p', levels: [{ delayMinutes: 5, targets: [{ type: 'user', id: 'nobody' }] }] });
    expect(policy.status).toBe(400);
    expect(policy.body.error.details[0].path).toBe('levels.0.targets.0');
    const badJson = await fetch(`${t.url}/api/v1/services`, { method: 'POST', headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json' }, body: '{"name":' });
    expect(badJson.status).toBe(400);
    expect((await badJson.json()).error.code).toBe('invalid');
    expect((await t.api('GET', '/api/v1/incidents/999999')).status).toBe(404);
    expect((await t.api('GET', '/api/v1/nothing-here')).body.error.code).toBe('not_found');
    expect((await fetch(`${t.url}/api/v1/incidents`)).status).toBe(401);
    expect((await t.api('GET', '/api/v1/incidents', undefined, 'klx_forged')).status).toBe(401);
  });

  it('checks roles: viewers and stakeholders read, responders act, admins configure', async () => {
    const inc = await t.api('POST', '/api/v1/incidents', { service: 'billing', title: 'Invoices not sending' }, tokens.responder);
    expect(inc.status).toBe(201);
    const n = inc.body.incident.number;
    expect((await t.api('GET', `/api/v1/incidents/${n}`, undefined, tokens.viewer)).status).toBe(200);
    expect((await t.api('POST', `/api/v1/incidents/${n}/acknowledge`, undefined, tokens.viewer)).status).toBe(403);
    expect((await t.api('POST', `/api/v1/incidents/${n}/resolve`, undefined, tokens.stakeholder)).status).toBe(403);
    expect((await t.api('POST', '/api/v1/incidents', { service: 'billing', title: 'x' }, tokens.stakeholder)).status).toBe(403);
    expect((await t.api('POST', '/api/v1/services', { name: 'nope' }, tokens.responder)).status).toBe(403);
    expect((await t.api('POST', `/api/v1/incidents/${n}/acknowledge`, undefined, tokens.responder)).status).toBe(200);
    const again = await t.api('POST', `/api/v1/incidents/${n}/acknowledge`, undefined, tokens.responder);
    expect(again.body.changed).toBe(false);
    const timeline = (await t.api('GET', `/api/v1/incidents/${n}/timeline`)).body.timeline;
    expect(timeline[0]).toMatchObject({ type: 'incident.opened', actor: { name: 'responder' }, channel: 'api' });
  });

  it('rate-limits an integration like the vendor would: 429 in PagerDuty’s shape', async () => {
    const key = (await t.api('POST', `/api/v1/services/${serviceId}/integrations`, { name: 'limited', kind: 'pagerduty', rateLimitPerMinute: 3 })).body.integration.key;
    const send = () =>
      fetch(`${t.url}/v2/enqueue`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ routing_key: key, event_action: 'trigger', dedup_key: 'same', payload: { summary: 's', source: 's', severity: 'info' } }),
      });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await send()).status);
    expect(statuses).toEqual([202, 202, 202, 429, 429]);
    const body = await (await send()).json();
    expect(body.status).toBe('throttle event');
    t.clock.advance(MIN); // the bucket refills
    expect((await send()).status).toBe(202);
  });

  it('groups alerts into an open incident by time window or by field', async () => {
    const byWindow = (await t.api('POST', '/api/v1/services', { name: 'grouped-window', grouping: { mode: 'window', minutes: 10 } })).body.service;
    const byField = (await t.api('POST', '/api/v1/services', { name: 'grouped-field', grouping: { mode: 'field', field: 'cluster' } })).body.service;
    const kw = (await t.api('POST', `/api/v1/services/${byWindow.id}/integrations`, { name: 'g', kind: 'generic' })).body.integration.key;
    const kf = (await t.api('POST', `/api/v1/services/${byField.id}/integrations`, { name: 'g', kind: 'generic' })).body.integration.key;
    const send = (key: string, body: unknown) => fetch(`${t.url}/integrations/v1/generic/${key}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    type Listed = { id: string; title: string; alertCount: number };
    const inService = async (id: string): Promise<Listed[]> => (await t.api('GET', `/api/v1/incidents?service=${id}&limit=50`)).body.incidents;

    await send(kw, { summary: 'disk a', dedup_key: 'a' });
    t.clock.advance(5 * MIN);
    await send(kw, { summary: 'disk b', dedup_key: 'b' });
    expect(await inService(byWindow.id)).toHaveLength(1);
    expect((await inService(byWindow.id))[0]?.alertCount).toBe(2);
    t.clock.advance(11 * MIN);
    await send(kw, { summary: 'disk c', dedup_key: 'c' });
    expect(await inService(byWindow.id)).toHaveLength(2);

    await send(kf, { summary: 'node 1 down', dedup_key: 'n1', fields: { cluster: 'eu' } });
    await send(kf, { summary: 'node 2 down', dedup_key: 'n2', fields: { cluster: 'eu' } });
    await send(kf, { summary: 'node 9 down', dedup_key: 'n9', fields: { cluster: 'us' } });
    const incidents = await inService(byField.id);
    expect(incidents.map((i) => i.alertCount).sort()).toEqual([1, 2]);

    // An acknowledged incident still takes its group's alerts (both ways of grouping); a resolved one does not.
    const eu = must(
      incidents.find((i) => i.alertCount === 2),
      'the eu incident',
    );
    expect((await t.api('POST', `/api/v1/incidents/${eu.id}/acknowledge`, {})).status).toBe(200);
    await send(kf, { summary: 'node 3 down', dedup_key: 'n3', fields: { cluster: 'eu' } });
    expect((await inService(byField.id)).find((i) => i.id === eu.id)?.alertCount).toBe(3);
    expect((await t.api('POST', `/api/v1/incidents/${eu.id}/resolve`, {})).status).toBe(200);
    await send(kf, { summary: 'node 4 down', dedup_key: 'n4', fields: { cluster: 'eu' } });
    const after = await inService(byField.id);
    expect(after).toHaveLength(3);
    expect(after.find((i) => i.id !== eu.id && i.alertCount === 1 && i.title === 'node 4 down')).toBeDefined();
    const latest = must((await inService(byWindow.id))[0], 'the latest incident of the window');
    expect((await t.api('POST', `/api/v1/incidents/${latest.id}/acknowledge`, {})).status).toBe(200);
    await send(kw, { summary: 'disk d', dedup_key: 'd' });
    expect((await inService(byWindow.id)).find((i) => i.id === latest.id)?.alertCount).toBe(2);
    expect((await t.api('POST', `/api/v1/incidents/${latest.id}/resolve`, {})).status).toBe(200);
    await send(kw, { summary: 'disk e', dedup_key: 'e' });
    expect(await inService(byWindow.id)).toHaveLength(3);
  });

  it('refuses to delete a user or team that a policy still pages', async () => {
    const u = (await t.api('POST', '/api/v1/users', { email: 'leaver@example.com', name: 'Leaver' })).body.user;
    const team = (await t.api('POST', '/api/v1/teams', { name: 'Leavers', members: [{ userId: u.id }] })).body.team;
    const p = (
      await t.api('POST', '/api/v1/escalation-policies', {
        name: 'Uses leaver',
        levels: [
          {
            delayMinutes: 5,
            targets: [
              { type: 'user', id: u.id },
              { type: 'team', id: team.id },
            ],
          },
        ],
      })
    ).body.escalationPolicy;
    const del = await t.api('DELETE', `/api/v1/users/${u.id}`);
    expect(del.status).toBe(409);
    expect(del.body.error.message).toContain('"Uses leaver"');
    expect((await t.api('DELETE', `/api/v1/teams/${team.id}`)).status).toBe(409);
    await t.api('DELETE', `/api/v1/escalation-policies/${p.id}`);
    expect((await t.api('DELETE', `/api/v1/users/${u.id}`)).status).toBe(204);
    expect((await t.api('DELETE', `/api/v1/teams/${team.id}`)).status).toBe(204);
  });

  it('keeps the raw payload beside the normalized alert, without the routing key', async () => {
    const key = (await t.api('POST', `/api/v1/services/${serviceId}/integrations`, { name: 'raw', kind: 'pagerduty' })).body.integration.key;
    await fetch(`${t.url}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        routing_key: key,
        event_action: 'trigger',
        dedup_key: 'raw-1',
        client: 'Nagios',
        payload: { summary: 'raw', source: 'h', severity: 'warning', custom_details: { x: 1 } },
      }),
    });
    const row = await t.k.ctx.db.kysely.selectFrom('alert_events').select('payload').where('dedup_key', '=', 'raw-1').executeTakeFirstOrThrow();
    const raw = JSON.parse(row.payload);
    expect(raw.client).toBe('Nagios');
    expect(raw.payload.custom_details).toEqual({ x: 1 });
    expect(raw.routing_key).not.toBe(key);
  });
});
