/**
 * Issue 13, "Outgoing requests and what a low role can make the server send", against the real
 * server: a loopback recorder stands for an internal service that must receive nothing.
 *
 *   - `strict`: the production default (no KLAXON_EGRESS_ALLOW): internal targets refused when
 *     stored (400 with the reason) and again at send time;
 *   - `open`: the harness's allow-list (127.0.0.1/32), so the recorder can play an outside receiver:
 *     subscription confirmation, action template escaping, redaction, encryption at rest, integration
 *     secrets, alert links and the public title on the status page.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as reconfirm from '../../migrations/0011-subscriptions-reconfirm.js';
import { must } from '../../src/lib/must.js';
import { SecretBox } from '../../src/lib/secret-box.js';
import { verifyWebhookSignature } from '../../src/notify/providers/webhook/index.js';
import { sealLegacySigningSecrets } from '../../src/service/service.js';
import { sealLegacySecrets } from '../../src/warroom/runbooks.js';
import { DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';

interface Hit {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A loopback HTTP server that records every request and answers `reply(hit)`. */
async function recorder(reply: (h: Hit) => string = () => 'ok'): Promise<{ url: string; hits: Hit[]; port: number; close(): Promise<void> }> {
  const hits: Hit[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const h = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      hits.push(h);
      res.writeHead(200, { 'content-type': 'text/plain' }).end(reply(h));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    port,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

async function user(t: TestKlaxon, email: string, role: string): Promise<{ id: string; token: string }> {
  const u = await t.api('POST', '/api/v1/users', { email, name: email.split('@')[0], role, timeZone: 'UTC' });
  expect(u.status, JSON.stringify(u.body)).toBe(201);
  const token = (await t.api('POST', `/api/v1/users/${u.body.user.id}/tokens`, { name: 't' })).body.token as string;
  return { id: u.body.user.id as string, token };
}

describe.each(DIALECTS)('egress refused by default (%s)', (dialect) => {
  let t: TestKlaxon;
  let rec: Awaited<ReturnType<typeof recorder>>;
  beforeAll(async () => {
    rec = await recorder();
    t = await startTestKlaxon(dialect, { egressAllow: undefined });
  });
  afterAll(async () => {
    await t?.stop();
    await rec?.close();
  });

  it('refuses internal targets when they are stored, with a 400 that says why', async () => {
    const viewer = await user(t, 'vic@example.com', 'viewer');
    const cm = (address: string) => t.api('POST', `/api/v1/users/${viewer.id}/contact-methods`, { name: `w${Math.random()}`, type: 'webhook', address }, viewer.token);
    const loop = await cm(`http://2130706433:${rec.port}/hook`);
    expect(loop.status).toBe(400);
    expect(loop.body.error.message).toMatch(/address: 127\.0\.0\.1 is a loopback address/);
    expect((await cm('http://169.254.169.254/latest/meta-data/')).body.error.message).toMatch(/link-local/);
    expect((await cm('http://[::ffff:10.0.0.1]/')).body.error.message).toMatch(/10\.0\.0\.1 is a private address/);
    expect((await cm('http://localhost/')).status).toBe(400);
    expect((await cm('gopher://example.com/')).body.error.message).toMatch(/http\(s\)/);
    const push = await t.api(
      'POST',
      `/api/v1/users/${viewer.id}/contact-methods`,
      { name: 'p', type: 'push', address: JSON.stringify({ endpoint: `${rec.url}/push`, keys: { p256dh: 'x', auth: 'y' } }) },
      viewer.token,
    );
    expect(push.status).toBe(400);
    expect(push.body.error.message).toMatch(/loopback/);

    const sub = await t.api('POST', '/api/v1/subscriptions', { scope: 'major', channel: 'webhook', destination: `${rec.url}/hook` }, viewer.token);
    expect(sub.status).toBe(400);
    expect(sub.body.error.details).toEqual([{ path: 'destination', message: expect.stringMatching(/loopback/) }]);

    await t.api('POST', '/api/v1/services', { name: 'api' });
    const action = await t.api('POST', '/api/v1/actions', { service: 'api', name: 'restart', method: 'POST', url: `${rec.url}/restart` });
    expect(action.status).toBe(400);
    expect(action.body.error.message).toMatch(/^url: 127\.0\.0\.1 is a loopback address/);
    const hostFromArgs = await t.api('POST', '/api/v1/actions', { service: 'api', name: 'r2', url: 'https://{{args}}/x' });
    expect(hostFromArgs.status).toBe(400);
    expect(hostFromArgs.body.error.message).toMatch(/scheme, host and port contain no \{\{placeholders\}\}/);
    expect(rec.hits).toHaveLength(0);
  });

  it('refuses them again when sending: rows stored before the policy reach nothing', async () => {
    const db = t.k.ctx.db.kysely;
    const admin = (await t.api('GET', '/api/v1/users')).body.users.find((u: { email: string }) => u.email === 'admin@test.local');
    // A verified webhook contact method to loopback, as an older version would have stored it.
    await db
      .insertInto('contact_methods')
      .values({
        id: 'cm-old-hook',
        user_id: admin.id,
        name: 'old hook',
        type: 'webhook',
        address: `${rec.url}/hook`,
        verified_at: t.clock.now(),
        verify_code_hash: null,
        verify_expires_at: null,
        verify_attempts: 0,
        disabled: 0,
        created_at: t.clock.now(),
      })
      .execute();
    expect((await t.api('POST', '/api/v1/contact-methods/cm-old-hook/test')).status).toBeLessThan(300);
    await t.cycle();
    const msg = await db.selectFrom('outbox').selectAll().where('destination', '=', `${rec.url}/hook`).executeTakeFirstOrThrow();
    const attempts = await db.selectFrom('delivery_attempts').selectAll().where('message_id', '=', msg.id).execute();
    expect(attempts.map((a) => a.provider_status)).toEqual(['egress_refused']);
    expect(must(attempts[0], 'attempts[0]').error).toMatch(/loopback/);

    // An action stored with a loopback URL.
    const svc = (await t.api('GET', '/api/v1/services')).body.services.find((s: { name: string }) => s.name === 'api');
    await db
      .insertInto('service_actions')
      .values({
        id: 'act-old',
        service_id: svc.id,
        name: 'old',
        description: '',
        method: 'POST',
        url: `${rec.url}/old`,
        headers: '{}',
        body: '',
        secrets: '{}',
        allowed_roles: '["im"]',
        created_at: t.clock.now(),
      })
      .execute();
    const inc = await t.api('POST', '/api/v1/incidents', { service: 'api', title: 'x' });
    expect(inc.status).toBe(201);
    const run = await t.api('POST', `/api/v1/incidents/${inc.body.incident.number}/commands`, { text: '/run old' });
    expect(run.body.result.text).toMatch(/old: failed\nrequest failed: egress refused: the URL 127\.0\.0\.1 is a loopback address/);
    expect(rec.hits).toHaveLength(0);
  });
});

describe.each(DIALECTS)('what a low role can make the server send (%s)', (dialect) => {
  let t: TestKlaxon;
  let rec: Awaited<ReturnType<typeof recorder>>;
  let echo = '';
  beforeAll(async () => {
    rec = await recorder(() => echo);
    t = await startTestKlaxon(dialect);
  });
  afterAll(async () => {
    await t?.stop();
    await rec?.close();
  });

  it("a viewer's subscription to another address delivers nothing until that destination confirms it", async () => {
    const viewer = await user(t, 'val@example.com', 'viewer');
    await t.api('POST', '/api/v1/services', { name: 'db' });
    const inc = await t.api('POST', '/api/v1/incidents', { service: 'db', title: 'pg-primary disk full' });
    const n = inc.body.incident.number as number;
    const mail = await t.api('POST', '/api/v1/subscriptions', { scope: 'incident', targetId: String(n), channel: 'email', destination: 'outsider@evil.example' }, viewer.token);
    expect(mail.status).toBe(201);
    expect(mail.body.subscription.confirmed).toBe(false);
    const hook = await t.api('POST', '/api/v1/subscriptions', { scope: 'incident', targetId: String(n), channel: 'webhook', destination: `${rec.url}/hook` }, viewer.token);
    expect(hook.status).toBe(201);
    expect(hook.body.subscription.confirmed).toBe(false);
    // Their own account email was set by an admin: confirmed at once.
    const own = await t.api('POST', '/api/v1/subscriptions', { scope: 'incident', targetId: String(n) }, viewer.token);
    expect(own.body.subscription).toMatchObject({ destination: 'val@example.com', confirmed: true });
    // Someone who no longer exists (deleted after subscribing) reads nothing internal either.
    const gone = await t.api('POST', '/api/v1/users', { email: 'gone@example.com', name: 'Gone', role: 'stakeholder', timeZone: 'UTC' });
    expect((await t.api('POST', '/api/v1/subscriptions', { scope: 'incident', targetId: String(n), userId: gone.body.user.id })).body.subscription.confirmed).toBe(true);
    expect((await t.api('DELETE', `/api/v1/users/${gone.body.user.id}`)).status).toBe(204);
    await t.cycle();

    // The webhook receives a signed challenge, the address a confirmation link; nothing else.
    expect(rec.hits).toHaveLength(1);
    const first = must(rec.hits[0], 'the first webhook request');
    const challenge = JSON.parse(first.body) as { event: string; url: string };
    expect(challenge.event).toBe('status.confirm');
    const secret = (await t.k.ctx.db.kysely.selectFrom('settings').select('value').where('key', '=', 'webhook_secret').executeTakeFirstOrThrow()).value;
    expect(verifyWebhookSignature(first.headers['x-klaxon-signature'], first.body, secret, t.clock.now())).toBe(true);
    await t.smtp.waitFor((m) => m.to.includes('outsider@evil.example') && /Confirm/.test(m.subject));

    const internal = await t.api('POST', `/api/v1/incidents/${n}/status-updates`, { phase: 'investigating', message: 'INTERNAL: replica lag 40 s', public: false });
    expect(internal.status).toBe(201);
    await t.cycle();
    await t.smtp.waitFor((m) => m.to.includes('val@example.com') && /INTERNAL: replica lag/.test(m.text));
    expect(t.smtp.messages.filter((m) => m.to.includes('outsider@evil.example') && /INTERNAL/.test(m.text))).toHaveLength(0);
    expect(t.smtp.messages.filter((m) => m.to.includes('gone@example.com'))).toHaveLength(0);
    expect(rec.hits).toHaveLength(1);

    // The receiver answers the challenge by POSTing the link; from then on it gets updates.
    expect((await fetch(challenge.url, { method: 'POST' })).status).toBe(200);
    await t.api('POST', `/api/v1/incidents/${n}/status-updates`, { phase: 'identified', message: 'INTERNAL: disk grown', public: false });
    await t.cycle();
    expect(rec.hits).toHaveLength(2);
    expect(JSON.parse(must(rec.hits[1], 'rec.hits[1]').body)).toMatchObject({ event: 'status.update' });
    expect(must(rec.hits[1], 'rec.hits[1]').body).toContain('INTERNAL: disk grown');
    expect(t.smtp.messages.filter((m) => m.to.includes('outsider@evil.example') && /INTERNAL/.test(m.text))).toHaveLength(0);
  });

  it('the upgrade unconfirms subscriptions the old rule confirmed to destinations that never confirmed', async () => {
    const db = t.k.ctx.db.kysely;
    const u = await user(t, 'olga@example.com', 'viewer');
    const row = (id: string, channel: string, destination: string) => ({
      id,
      scope: 'major',
      target_id: null,
      user_id: u.id,
      channel,
      destination,
      confirmed_at: 1,
      token_hash: `h-${id}`,
      created_at: 1,
    });
    await db
      .insertInto('status_subscriptions')
      .values([row('old-outside', 'email', 'someone@evil.example'), row('old-own', 'email', 'Olga@example.com'), row('old-hook', 'webhook', 'https://hooks.example.com/x')])
      .execute();
    await db
      .insertInto('contact_methods')
      .values({
        id: 'cm-olga-hook',
        user_id: u.id,
        name: 'hook',
        type: 'webhook',
        address: 'https://hooks.example.com/x',
        verified_at: 1,
        verify_code_hash: null,
        verify_expires_at: null,
        verify_attempts: 0,
        disabled: 0,
        created_at: 1,
      })
      .execute();
    await reconfirm.up(db);
    const rows = await db.selectFrom('status_subscriptions').select(['id', 'confirmed_at']).where('id', 'in', ['old-outside', 'old-own', 'old-hook']).orderBy('id').execute();
    expect(rows.map((r) => [r.id, r.confirmed_at === null ? null : Number(r.confirmed_at)])).toEqual([
      ['old-hook', 1],
      ['old-outside', null],
      ['old-own', 1],
    ]);
  });

  it('action templates escape every value for where it lands; secrets are redacted in every encoding and encrypted at rest', async () => {
    const SECRET = 'p@ss"w/rd+:tøken&123';
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    echo = [
      `raw ${SECRET}`,
      `url ${encodeURIComponent(SECRET)}`,
      `basic ${b64(`deploy:${SECRET}`)}`,
      `b64 ${b64(SECRET)}`,
      `json {"token":${JSON.stringify(SECRET)}}`,
      `ascii ${JSON.stringify(SECRET).replace('ø', '\\u00f8')}`,
    ].join('\n');
    await t.api('POST', '/api/v1/services', { name: 'shop' });
    const def = {
      service: 'shop',
      name: 'note',
      method: 'POST',
      url: `${rec.url}/note?q={{args}}&key={{secrets.TOKEN}}`,
      headers: { 'content-type': 'application/json', 'x-note': '{{args}}', authorization: 'Bearer {{secrets.TOKEN}}' },
      body: '{"reason":"{{args}}","incident":{{incident.number}}}',
      secrets: { TOKEN: SECRET },
    };
    const created = await t.api('POST', '/api/v1/actions', def);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const stored = await t.k.ctx.db.kysely.selectFrom('service_actions').select('secrets').where('name', '=', 'note').executeTakeFirstOrThrow();
    expect(stored.secrets).not.toContain('tøken');
    expect(JSON.parse(stored.secrets).TOKEN).toMatch(/^enc:v1:/);
    // KLAXON_SECRET_KEY is not set here: the key was generated on first start and kept in settings.
    const key = await t.k.ctx.db.kysely.selectFrom('settings').select('value').where('key', '=', 'secret_key').executeTakeFirstOrThrow();
    expect(Buffer.from(key.value, 'base64')).toHaveLength(32);

    const inc = await t.api('POST', '/api/v1/incidents', { service: 'shop', title: 'carts lost' });
    const n = inc.body.incident.number as number;
    const args = 'x","admin":true,"y":"z & admin=1\r\nX-Evil: 1';
    const before = rec.hits.length;
    const run = await t.api('POST', `/api/v1/incidents/${n}/commands`, { text: `/run note ${args}` });
    expect(run.status).toBe(200);
    const hit = must(rec.hits[before], 'rec.hits[before]');
    const body = JSON.parse(hit.body) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['reason', 'incident']);
    expect(body.reason).toBe(args);
    const q = new URL(hit.url, 'http://x').searchParams;
    expect([...q.keys()]).toEqual(['q', 'key']);
    expect(q.get('q')).toBe(args);
    expect(q.get('key')).toBe(SECRET);
    expect(hit.headers['x-evil']).toBeUndefined();
    expect(hit.headers['x-note']).toBe('x","admin":true,"y":"z & admin=1  X-Evil: 1');
    expect(hit.headers.authorization).toBe(`Bearer ${SECRET}`);

    const out = run.body.result.text as string;
    expect(out).toContain('HTTP 200');
    for (const form of [SECRET, encodeURIComponent(SECRET), b64(SECRET), b64(`deploy:${SECRET}`).slice(12, -4), JSON.stringify(SECRET).slice(1, -1), 'p@ss\\"w/rd+:t\\u00f8ken'])
      expect(out).not.toContain(form);
    expect(out.match(/\[redacted\]/g)?.length).toBeGreaterThanOrEqual(6);
    const timeline = JSON.stringify((await t.api('GET', `/api/v1/incidents/${n}/timeline`)).body);
    expect(timeline).not.toContain(b64(SECRET));
    expect(timeline).not.toContain(encodeURIComponent(SECRET));

    // A row written in plaintext before encryption existed still works and is sealed at start.
    const svc = (await t.api('GET', '/api/v1/services')).body.services.find((s: { name: string }) => s.name === 'shop');
    await t.k.ctx.db.kysely
      .insertInto('service_actions')
      .values({
        id: 'legacy',
        service_id: svc.id,
        name: 'legacy',
        description: '',
        method: 'GET',
        url: `${rec.url}/legacy?k={{secrets.K}}`,
        headers: '{}',
        body: '',
        secrets: JSON.stringify({ K: 'old-plain-secret' }),
        allowed_roles: '["im"]',
        created_at: 0,
      })
      .execute();
    expect(await sealLegacySecrets(t.k.ctx)).toBe(1);
    const sealed = await t.k.ctx.db.kysely.selectFrom('service_actions').select('secrets').where('id', '=', 'legacy').executeTakeFirstOrThrow();
    expect(sealed.secrets).not.toContain('old-plain-secret');
    await t.api('POST', `/api/v1/incidents/${n}/commands`, { text: '/run legacy' });
    expect(must(rec.hits.at(-1), 'rec.hits.at(-1)').url).toBe('/legacy?k=old-plain-secret');

    // Under another key the secrets cannot be read: a 409 that says so, and nothing is sent.
    const box = t.k.ctx.secretBox;
    t.k.ctx.secretBox = new SecretBox(randomBytes(32));
    try {
      const sent = rec.hits.length;
      const wrongKey = await t.api('POST', `/api/v1/incidents/${n}/actions/legacy/run`, {});
      expect(wrongKey.status).toBe(409);
      expect(wrongKey.body.error.message).toMatch(/cannot decrypt a stored secret \(was KLAXON_SECRET_KEY changed\?\)/);
      expect(rec.hits).toHaveLength(sent);
    } finally {
      t.k.ctx.secretBox = box;
    }
  });

  it("an integration's signing secret is shown to admins only", async () => {
    const viewer = await user(t, 'vera@example.com', 'viewer');
    const responder = await user(t, 'rita@example.com', 'responder');
    const svc = await t.api('POST', '/api/v1/services', { name: 'grafana-svc' });
    const created = await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'g', kind: 'grafana', signingSecret: 'hmac-secret-for-grafana' });
    expect(created.status).toBe(201);
    for (const token of [viewer.token, responder.token]) {
      const list = await t.api('GET', `/api/v1/services/${svc.body.service.id}/integrations`, undefined, token);
      expect(list.status).toBe(200);
      expect(JSON.stringify(list.body)).not.toContain('hmac-secret-for-grafana');
      expect(list.body.integrations[0].settings).toEqual({ signingSecretSet: true });
    }
    const admin = await t.api('GET', `/api/v1/services/${svc.body.service.id}/integrations`);
    expect(admin.body.integrations[0].settings.signingSecret).toBe('hmac-secret-for-grafana');

    // Stored encrypted, and Grafana's signature is still checked with it.
    const row = await t.k.ctx.db.kysely.selectFrom('integrations').select('settings').where('id', '=', created.body.integration.id).executeTakeFirstOrThrow();
    expect(row.settings).not.toContain('hmac-secret-for-grafana');
    expect(JSON.parse(row.settings).signingSecret).toMatch(/^enc:v1:/);
    const body = JSON.stringify({ status: 'firing', alerts: [{ status: 'firing', fingerprint: 'f1', labels: { alertname: 'Disk' }, annotations: {} }] });
    const post = (sig: string) =>
      fetch(`${t.url}/integrations/v1/grafana/${created.body.integration.key}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-grafana-alerting-signature': sig }, body });
    expect((await post('f'.repeat(64))).status).toBe(403);
    expect((await post(createHmac('sha256', 'hmac-secret-for-grafana').update(body).digest('hex'))).status).toBe(202);

    // A secret stored in plaintext by an earlier version still verifies, and start-up seals it.
    await t.k.ctx.db.kysely
      .updateTable('integrations')
      .set({ settings: JSON.stringify({ signingSecret: 'legacy-plain-hmac' }) })
      .where('id', '=', created.body.integration.id)
      .execute();
    t.k.ctx.publish({ type: 'config' });
    expect(await sealLegacySigningSecrets(t.k.ctx)).toBe(1);
    const resealed = await t.k.ctx.db.kysely.selectFrom('integrations').select('settings').where('id', '=', created.body.integration.id).executeTakeFirstOrThrow();
    expect(resealed.settings).not.toContain('legacy-plain-hmac');
    expect((await t.api('GET', `/api/v1/services/${svc.body.service.id}/integrations`)).body.integrations[0].settings.signingSecret).toBe('legacy-plain-hmac');

    // Under another KLAXON_SECRET_KEY the secret cannot be read: signed requests get a 400 that says
    // so (never accepted unchecked), admins see that a secret is set, and can set it again.
    const box = t.k.ctx.secretBox;
    t.k.ctx.secretBox = new SecretBox(randomBytes(32));
    try {
      const refused = await post(createHmac('sha256', 'legacy-plain-hmac').update(body).digest('hex'));
      expect(refused.status).toBe(400);
      expect(await refused.text()).toMatch(/signing secret cannot be decrypted/);
      expect((await t.api('GET', `/api/v1/services/${svc.body.service.id}/integrations`)).body.integrations[0].settings).toEqual({ signingSecretSet: true });
      const reset = await t.api('PATCH', `/api/v1/integrations/${created.body.integration.id}`, { signingSecret: 'new-hmac-secret' });
      expect(reset.status).toBe(200);
      // On PostgreSQL the integration cache hears of the change through NOTIFY, a moment later.
      await expect.poll(async () => (await post(createHmac('sha256', 'new-hmac-secret').update(body).digest('hex'))).status, { timeout: 5000 }).toBe(202);
    } finally {
      t.k.ctx.secretBox = box;
    }
  });

  it('stored alert links keep only http(s) URLs', async () => {
    const svc = await t.api('POST', '/api/v1/services', { name: 'linked' });
    const key = (await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'pd', kind: 'pagerduty' })).body.integration.key as string;
    const links = [
      { href: 'javascript:alert(document.cookie)', text: 'Dashboard' },
      { href: 'data:text/html,<script>alert(1)</script>' },
      { href: 'https://grafana.example/d/1', text: 'Grafana' },
      { href: 'vbscript:x' },
    ];
    const r = await fetch(`${t.url}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ routing_key: key, event_action: 'trigger', payload: { summary: 'links', source: 's', severity: 'error' }, links }),
    });
    expect(r.status).toBe(202);
    await t.cycle();
    const n = (await t.api('GET', '/api/v1/incidents?limit=1')).body.incidents[0].number;
    const alerts = (await t.api('GET', `/api/v1/incidents/${n}/alerts`)).body.alerts as { links: { href: string }[] }[];
    expect(must(alerts[0], 'alerts[0]').links).toEqual([{ href: 'https://grafana.example/d/1', text: 'Grafana' }]);
  });

  it('the public status page shows the public title, never the internal alert title', async () => {
    const svc = await t.api('POST', '/api/v1/services', { name: 'pg' });
    const key = (await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'pd', kind: 'pagerduty' })).body.integration.key as string;
    expect((await t.api('POST', '/api/v1/business-services', { name: 'Payments', serviceIds: ['pg'] })).status).toBe(201);
    await fetch(`${t.url}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ routing_key: key, event_action: 'trigger', payload: { summary: 'pg-primary disk full on db-7.internal', source: 'db-7', severity: 'critical' } }),
    });
    await t.cycle();
    const n = (await t.api('GET', '/api/v1/incidents?limit=1')).body.incidents[0].number;
    await t.api('POST', '/api/v1/status-templates', { phase: 'investigating', body: 'Looking into {{title}}.' });
    const first = await t.api('POST', `/api/v1/incidents/${n}/status-updates`, { phase: 'investigating', public: true });
    expect(first.status).toBe(201);
    expect(first.body.statusUpdate.message).toBe('Looking into Issue affecting Payments.');
    const get = async (path: string) => (await fetch(`${t.url}${path}`)).text();
    for (const path of ['/status', '/status/feed.rss', '/status/feed.atom', '/status/api/v2/incidents.json']) {
      const body = await get(path);
      expect(body, path).not.toContain('pg-primary');
      expect(body, path).toContain('Issue affecting Payments');
    }
    const second = await t.api('POST', `/api/v1/incidents/${n}/status-updates`, { phase: 'identified', message: 'Card payments are slow.', publicTitle: 'Slow card payments', public: true });
    expect(second.body.statusUpdate.publicTitle).toBe('Slow card payments');
    // A later update without a title keeps it.
    await t.api('POST', `/api/v1/incidents/${n}/status-updates`, { phase: 'monitoring', message: 'A fix is live.', public: true });
    const page = await get('/status');
    expect(page).toContain('Slow card payments');
    expect(page).not.toContain('pg-primary');
    expect(await get('/status/api/v2/incidents.json')).toContain('"name":"Slow card payments"');
  });
});
