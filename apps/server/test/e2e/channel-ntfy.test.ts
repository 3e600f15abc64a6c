import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeNtfy, type NtfyMessageRecord } from '../fakes/ntfy/server.js';
import { capture, DIALECTS, mustFind, startTestKlaxon, type TestKlaxon } from '../harness.js';
import { must } from '../../src/lib/must.js';

const MIN = 60_000;

describe.each(DIALECTS)('ntfy: verify a topic, page it, acknowledge from the notification (%s)', (dialect) => {
  let t: TestKlaxon;
  const ntfy = new FakeNtfy();
  let maya: { id: string; token: string };
  let cmId: string;
  let routingKey: string;
  const TOKEN = 'tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2';

  const trigger = async (dedupKey: string, summary: string, severity = 'critical') => {
    const res = await fetch(`${t.url}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ routing_key: routingKey, event_action: 'trigger', dedup_key: dedupKey, payload: { summary, source: 'db-2.prod', severity } }),
    });
    expect(res.status).toBe(202);
  };
  const incident = async (n: number) => (await t.api('GET', `/api/v1/incidents/${n}`)).body.incident;
  const timeline = async (n: number) => (await t.api('GET', `/api/v1/incidents/${n}/timeline`)).body.timeline as { type: string; message: string; channel: string }[];
  const pageOf = (n: number) => ntfy.messages.waitFor((m) => m.title?.startsWith(`#${n} `) === true);

  beforeAll(async () => {
    [t] = await Promise.all([startTestKlaxon(dialect), ntfy.start()]);
    ntfy.protect('maya-pages', TOKEN);
    const u = await t.api('POST', '/api/v1/users', { email: 'maya@example.com', name: 'Maya Okafor', role: 'responder', timeZone: 'Europe/Berlin' });
    const tok = await t.api('POST', `/api/v1/users/${u.body.user.id}/tokens`, { name: 'phone' });
    maya = { id: u.body.user.id, token: tok.body.token };
    const policy = await t.api('POST', '/api/v1/escalation-policies', { name: 'Data', levels: [{ delayMinutes: 5, targets: [{ type: 'user', id: maya.id }] }] });
    const svc = await t.api('POST', '/api/v1/services', { name: 'orders-db', escalationPolicyId: policy.body.escalationPolicy.id });
    const integ = await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'pd', kind: 'pagerduty' });
    routingKey = integ.body.integration.key;
  });
  afterAll(async () => {
    await t?.stop();
    await ntfy.close();
  });

  it('refuses an address that is not a topic URL or {server, topic, token}, saying what is wrong', async () => {
    const bad = await t.api('POST', `/api/v1/users/${maya.id}/contact-methods`, { name: 'x', type: 'ntfy', address: `${ntfy.url}/not a topic` }, maya.token);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/address: .*topic/);
    const extra = await t.api('POST', `/api/v1/users/${maya.id}/contact-methods`, { name: 'x', type: 'ntfy', address: JSON.stringify({ topic: 'a', password: 'p' }) }, maya.token);
    expect(extra.status).toBe(400);
    expect(extra.body.error.message).toContain('unknown field "password"');
  });

  it('a server the egress policy refuses is a 400 naming address.server', async () => {
    const bad = await t.api('POST', `/api/v1/users/${maya.id}/contact-methods`, { name: 'x', type: 'ntfy', address: JSON.stringify({ server: 'http://169.254.169.254', topic: 'a' }) }, maya.token);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('address.server');
  });

  it('a protected topic gets its verification code with the access token', async () => {
    const cm = await t.api(
      'POST',
      `/api/v1/users/${maya.id}/contact-methods`,
      { name: 'Pixel ntfy', type: 'ntfy', address: JSON.stringify({ server: ntfy.url, topic: 'maya-pages', token: TOKEN }) },
      maya.token,
    );
    expect(cm.status).toBe(201);
    cmId = cm.body.contactMethod.id;
    expect(JSON.parse(cm.body.contactMethod.address)).toEqual({ server: ntfy.url, topic: 'maya-pages', token: TOKEN });
    await t.cycle();
    const m = await ntfy.messages.waitFor((x) => x.title === 'Klaxon verification code');
    expect(m.authorization).toBe(`Bearer ${TOKEN}`);
    const code = capture(/\b(\d{6})\b/, m.message);
    const v = await t.api('POST', `/api/v1/contact-methods/${cmId}/verify`, { code }, maya.token);
    expect(v.status).toBe(200);
    expect((await t.api('POST', `/api/v1/users/${maya.id}/notification-rules`, { contactMethodId: cmId, delayMinutes: 0 }, maya.token)).status).toBe(201);
  });

  it('the test page button publishes a test message to the topic', async () => {
    const r = await t.api('POST', `/api/v1/contact-methods/${cmId}/test`, undefined, maya.token);
    expect(r.status).toBe(202);
    await t.cycle();
    const m = await ntfy.messages.waitFor((x) => x.title === 'Klaxon test page');
    expect(m.message).toContain('ntfy notifications reach you');
  });

  let page: NtfyMessageRecord;
  it('a high-urgency page: priority 5, title, service and severity, a click to the incident, Acknowledge / Resolve http actions', async () => {
    await trigger('replica-lag', 'Replica lag over 5 minutes');
    await t.cycle();
    page = await pageOf(1);
    const inc = await incident(1);
    expect(page).toMatchObject({ topic: 'maya-pages', priority: 5, title: '#1 Replica lag over 5 minutes', click: `${t.url}/incidents/1`, authorization: `Bearer ${TOKEN}` });
    expect(page.message).toContain('orders-db · CRITICAL');
    expect(page.actions).toEqual([
      { action: 'http', label: 'Acknowledge', url: expect.stringMatching(new RegExp(`^${t.url}/actions/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$`)), method: 'POST', clear: true },
      { action: 'http', label: 'Resolve', url: expect.stringMatching(new RegExp(`^${t.url}/actions/`)), method: 'POST', clear: true },
      { action: 'view', label: 'Open', url: `${t.url}/incidents/1`, clear: false },
    ]);
    expect(inc.status).toBe('triggered');
    const tl = await timeline(1);
    expect(tl.find((e) => e.type === 'notification.sent')?.message).toContain(`by ntfy (topic maya-pages on ${new URL(ntfy.url).host})`);
    // The access token never reaches the timeline.
    expect(JSON.stringify(tl)).not.toContain(TOKEN);
  });

  it('tapping Acknowledge in the notification acknowledges the incident as Maya, via ntfy', async () => {
    const r = await ntfy.press(page, 'Acknowledge');
    expect(r.status).toBe(200);
    const inc = await incident(1);
    expect(inc).toMatchObject({ status: 'acknowledged', acknowledgedBy: maya.id });
    expect((await timeline(1)).find((e) => e.type === 'incident.acknowledged')).toMatchObject({ channel: 'ntfy' });
    // Resolve from the same notification.
    expect((await ntfy.press(page, 'Resolve')).status).toBe(200);
    expect((await incident(1)).status).toBe('resolved');
  });

  it('a forged action link is refused and changes nothing', async () => {
    await trigger('forged', 'Forged link target');
    await t.cycle();
    const p = await pageOf(2);
    const ack = mustFind(must(p.actions, 'actions of the ntfy page'), 'the Acknowledge action', (a) => a.label === 'Acknowledge');
    const [payload, sig] = must(must(ack.url, 'the URL of the Acknowledge action').split('/actions/')[1], 'the signed part of the action URL').split('.');
    // Same claims, someone else's signature; and claims changed under the real signature.
    const realSig = must(sig, 'the signature in the action URL');
    // The first character changed (a whole 6 bits): the last ones may carry padding bits that decode the same.
    const forged = [
      `${payload}.${realSig.startsWith('A') ? 'B' : 'A'}${realSig.slice(1)}`,
      `${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(must(payload, 'the claims in the action URL'), 'base64url').toString()), a: 'resolve' })).toString('base64url')}.${sig}`,
    ];
    for (const token of forged) {
      const r = await fetch(`${t.url}/actions/${token}`, { method: 'POST' });
      expect(r.status).toBe(403);
    }
    expect((await incident(2)).status).toBe('triggered');
    expect((await timeline(2)).some((e) => e.type === 'incident.acknowledged' || e.type === 'incident.resolved')).toBe(false);
    await t.api('POST', '/api/v1/incidents/2/resolve');
  });

  it("a low-urgency page (a warning, by the service's default urgency rule) is published at priority 3", async () => {
    await trigger('slow-queries', 'Slow queries', 'warning');
    await t.cycle();
    expect((await incident(3)).urgency).toBe('low');
    const p = await pageOf(3);
    expect(p.priority).toBe(3);
    await t.api('POST', '/api/v1/incidents/3/resolve');
  });

  it('a refused publish (wrong token: 403) fails the page for good, with the reason on the timeline', async () => {
    ntfy.protect('maya-pages', 'tk_rotated_on_the_server');
    await trigger('disk-full', 'Disk full on db-2');
    await t.cycle();
    await ntfy.refused.waitFor((r) => r.status === 403);
    const failed = (await timeline(4)).find((e) => e.type === 'notification.failed');
    expect(failed?.message).toMatch(
      /Paging Maya Okafor by ntfy \(topic maya-pages on [^)]+\) failed \(attempt 1\): ntfy: .* answered HTTP 403 \(forbidden\): the topic is protected; check the contact method's access token; giving up/,
    );
    ntfy.protect('maya-pages', TOKEN);
  });

  it('a 5xx from the server is retried; the page arrives later', async () => {
    ntfy.failNext(503);
    await trigger('conn-storm', 'Connection storm');
    await t.cycle();
    await ntfy.refused.waitFor((r) => r.status === 503);
    expect((await timeline(5)).find((e) => e.type === 'notification.failed')?.message).toContain('will retry');
    await t.advance(1 * MIN);
    const p = await pageOf(5);
    expect(p.title).toBe('#5 Connection storm');
  });
});
