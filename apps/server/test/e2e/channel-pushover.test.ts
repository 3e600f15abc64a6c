import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakePushover, type PushoverMessageRecord } from '../fakes/pushover/server.js';
import { capture, DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';
import { must } from '../../src/lib/must.js';

describe.each(DIALECTS)('Pushover: emergency pages, acknowledged by the callback, cancelled on resolve (%s)', (dialect) => {
  let t: TestKlaxon;
  const pushover = new FakePushover();
  let maya: { id: string; token: string };
  let userKey: string;
  let cmId: string;
  let routingKey: string;

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
  const pageOf = (n: number) => pushover.messages.waitFor((m) => m.title?.startsWith(`#${n} `) === true);
  const callback = (url: string, form: Record<string, string>) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });

  beforeAll(async () => {
    await pushover.start();
    t = await startTestKlaxon(dialect, { pushover: { token: pushover.token, baseUrl: pushover.url } });
    userKey = pushover.newUser();
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
    await pushover.close();
  });

  it('refuses an address that is not a user key', async () => {
    const bad = await t.api('POST', `/api/v1/users/${maya.id}/contact-methods`, { name: 'x', type: 'pushover', address: 'maya@example.com' }, maya.token);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('address: must be a Pushover user key');
  });

  it('a user key gets its verification code at normal priority; the test page button sends a test', async () => {
    const cm = await t.api('POST', `/api/v1/users/${maya.id}/contact-methods`, { name: 'Pushover', type: 'pushover', address: userKey }, maya.token);
    expect(cm.status).toBe(201);
    cmId = cm.body.contactMethod.id;
    await t.cycle();
    const m = await pushover.messages.waitFor((x) => x.title === 'Klaxon verification code');
    expect(m).toMatchObject({ user: userKey, priority: 0 });
    const code = capture(/\b(\d{6})\b/, m.message);
    expect((await t.api('POST', `/api/v1/contact-methods/${cmId}/verify`, { code }, maya.token)).status).toBe(200);
    expect((await t.api('POST', `/api/v1/users/${maya.id}/notification-rules`, { contactMethodId: cmId, delayMinutes: 0 }, maya.token)).status).toBe(201);
    expect((await t.api('POST', `/api/v1/contact-methods/${cmId}/test`, undefined, maya.token)).status).toBe(202);
    await t.cycle();
    expect((await pushover.messages.waitFor((x) => x.title === 'Klaxon test page')).message).toContain('Pushover notifications reach you');
  });

  let page: PushoverMessageRecord;
  it('a high-urgency page is an emergency message (priority 2, retry, expire) with a per-message callback URL', async () => {
    await trigger('replica-lag', 'Replica lag over 5 minutes');
    await t.cycle();
    page = await pageOf(1);
    expect(page).toMatchObject({ user: userKey, priority: 2, retry: 60, expire: 3600, url: `${t.url}/incidents/1`, title: '#1 Replica lag over 5 minutes' });
    expect(page.message).toContain('orders-db · CRITICAL');
    expect(page.receipt).toMatch(/^[A-Za-z0-9]{30}$/);
    expect(page.callback).toMatch(new RegExp(`^${t.url}/integrations/v1/pushover/callback\\?message=[^&]+&token=[A-Za-z0-9_-]{43}$`));
  });

  it('forged callbacks (wrong token, wrong receipt, no receipt) are refused and change nothing', async () => {
    const u = new URL(must(page.callback, 'page.callback'));
    const wrongToken = `${u.origin}${u.pathname}?message=${u.searchParams.get('message')}&token=${'A'.repeat(43)}`;
    const ack = { receipt: must(page.receipt, 'page.receipt'), acknowledged: '1', acknowledged_at: '1760000000', acknowledged_by: userKey, acknowledged_by_device: 'x' };
    expect((await callback(wrongToken, ack)).status).toBe(403);
    expect((await callback(must(page.callback, 'page.callback'), { ...ack, receipt: 'B'.repeat(30) })).status).toBe(403);
    expect((await callback(must(page.callback, 'page.callback'), { acknowledged: '1' })).status).toBe(400);
    expect((await incident(1)).status).toBe('triggered');
    expect((await timeline(1)).some((e) => e.type === 'incident.acknowledged')).toBe(false);
  });

  it('acknowledging in the Pushover app calls back and acknowledges the incident as Maya, via Pushover', async () => {
    expect(await pushover.acknowledge(must(page.receipt, 'page.receipt'))).toBe(204);
    expect(await incident(1)).toMatchObject({ status: 'acknowledged', acknowledgedBy: maya.id });
    expect((await timeline(1)).find((e) => e.type === 'incident.acknowledged')).toMatchObject({ channel: 'pushover' });
  });

  it('resolving an incident cancels the receipt of its emergency page, once', async () => {
    await trigger('disk-full', 'Disk full');
    await t.cycle();
    const p = await pageOf(2);
    expect(pushover.isCancelled(must(p.receipt, 'p.receipt'))).toBe(false);
    expect((await t.api('POST', '/api/v1/incidents/2/resolve')).status).toBe(200);
    await t.cycle();
    await pushover.cancels.waitFor((r) => r === p.receipt);
    expect(pushover.isCancelled(must(p.receipt, 'p.receipt'))).toBe(true);
    await t.cycle();
    expect(pushover.cancels.items.filter((r) => r === p.receipt)).toHaveLength(1);
    // An acknowledged page (incident 1) is not repeating any more: resolving it cancels nothing.
    await t.api('POST', '/api/v1/incidents/1/resolve');
    await t.cycle();
    expect(pushover.cancels.items).not.toContain(page.receipt);
  });

  it('a low-urgency page is priority 0, without retry or callback', async () => {
    await trigger('slow', 'Slow queries', 'warning');
    await t.cycle();
    const p = await pageOf(3);
    expect(p.priority).toBe(0);
    expect(p.callback).toBeUndefined();
    expect(p.receipt).toBeUndefined();
    await t.api('POST', '/api/v1/incidents/3/resolve');
  });

  it('a user key Pushover does not know fails the page for good, with the reason on the timeline', async () => {
    const other = 'u'.padEnd(30, 'Z');
    await t.k.ctx.db.kysely.updateTable('contact_methods').set({ address: other }).where('id', '=', cmId).execute();
    await trigger('conn', 'Connection storm');
    await t.cycle();
    await pushover.refused.waitFor((r) => r.status === 400);
    const failed = (await timeline(4)).find((e) => e.type === 'notification.failed');
    expect(failed?.message).toMatch(
      /Paging Maya Okafor by pushover \(user key uZZZ…\) failed \(attempt 1\): Pushover messages: HTTP 400 \(user identifier is not a valid user, group, or subscribed user key\); giving up/,
    );
  });
});
