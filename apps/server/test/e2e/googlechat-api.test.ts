import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/app/config.js';
import { must } from '../../src/lib/must.js';
import { FakeGoogleChat, type FakeChatMessage, type FakeChatSpace, type FakeChatUser, type FakeServiceAccountKey } from '../fakes/googlechat/server.js';
import { DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';

describe.each(DIALECTS)('Google Chat through the Chat API as the app: pages to a space and to a person, signed clicks, a war-room thread both ways (%s)', (dialect) => {
  let t: TestKlaxon | undefined;
  let gc: FakeGoogleChat;
  let sa: FakeServiceAccountKey;
  let erin: FakeChatUser;
  let frank: FakeChatUser;
  let stranger: FakeChatUser;
  let oncall: FakeChatSpace;
  let incidents: FakeChatSpace;
  let erinDm: string;
  let erinId: string;
  let key: string;
  const k = () => must(t, 'the test server');
  const endpoint = () => `${k().url}/integrations/v1/googlechat/events`;
  const incident = async (n: number) => (await k().api('GET', `/api/v1/incidents/${n}`)).body.incident;
  const timeline = async (n: number) => (await k().api('GET', `/api/v1/incidents/${n}/timeline`)).body.timeline as { type: string; message: string }[];
  const buttons = (m: FakeChatMessage) => m.cardsV2[0].card.sections[0].widgets.find((w: any) => w.buttonList).buttonList.buttons as any[];
  const button = (m: FakeChatMessage, text: string) =>
    must(
      buttons(m).find((b) => b.text === text),
      `the ${text} button`,
    );
  const now = () => Math.floor(k().clock.now() / 1000);

  beforeAll(async () => {
    gc = new FakeGoogleChat(() => (t ? t.clock.now() : Date.parse('2026-03-02T09:00:00Z')));
    const { url, jwksUrl } = await gc.start();
    sa = await gc.serviceAccount();
    erin = gc.addUser('Erin');
    frank = gc.addUser('Frank');
    stranger = gc.addUser('Stranger');
    oncall = gc.addSpace('Web on-call');
    incidents = gc.addSpace('Incidents');
    erinDm = gc.addApp(erin);
    // The settings as an operator gives them: the key's JSON in the environment.
    const googlechat = configFromEnv({
      KLAXON_GOOGLECHAT_AUDIENCE: gc.projectNumber,
      KLAXON_GOOGLECHAT_JWKS_URL: jwksUrl,
      KLAXON_GOOGLECHAT_SERVICE_ACCOUNT: JSON.stringify(sa),
      KLAXON_GOOGLECHAT_API_BASE_URL: url,
      KLAXON_GOOGLECHAT_WAR_ROOM_SPACE: incidents.name,
    }).googlechat;
    t = await startTestKlaxon(dialect, { googlechat, pageLimits: {}, pageBundling: false });
    const u = await t.api('POST', '/api/v1/users', { email: 'erin@example.com', name: 'Erin', role: 'responder', timeZone: 'UTC' });
    erinId = u.body.user.id;
    const token = (await t.api('POST', `/api/v1/users/${erinId}/tokens`, { name: 't' })).body.token;
    // Her Google Chat user: the code comes in her direct message with the app, so she verifies it herself.
    const me = await t.api('POST', `/api/v1/users/${erinId}/contact-methods`, { name: 'me in chat', type: 'googlechat', address: erin.name }, token);
    expect(me.status).toBe(201);
    await t.cycle();
    const code = await gc.waitForMessage((m) => m.space.name === erinDm && m.text.includes('verification code'));
    expect(code.via).toBe('api');
    expect((await t.api('POST', `/api/v1/contact-methods/${me.body.contactMethod.id}/verify`, { code: must(/\*(\d{6})\*/.exec(code.text), 'a code')[1] }, token)).status).toBe(200);
    // The on-call space by its name: posted by the app, the code there.
    const space = await t.api('POST', `/api/v1/users/${erinId}/contact-methods`, { name: 'web space', type: 'googlechat', address: oncall.name }, token);
    expect(space.status).toBe(201);
    await t.cycle();
    const code2 = await gc.waitForMessage((m) => m.space.name === oncall.name && m.text.includes('verification code'));
    expect((await t.api('POST', `/api/v1/contact-methods/${space.body.contactMethod.id}/verify`, { code: must(/\*(\d{6})\*/.exec(code2.text), 'a code')[1] }, token)).status).toBe(200);
    for (const cm of [me, space]) expect((await t.api('POST', `/api/v1/users/${erinId}/notification-rules`, { contactMethodId: cm.body.contactMethod.id, delayMinutes: 0 }, token)).status).toBe(201);
    // Frank never added the app: his user is linked (an admin marks it verified), but a direct page cannot reach him.
    const f = await t.api('POST', '/api/v1/users', { email: 'frank@example.com', name: 'Frank', role: 'responder', timeZone: 'UTC' });
    const fcm = await t.api('POST', `/api/v1/users/${f.body.user.id}/contact-methods`, { name: 'chat', type: 'googlechat', address: frank.name });
    expect((await t.api('POST', `/api/v1/contact-methods/${fcm.body.contactMethod.id}/mark-verified`, { consent: 'Frank gave his Chat user id in person' })).status).toBe(200);
    expect((await t.api('POST', `/api/v1/users/${f.body.user.id}/notification-rules`, { contactMethodId: fcm.body.contactMethod.id, delayMinutes: 0 })).status).toBe(201);
    const policy = await t.api('POST', '/api/v1/escalation-policies', {
      name: 'Web',
      levels: [
        { delayMinutes: 5, targets: [{ type: 'user', id: erinId }] },
        { delayMinutes: 5, targets: [{ type: 'user', id: f.body.user.id }] },
      ],
    });
    const svc = await t.api('POST', '/api/v1/services', { name: 'web', escalationPolicyId: policy.body.escalationPolicy.id });
    key = (await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'pd', kind: 'pagerduty' })).body.integration.key;
  });
  afterAll(async () => {
    await t?.stop();
    await gc?.close();
  });

  async function trigger(summary: string): Promise<number> {
    const r = await fetch(`${k().url}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ routing_key: key, event_action: 'trigger', payload: { summary, source: 'web-1', severity: 'critical' } }),
    });
    expect(r.status).toBe(202);
    await k().cycle();
    return (await k().api('GET', '/api/v1/incidents?limit=1')).body.incidents[0].number as number;
  }
  const pageIn = (space: string, n: number) => gc.waitForMessage((m) => m.space.name === space && m.cardsV2.length > 0 && m.cardsV2[0].card.header.title.startsWith(`#${n} `));

  it('pages the space and Erin directly as the app, with buttons; the token comes from the JWT-bearer grant and is reused; forged and stale clicks change nothing; a signed click acknowledges as Erin', async () => {
    const n = await trigger('Checkout down');
    const inc = await incident(n);
    const page = await pageIn(oncall.name, n);
    const direct = await pageIn(erinDm, n);
    for (const m of [page, direct]) {
      expect(m.via).toBe('api');
      expect(buttons(m).map((b) => b.text)).toEqual(['Acknowledge', 'Resolve', 'Open incident']);
      expect(button(m, 'Acknowledge').onClick).toEqual({ action: { function: 'klaxon_ack', parameters: [{ key: 'incident', value: inc.id }] } });
    }
    // One token for every call so far (codes and pages): the assertion as Google documents it.
    const grants = gc.tokenRequests.filter((r) => r.status === 200);
    expect(grants).toHaveLength(1);
    const first = must(grants[0], 'a grant');
    expect(first.grantType).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    expect(decodeProtectedHeader(first.assertion)).toMatchObject({ alg: 'RS256', kid: sa.private_key_id });
    const claims = decodeJwt(first.assertion);
    expect(claims).toMatchObject({ iss: sa.client_email, aud: sa.token_uri, scope: 'https://www.googleapis.com/auth/chat.bot' });
    expect(must(claims.exp, 'exp') - must(claims.iat, 'iat')).toBe(3600);
    // Each post names its outbox message (requestId), so a retried send cannot post twice.
    expect(gc.apiCalls.filter((c) => c.method === 'POST').every((c) => /[?&]requestId=[^&]+/.test(c.path))).toBe(true);
    // Only Frank's lookup failed (his verification code had nowhere to go).
    expect(gc.apiCalls.filter((c) => c.status !== 200)).toEqual([{ method: 'GET', path: `/v1/spaces:findDirectMessage?name=${encodeURIComponent(frank.name)}`, status: 404 }]);

    const ack = button(page, 'Acknowledge');
    expect((await gc.click(endpoint(), page, ack, erin, { signer: await FakeGoogleChat.forger() })).status).toBe(401);
    expect((await gc.click(endpoint(), page, ack, erin, { iat: now() - 7200, exp: now() - 3600 })).status).toBe(401);
    expect((await gc.click(endpoint(), page, ack, erin, { audience: '999999999999' })).status).toBe(401);
    expect((await gc.click(endpoint(), page, ack, erin, { token: null })).status).toBe(401);
    expect((await incident(n)).status).toBe('triggered');
    expect((await gc.click(endpoint(), page, ack, stranger)).body.text).toBe('Your Google Chat user is not linked to a Klaxon user: add it as a Google Chat contact method.');
    expect((await incident(n)).status).toBe('triggered');

    expect(await gc.click(endpoint(), page, ack, erin)).toEqual({ status: 200, body: { actionResponse: { type: 'NEW_MESSAGE' }, text: `Incident #${n} acknowledged.` } });
    expect(await incident(n)).toMatchObject({ status: 'acknowledged', acknowledgedBy: erinId });
    expect((await timeline(n)).find((e) => e.type === 'incident.acknowledged')?.message).toBe('Acknowledged by Erin via googlechat');
    // In her direct message, Resolve works the same.
    expect((await gc.click(endpoint(), direct, button(direct, 'Resolve'), erin)).body.text).toBe(`Incident #${n} resolved.`);
    expect((await incident(n)).status).toBe('resolved');

    // An hour later the token has expired: a new one is asked for.
    await k().advance(3600_000);
    const n2 = await trigger('Cart slow');
    await pageIn(erinDm, n2);
    expect(gc.tokenRequests.filter((r) => r.status === 200)).toHaveLength(2);
    expect((await gc.mention(endpoint(), oncall, erin, `resolve ${n2}`)).body.text).toBe(`Incident #${n2} resolved.`);
  });

  it('a direct page to someone who never added the app fails with the reason, and nothing is posted', async () => {
    const n = await trigger('Search slow');
    await pageIn(erinDm, n);
    await k().advance(5 * 60_000);
    const failed = (await timeline(n)).find((e) => e.type === 'notification.failed');
    expect(failed?.message).toContain(`${frank.name} has no direct message with the Klaxon app`);
    expect(failed?.message).toContain('giving up');
    expect(gc.apiCalls.some((c) => c.path.includes(`findDirectMessage?name=${encodeURIComponent(frank.name)}`) && c.status === 404)).toBe(true);
    expect(gc.messages.items.filter((m) => JSON.stringify(m).includes(`#${n} `) && m.space.name !== oncall.name && m.space.name !== erinDm)).toEqual([]);
    expect((await gc.mention(endpoint(), oncall, erin, `resolve ${n}`)).body.text).toBe(`Incident #${n} resolved.`);
  });

  it('a war room gets a thread in the configured space: messages flow both ways once, with no echo; commands run in it; forged events change nothing', async () => {
    const d = await k().api('POST', '/api/v1/major-incidents', { service: 'web', title: 'Payments failing' });
    expect(d.status).toBe(201);
    const n = d.body.incident.number as number;
    await k().cycle();
    // Erin's direct page has Join war room: she joins.
    const page = await pageIn(erinDm, n);
    expect((await gc.click(endpoint(), page, button(page, 'Join war room'), erin)).body.text).toBe(`You joined the war room of #${n}: ${k().url}/incidents/${n}`);

    expect((await k().api('POST', `/api/v1/incidents/${n}/chat-bridges`, { platform: 'googlechat', channel: incidents.name })).status).toBe(400);
    expect((await k().api('POST', `/api/v1/incidents/${n}/chat-bridges`, { platform: 'googlechat', create: true })).status).toBe(200);
    await k().cycle();
    const thread = (await k().api('GET', `/api/v1/incidents/${n}/chat-bridges`)).body.bridges.find((b: { platform: string }) => b.platform === 'googlechat').channel as string;
    expect(thread).toMatch(new RegExp(`^${incidents.name}/threads/`));
    expect(incidents.threadKeys.get(`klaxon-incident-${n}`)).toBe(thread);
    const opening = await gc.waitForMessage((m) => m.thread.name === thread);
    expect(opening.text).toContain(`War room of #${n} Payments failing.`);
    expect(opening.text).toContain(`<${erin.name}>: you are in it.`);
    expect((await timeline(n)).some((e) => e.type === 'chat.bridged' && e.message.includes(thread))).toBe(true);

    // Klaxon -> Google Chat: into the thread, by the app.
    expect((await k().api('POST', `/api/v1/incidents/${n}/chat`, { text: 'Rolling back payments' })).status).toBe(201);
    await k().cycle();
    const out = await gc.waitForMessage((m) => m.thread.name === thread && m.text.includes('Rolling back'));
    expect(out).toMatchObject({ text: 'Admin: Rolling back payments', via: 'api' });

    // Google Chat -> Klaxon: "@Klaxon <text>" in the thread; a repeated delivery is stored once; forged and bot events are not.
    const said = `${thread.replace('/threads/', '/messages/')}.m1`;
    expect((await gc.mention(endpoint(), incidents, erin, 'Card processor returns 503', { thread, messageName: said, signer: await FakeGoogleChat.forger() })).status).toBe(401);
    expect((await gc.mention(endpoint(), incidents, erin, 'Card processor returns 503', { thread, messageName: said, iat: now() - 7200, exp: now() - 60 })).status).toBe(401);
    expect(await gc.mention(endpoint(), incidents, erin, 'Card processor returns 503', { thread, messageName: said })).toEqual({ status: 200, body: {} });
    expect((await gc.mention(endpoint(), incidents, erin, 'Card processor returns 503', { thread, messageName: said })).status).toBe(200);
    expect((await gc.mention(endpoint(), incidents, stranger, 'Is it us?', { thread })).status).toBe(200);
    const bot = { name: 'users/999', displayName: 'Klaxon', type: 'BOT' } as unknown as FakeChatUser;
    expect((await gc.mention(endpoint(), incidents, bot, 'Admin: Rolling back payments', { thread })).body).toEqual({});
    await k().cycle();
    const chat = (await k().api('GET', `/api/v1/incidents/${n}/chat`)).body.messages as { text: string; author: { name: string }; source: string }[];
    expect(chat.map((m) => `${m.author.name}/${m.source}: ${m.text}`)).toEqual([
      'Admin/web: Rolling back payments',
      'Erin/googlechat: Card processor returns 503',
      'Google Chat user Stranger/googlechat: Is it us?',
    ]);
    // No echo: in the thread, Klaxon posted only its opening and the web's message.
    expect(gc.messages.items.filter((m) => m.thread.name === thread).map((m) => m.text.slice(0, 20))).toEqual([opening.text.slice(0, 20), 'Admin: Rolling back ']);

    // A command in the thread runs on the bridged war room as Erin, answered in the thread.
    expect((await gc.mention(endpoint(), incidents, stranger, 'ack', { thread })).body.text).toContain('not linked');
    expect(await gc.mention(endpoint(), incidents, erin, 'ack', { thread })).toEqual({ status: 200, body: { text: `#${n} acknowledged by Erin` } });
    expect(await incident(n)).toMatchObject({ status: 'acknowledged', acknowledgedBy: erinId });
    // Outside a bridged thread, a war-room command says so.
    expect((await gc.mention(endpoint(), oncall, erin, 'sev 2')).body.text).toBe('This channel is not bridged to a Klaxon war room.');
    // A direct message with the app: everything is a command.
    expect((await gc.direct(endpoint(), erin, 'help me')).body.text).toBe('This channel is not bridged to a Klaxon war room.');
  });
});
