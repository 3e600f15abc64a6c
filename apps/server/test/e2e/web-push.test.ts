import webpush from 'web-push';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vapidKeys } from '../../src/app/klaxon.js';
import { must } from '../../src/lib/must.js';
import { FakePushService, type SubscriptionJson } from '../fakes/push.js';
import { DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';

const MIN = 60_000;

describe.each(DIALECTS)('Web Push: verify a device, page it, acknowledge from the lock screen (%s)', (dialect) => {
  let t: TestKlaxon;
  const push = new FakePushService();
  let pushUrl: string;
  let vapidKey: string;
  let dana: { id: string; token: string };
  let sub: SubscriptionJson;
  let cmId: string;
  let routingKey: string;

  const pushPageOf = async (number: number) => {
    const inc = (await t.api('GET', `/api/v1/incidents/${number}`)).body.incident;
    return t.k.ctx.db.kysely.selectFrom('outbox').selectAll().where('channel', '=', 'push').where('kind', '=', 'page').where('incident_id', '=', inc.id).executeTakeFirstOrThrow();
  };
  const trigger = async (dedupKey: string, summary: string) => {
    const res = await fetch(`${t.url}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        routing_key: routingKey,
        event_action: 'trigger',
        dedup_key: dedupKey,
        payload: { summary, source: 'db-2.prod', severity: 'critical', custom_details: { replica_lag_s: 312 } },
      }),
    });
    expect(res.status).toBe(202);
  };

  beforeAll(async () => {
    [t, { url: pushUrl }] = await Promise.all([startTestKlaxon(dialect), push.start()]);
    const u = await t.api('POST', '/api/v1/users', { email: 'dana@example.com', name: 'Dana', role: 'responder', timeZone: 'Europe/Paris' });
    const tok = await t.api('POST', `/api/v1/users/${u.body.user.id}/tokens`, { name: 'phone' });
    dana = { id: u.body.user.id, token: tok.body.token };
    const policy = await t.api('POST', '/api/v1/escalation-policies', { name: 'Data', levels: [{ delayMinutes: 5, targets: [{ type: 'user', id: dana.id }] }] });
    const svc = await t.api('POST', '/api/v1/services', { name: 'orders-db', escalationPolicyId: policy.body.escalationPolicy.id });
    const integ = await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'pd', kind: 'pagerduty' });
    routingKey = integ.body.integration.key;
  });
  afterAll(async () => {
    await t?.stop();
    await push.close();
  });

  it('serves the VAPID public key, generated once and kept in the database so every instance signs with it', async () => {
    const r = await fetch(`${t.url}/api/v1/push/vapid-public-key`);
    expect(r.status).toBe(200);
    vapidKey = ((await r.json()) as { publicKey: string }).publicKey;
    expect(Buffer.from(vapidKey, 'base64url')).toHaveLength(65);
    const stored = await t.k.ctx.db.kysely.selectFrom('settings').select('value').where('key', '=', 'vapid_keys').executeTakeFirstOrThrow();
    expect(JSON.parse(stored.value).publicKey).toBe(vapidKey);
    // What a second instance starting on the same database gets:
    expect((await vapidKeys(t.k.ctx.db, t.k.config)).publicKey).toBe(vapidKey);
  });

  it('a push contact method gets its verification code at the push service, encrypted and VAPID-signed', async () => {
    sub = push.newSubscription({ applicationServerKey: vapidKey });
    const cm = await t.api('POST', `/api/v1/users/${dana.id}/contact-methods`, { name: 'Pixel', type: 'push', address: JSON.stringify(sub) }, dana.token);
    expect(cm.status).toBe(201);
    cmId = cm.body.contactMethod.id;
    await t.cycle();
    const d = await push.waitFor((x) => x.endpoint === sub.endpoint && x.json?.kind === 'verification');
    expect(d.vapid.publicKey).toBe(vapidKey);
    expect(d.vapid.claims.aud).toBe(pushUrl);
    expect(d.vapid.claims.sub).toBe('mailto:klaxon@localhost');
    expect(d.vapid.claims.exp * 1000).toBeGreaterThan(Date.now());
    expect(d.urgency).toBe('high');
    expect(d.ttl).toBe(900);
    expect(d.body.includes(Buffer.from(d.json.code))).toBe(false);
    expect(d.json).toMatchObject({ kind: 'verification', title: 'Klaxon verification code', code: expect.stringMatching(/^\d{6}$/), tag: 'klaxon-verification', requireInteraction: true });
    expect(d.json.body).toContain(d.json.code);

    const v = await t.api('POST', `/api/v1/contact-methods/${cmId}/verify`, { code: d.json.code }, dana.token);
    expect(v.status).toBe(200);
    expect(v.body.contactMethod).toMatchObject({ verified: true, disabled: false, type: 'push' });
    const rule = await t.api('POST', `/api/v1/users/${dana.id}/notification-rules`, { contactMethodId: cmId, delayMinutes: 0 }, dana.token);
    expect(rule.status).toBe(201);
  });

  it('an incident page arrives as push with Acknowledge/Open actions and a signed ackUrl; POSTing the ackUrl acknowledges', async () => {
    await trigger('replica-lag', 'Replica lag over 5 minutes');
    await t.cycle();
    const d = await push.waitFor((x) => x.endpoint === sub.endpoint && x.json?.kind === 'page');
    const inc = (await t.api('GET', '/api/v1/incidents/1')).body.incident;
    expect(d.json).toMatchObject({
      kind: 'page',
      title: '#1 CRITICAL orders-db: Replica lag over 5 minutes',
      incidentId: inc.id,
      incidentNumber: 1,
      actions: [
        { action: 'ack', title: 'Acknowledge' },
        { action: 'open', title: 'Open' },
      ],
      ackUrl: expect.stringMatching(new RegExp(`^${t.url}/actions/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$`)),
      url: expect.stringContaining('/incidents/'),
      requireInteraction: true,
      renotify: true,
      tag: `incident-${inc.id}`,
      severity: 'critical',
      status: 'triggered',
    });
    expect(d.json.body).toContain('orders-db');
    expect(d.urgency).toBe('high');
    expect(d.topic).toBe(inc.id.replace(/-/g, ''));

    // The service worker's Acknowledge action: a POST to the signed link, no session or token.
    const ack = await fetch(d.json.ackUrl, { method: 'POST' });
    expect(ack.status).toBe(200);
    const after = (await t.api('GET', '/api/v1/incidents/1')).body.incident;
    expect(after.status).toBe('acknowledged');
    expect(after.acknowledgedBy).toBe(dana.id);
    // The timeline says it was acknowledged from the push notification.
    const timeline = (await t.api('GET', '/api/v1/incidents/1/timeline')).body.timeline;
    expect(timeline.find((e: { type: string }) => e.type === 'incident.acknowledged')).toMatchObject({ channel: 'push' });
  });

  it('a 429 or 5xx from the push service is retried; the page arrives later', async () => {
    push.failNext(503);
    await trigger('disk-full', 'Disk full on db-2');
    await t.cycle();
    await push.rejections.waitFor((r) => r.status === 503);
    expect(await pushPageOf(2)).toMatchObject({ status: 'queued', provider_status: 'http_503' });
    await t.advance(1 * MIN);
    const d = await push.waitFor((x) => x.json?.kind === 'page' && x.json.incidentNumber === 2);
    expect(d.json.title).toContain('Disk full on db-2');
    expect(await pushPageOf(2)).toMatchObject({ status: 'sent', attempts: 2 });
    await t.api('POST', '/api/v1/incidents/2/resolve');
  });

  it('a 410 from the push service (subscription gone) fails the page for good and disables the contact method', async () => {
    push.failNext(410);
    await trigger('conn-storm', 'Connection storm');
    await t.cycle();
    await push.rejections.waitFor((r) => r.status === 410);
    expect(await pushPageOf(3)).toMatchObject({ status: 'failed', provider_status: 'gone' });
    const cms = await t.api('GET', `/api/v1/users/${dana.id}/contact-methods`, undefined, dana.token);
    expect(cms.body.contactMethods.find((c: { id: string }) => c.id === cmId)).toMatchObject({ disabled: true });
    const timeline = await t.api('GET', '/api/v1/incidents/3/timeline');
    expect(timeline.body.timeline.some((e: { type: string; message: string }) => e.type === 'notification.failed' && /giving up/.test(e.message))).toBe(true);

    // A disabled device is not paged again.
    const before = push.deliveries.items.length + push.rejections.items.length;
    await t.api('POST', '/api/v1/incidents/3/resolve');
    await trigger('conn-storm-2', 'Another connection storm');
    await t.advance(1 * MIN);
    expect(push.deliveries.items.length + push.rejections.items.length).toBe(before);
  });

  it('the fake push service itself rejects a forged or foreign VAPID signature', async () => {
    const s = push.newSubscription({ applicationServerKey: vapidKey });
    const send = async (vapidDetails: { subject: string; publicKey: string; privateKey: string }, tamper = false) => {
      const d = webpush.generateRequestDetails(s, '{"x":1}', { vapidDetails, TTL: 60 });
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(d.headers)) if (k !== 'Content-Length') headers[k] = String(v);
      if (tamper)
        headers.Authorization = must(headers.Authorization, 'headers.Authorization').replace(
          /t=([^.]+)\.([^.]+)\./,
          (_m, h: string, p: string) => `t=${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), sub: 'mailto:evil@example.com' })).toString('base64url')}.`,
        );
      return (await fetch(d.endpoint, { method: 'POST', headers, body: new Uint8Array(d.body) })).status;
    };
    const other = webpush.generateVAPIDKeys();
    expect(await send({ subject: 'mailto:x@example.com', ...other })).toBe(403);
    expect(await send({ subject: 'mailto:x@example.com', ...other }, true)).toBe(401);
    const ok = push.newSubscription();
    const d = webpush.generateRequestDetails(ok, 'hello', { vapidDetails: { subject: 'mailto:x@example.com', ...other }, TTL: 60 });
    const res = await fetch(d.endpoint, {
      method: 'POST',
      headers: Object.fromEntries(
        Object.entries(d.headers)
          .filter(([k]) => k !== 'Content-Length')
          .map(([k, v]) => [k, String(v)]),
      ),
      body: new Uint8Array(d.body),
    });
    expect(res.status).toBe(201);
    expect((await push.waitFor((x) => x.endpoint === ok.endpoint)).text).toBe('hello');
  });
});
