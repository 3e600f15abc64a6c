import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGoogleChat, type FakeChatMessage, type FakeChatUser } from '../fakes/googlechat/server.js';
import { capture, DIALECTS, mustFind, startTestKlaxon, type TestKlaxon } from '../harness.js';
import { must } from '../../src/lib/must.js';

describe.each(DIALECTS)('Google Chat: cards through an incoming webhook, bearer-token events, acknowledge by button and by @mention (%s)', (dialect) => {
  let t: TestKlaxon | undefined;
  const server = (): TestKlaxon => must(t, 'the test server');
  let gc: FakeGoogleChat;
  let erin: FakeChatUser;
  let stranger: FakeChatUser;
  let space: { name: string; key: string; token: string; webhookUrl: string };
  let erinId: string;
  let key: string;
  const endpoint = () => `${server().url}/integrations/v1/googlechat/events`;
  const incident = async (n: number) => (await server().api('GET', `/api/v1/incidents/${n}`)).body.incident;
  const widgets = (m: FakeChatMessage) => m.cardsV2[0].card.sections[0].widgets as any[];
  const buttons = (m: FakeChatMessage) => widgets(m).find((w) => w.buttonList).buttonList.buttons as any[];
  const now = () => Math.floor(server().clock.now() / 1000);

  beforeAll(async () => {
    gc = new FakeGoogleChat(() => (t ? t.clock.now() : Date.parse('2026-03-02T09:00:00Z')));
    const { url, jwksUrl } = await gc.start();
    erin = gc.addUser('Erin');
    stranger = gc.addUser('Stranger');
    space = gc.addSpace('Web on-call');
    t = await startTestKlaxon(dialect, { googlechat: { audience: gc.projectNumber, jwksUrl, webhookBaseUrl: url } });
    const u = await t.api('POST', '/api/v1/users', { email: 'erin@example.com', name: 'Erin', role: 'responder', timeZone: 'UTC' });
    erinId = u.body.user.id;
    const token = (await t.api('POST', `/api/v1/users/${erinId}/tokens`, { name: 't' })).body.token;
    const bad = await t.api('POST', `/api/v1/users/${erinId}/contact-methods`, { name: 'gc', type: 'googlechat', address: 'https://example.com/hook' }, token);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('incoming-webhook URL');
    // The space's webhook gets her pages: verified with the code posted there.
    const cm = await t.api('POST', `/api/v1/users/${erinId}/contact-methods`, { name: 'web space', type: 'googlechat', address: space.webhookUrl }, token);
    expect(cm.status).toBe(201);
    await t.cycle();
    const code = await gc.waitForMessage((m) => m.text.includes('verification code'));
    expect(code.space.name).toBe(space.name);
    expect((await t.api('POST', `/api/v1/contact-methods/${cm.body.contactMethod.id}/verify`, { code: capture(/\*(\d{6})\*/, code.text) }, token)).status).toBe(200);
    expect((await t.api('POST', `/api/v1/users/${erinId}/notification-rules`, { contactMethodId: cm.body.contactMethod.id, delayMinutes: 0 }, token)).status).toBe(201);
    // Her Google Chat user links her for the buttons: no code can reach users/<id> through a webhook, so an admin marks it verified.
    const link = await t.api('POST', `/api/v1/users/${erinId}/contact-methods`, { name: 'me in chat', type: 'googlechat', address: erin.name }, token);
    expect(link.status).toBe(201);
    expect((await t.api('POST', `/api/v1/contact-methods/${link.body.contactMethod.id}/mark-verified`, { consent: 'Erin gave her Chat user id in person' })).status).toBe(200);
    const policy = await t.api('POST', '/api/v1/escalation-policies', { name: 'Web', levels: [{ delayMinutes: 5, targets: [{ type: 'user', id: erinId }] }] });
    const svc = await t.api('POST', '/api/v1/services', { name: 'web', escalationPolicyId: policy.body.escalationPolicy.id });
    key = (await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'pd', kind: 'pagerduty' })).body.integration.key;
    // Without the Chat API (webhooks only) a service cannot announce in a space: the answer says what to set.
    const announce = await t.api('PUT', `/api/v1/services/${svc.body.service.id}/chat-channels`, { channels: [{ platform: 'googlechat', channel: space.name }] });
    expect(announce.status).toBe(400);
    expect(announce.body.error.message).toBe('channels/0/platform: Google Chat announces in a space only through the Chat API: set KLAXON_GOOGLECHAT_SERVICE_ACCOUNT');
    expect((await t.api('GET', `/api/v1/services/${svc.body.service.id}/chat-channels`)).body.platforms).not.toContainEqual({ name: 'googlechat', label: 'Google Chat' });
  });
  afterAll(async () => {
    await t?.stop();
    await gc?.close();
  });

  async function trigger(summary: string): Promise<{ n: number; page: FakeChatMessage }> {
    const r = await fetch(`${server().url}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ routing_key: key, event_action: 'trigger', payload: { summary, source: 'web-1', severity: 'critical' } }),
    });
    expect(r.status).toBe(202);
    await server().cycle();
    const n = (await server().api('GET', '/api/v1/incidents?limit=1')).body.incidents[0].number as number;
    const page = await gc.waitForMessage((m) => m.cardsV2.length > 0 && m.cardsV2[0].card.header.title.startsWith(`#${n} `));
    return { n, page };
  }

  it('pages the space with a card; refuses forged, expired, wrong-audience and missing tokens with 401 and changes nothing; a click acknowledges as Erin', async () => {
    const { n, page } = await trigger('Checkout down <users/all>');
    const inc = await incident(n);
    expect(page.space.name).toBe(space.name);
    expect(page.text).not.toContain('<users/all>');
    expect(page.cardsV2[0].card.header).toEqual({ title: `#${n} Checkout down <users/all>`, subtitle: 'CRITICAL · web' });
    expect(
      widgets(page)
        .filter((w) => w.decoratedText)
        .map((w) => `${w.decoratedText.topLabel}=${w.decoratedText.text}`),
    ).toEqual(['Service=web', 'Severity=CRITICAL', 'Status=triggered']);
    expect(buttons(page)).toEqual([
      { text: 'Acknowledge', onClick: { action: { function: 'klaxon_ack', parameters: [{ key: 'incident', value: inc.id }] } } },
      { text: 'Resolve', onClick: { action: { function: 'klaxon_resolve', parameters: [{ key: 'incident', value: inc.id }] } } },
      { text: 'Open incident', onClick: { openLink: { url: `${server().url}/incidents/${n}` } } },
    ]);
    const ack = buttons(page)[0];

    const forged = await gc.click(endpoint(), page, ack, erin, { signer: await FakeGoogleChat.forger() });
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe('unauthorized');
    expect((await gc.click(endpoint(), page, ack, erin, { iat: now() - 7200, exp: now() - 3600 })).status).toBe(401);
    expect((await gc.click(endpoint(), page, ack, erin, { audience: '999999999999' })).status).toBe(401);
    expect((await gc.click(endpoint(), page, ack, erin, { issuer: 'someone@example.iam.gserviceaccount.com' })).status).toBe(401);
    expect((await gc.click(endpoint(), page, ack, erin, { token: null })).status).toBe(401);
    expect((await gc.click(endpoint(), page, ack, erin, { token: 'not-a-jwt-at-all-but-long-enough' })).status).toBe(401);
    expect((await incident(n)).status).toBe('triggered');

    const unlinked = await gc.click(endpoint(), page, ack, stranger);
    expect(unlinked).toEqual({ status: 200, body: { actionResponse: { type: 'NEW_MESSAGE' }, text: 'Your Google Chat user is not linked to a Klaxon user: add it as a Google Chat contact method.' } });
    expect((await incident(n)).status).toBe('triggered');

    const ok = await gc.click(endpoint(), page, ack, erin);
    expect(ok).toEqual({ status: 200, body: { actionResponse: { type: 'NEW_MESSAGE' }, text: `Incident #${n} acknowledged.` } });
    expect(await incident(n)).toMatchObject({ status: 'acknowledged', acknowledgedBy: erinId });
    const timeline = (await server().api('GET', `/api/v1/incidents/${n}/timeline`)).body.timeline as { type: string; channel: string; message: string }[];
    expect(timeline.find((e) => e.type === 'incident.acknowledged')).toMatchObject({ channel: 'googlechat', message: 'Acknowledged by Erin via googlechat' });
    // The page's timeline entry names the space, never the webhook's key and token.
    const sent = mustFind(timeline, 'a notification.sent event', (e) => e.type === 'notification.sent').message;
    expect(sent).toBe(`Paged Erin by googlechat (space ${space.name.slice('spaces/'.length)}): posted`);

    const resolve = buttons(page)[1];
    expect((await gc.click(endpoint(), page, resolve, erin)).body.text).toBe(`Incident #${n} resolved.`);
    expect((await incident(n)).status).toBe('resolved');
  });

  it('"@Klaxon ack N" and "@Klaxon resolve N" run as the linked person; an unlinked person is told how to link; a forged mention changes nothing', async () => {
    const { n } = await trigger('Search slow');
    expect((await gc.mention(endpoint(), space, erin, `ack ${n}`, { signer: await FakeGoogleChat.forger() })).status).toBe(401);
    expect((await gc.mention(endpoint(), space, erin, `ack ${n}`, { iat: now() - 7200, exp: now() - 60 })).status).toBe(401);
    expect((await incident(n)).status).toBe('triggered');
    expect(await gc.mention(endpoint(), space, stranger, `ack ${n}`)).toEqual({
      status: 200,
      body: { text: 'Your Google Chat user is not linked to a Klaxon user: add it as a Google Chat contact method.' },
    });
    expect((await incident(n)).status).toBe('triggered');
    expect(await gc.mention(endpoint(), space, erin, `ack ${n}`)).toEqual({ status: 200, body: { text: `Incident #${n} acknowledged.` } });
    expect((await gc.mention(endpoint(), space, erin, `resolve ${n}`)).body.text).toBe(`Incident #${n} resolved.`);
    expect(await incident(n)).toMatchObject({ status: 'resolved', resolvedBy: erinId });
    // Added to a space, Klaxon says how to use it.
    const hello = await gc.send(endpoint(), { type: 'ADDED_TO_SPACE', space: { name: space.name, type: 'ROOM' }, user: erin });
    expect(hello.body.text).toContain('@Klaxon ack 42');
  });

  it('war-room bridges to Google Chat are refused with a 4xx that says why', async () => {
    const { n } = await trigger('Payments failing');
    expect((await server().api('POST', '/api/v1/major-incidents', { incident: String(n) })).status).toBe(201);
    const r = await server().api('POST', `/api/v1/incidents/${n}/chat-bridges`, { platform: 'googlechat', channel: space.name });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toContain('cannot be bridged');
  });
});
