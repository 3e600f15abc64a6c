import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTelegram, type TelegramSent } from '../fakes/telegram/server.js';
import { capture, DIALECTS, mustFind, startTestKlaxon, type TestKlaxon } from '../harness.js';
import { must } from '../../src/lib/must.js';

const SECRET = 'tg-webhook-secret-0123456789abcdef';

describe.each(DIALECTS)('Telegram: link a chat by code, page with buttons, acknowledge from the chat (%s)', (dialect) => {
  let t: TestKlaxon;
  const tg = new FakeTelegram();
  let maya: { id: string; token: string };
  let routingKey: string;
  const CHAT = '4242001';

  const trigger = async (dedupKey: string, summary: string) => {
    const res = await fetch(`${t.url}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ routing_key: routingKey, event_action: 'trigger', dedup_key: dedupKey, payload: { summary, source: 'db-2.prod', severity: 'critical' } }),
    });
    expect(res.status).toBe(202);
  };
  const incident = async (n: number) => (await t.api('GET', `/api/v1/incidents/${n}`)).body.incident;
  const timeline = async (n: number) => (await t.api('GET', `/api/v1/incidents/${n}/timeline`)).body.timeline as { type: string; message: string; channel: string }[];
  const methods = async () =>
    (await t.api('GET', `/api/v1/users/${maya.id}/contact-methods`, undefined, maya.token)).body.contactMethods as { id: string; type: string; address: string; verified: boolean; name: string }[];
  const pageOf = (n: number) => tg.sent.waitFor((m) => m.text.includes(`#${n} `));

  beforeAll(async () => {
    await tg.start();
    t = await startTestKlaxon(dialect, { telegram: { botToken: tg.token, webhookSecret: SECRET, botUsername: 'KlaxonTestBot', baseUrl: tg.url } });
    // The operator's one-time step: point the bot's webhook at Klaxon with the secret token.
    const set = await fetch(`${tg.url}/bot${tg.token}/setWebhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: `${t.url}/integrations/v1/telegram/webhook`, secret_token: SECRET }),
    });
    expect(set.status).toBe(200);
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
    await tg.close();
  });

  let code: string;
  it('the web app gets a one-time code and a t.me deep link', async () => {
    const r = await t.api('POST', `/api/v1/users/${maya.id}/telegram-link`, undefined, maya.token);
    expect(r.status).toBe(201);
    code = r.body.code;
    expect(code).toMatch(/^[A-Z2-9]{10}$/);
    expect(r.body).toMatchObject({ botUsername: 'KlaxonTestBot', startUrl: `https://t.me/KlaxonTestBot?start=${code}`, expiresAt: t.clock.now() + 15 * 60_000 });
    // Someone else's code cannot be asked for.
    const other = await t.api(
      'POST',
      `/api/v1/users/${maya.id}/telegram-link`,
      undefined,
      (await t.api('POST', `/api/v1/users/${(await t.api('POST', '/api/v1/users', { email: 'x@example.com', name: 'X', role: 'responder' })).body.user.id}/tokens`, { name: 'x' })).body.token,
    );
    expect(other.status).toBe(403);
  });

  it('a forged update (no or wrong secret token) is refused and links nothing', async () => {
    expect(await tg.userSends(CHAT, `/start ${code}`, null)).toBe(403);
    expect(await tg.userSends(CHAT, `/start ${code}`, 'not-the-secret-0000000000')).toBe(403);
    expect((await methods()).filter((m) => m.type === 'telegram')).toEqual([]);
  });

  it('a wrong code links nothing and the bot says so', async () => {
    expect(await tg.userSends(CHAT, '/start WRONGCODE1')).toBe(200);
    expect((await tg.sent.waitFor((m) => m.chat_id === CHAT && m.text.includes('not valid'))).text).toContain('Link Telegram');
    expect((await methods()).filter((m) => m.type === 'telegram')).toEqual([]);
  });

  it('/start CODE from the chat links it as a verified contact method; the code works once', async () => {
    expect(await tg.userSends(CHAT, `/start ${code}`)).toBe(200);
    expect((await tg.sent.waitFor((m) => m.chat_id === CHAT && m.text.startsWith('Linked'))).text).toContain('Maya Okafor');
    const cm = mustFind(await methods(), 'the telegram contact method', (m) => m.type === 'telegram');
    expect(cm).toMatchObject({ address: CHAT, verified: true, name: 'Telegram' });
    expect(await tg.userSends('777', `/start ${code}`)).toBe(200);
    await tg.sent.waitFor((m) => m.chat_id === '777' && m.text.includes('not valid'));
    expect((await t.api('POST', `/api/v1/users/${maya.id}/notification-rules`, { contactMethodId: cm.id, delayMinutes: 0 }, maya.token)).status).toBe(201);
    // The test page button.
    expect((await t.api('POST', `/api/v1/contact-methods/${cm.id}/test`, undefined, maya.token)).status).toBe(202);
    await t.cycle();
    await tg.sent.waitFor((m) => m.chat_id === CHAT && m.text.includes('Telegram notifications reach you'));
  });

  it('a chat id added by hand is verified like the other methods: a code sent by the bot', async () => {
    const cm = await t.api('POST', `/api/v1/users/${maya.id}/contact-methods`, { name: 'Work chat', type: 'telegram', address: '5550001' }, maya.token);
    expect(cm.status).toBe(201);
    await t.cycle();
    const m = await tg.sent.waitFor((x) => x.chat_id === '5550001' && /verification code/.test(x.text));
    const v = await t.api('POST', `/api/v1/contact-methods/${cm.body.contactMethod.id}/verify`, { code: capture(/\b(\d{6})\b/, m.text) }, maya.token);
    expect(v.status).toBe(200);
    await t.api('DELETE', `/api/v1/contact-methods/${cm.body.contactMethod.id}`, undefined, maya.token);
  });

  let page: TelegramSent;
  it('a page arrives with inline Acknowledge / Resolve buttons and an Open link', async () => {
    await trigger('replica-lag', 'Replica lag over 5 minutes');
    await t.cycle();
    page = await pageOf(1);
    expect(page.chat_id).toBe(CHAT);
    expect(page.text).toContain('orders-db · CRITICAL');
    expect(must(page.reply_markup, 'page.reply_markup').inline_keyboard).toEqual([
      [
        { text: 'Acknowledge', callback_data: expect.stringMatching(/^ack:/) },
        { text: 'Resolve', callback_data: expect.stringMatching(/^res:/) },
      ],
      [{ text: 'Open', url: `${t.url}/incidents/1` }],
    ]);
  });

  it('forged button presses (no secret, wrong secret, another chat) are refused and change nothing', async () => {
    expect(await tg.press(page, 'Acknowledge', { secret: null })).toBe(403);
    expect(await tg.press(page, 'Acknowledge', { secret: 'x'.repeat(32) })).toBe(403);
    expect(await tg.press(page, 'Resolve', { fromChat: '999' })).toBe(200);
    expect((await tg.answers.waitFor((a) => a.text?.includes('not valid') === true)).text).toContain('Nothing was changed');
    expect((await incident(1)).status).toBe('triggered');
    expect((await timeline(1)).some((e) => e.type === 'incident.acknowledged' || e.type === 'incident.resolved')).toBe(false);
  });

  it('pressing Acknowledge acknowledges as Maya via Telegram, answers the query and edits the message to say who', async () => {
    expect(await tg.press(page, 'Acknowledge')).toBe(200);
    expect(await incident(1)).toMatchObject({ status: 'acknowledged', acknowledgedBy: maya.id });
    expect((await timeline(1)).find((e) => e.type === 'incident.acknowledged')).toMatchObject({ channel: 'telegram' });
    await tg.answers.waitFor((a) => a.text === 'Incident #1 acknowledged.');
    const edited = await tg.edits.waitFor((m) => m.message_id === page.message_id);
    expect(edited.text).toMatch(/\n\nAcknowledged by Maya Okafor$/);
    expect(
      must(edited.reply_markup, 'edited.reply_markup')
        .inline_keyboard.flat()
        .map((b) => b.text),
    ).toEqual(['Resolve', 'Open']);
  });

  it('a chat that blocked the bot fails the page for good, with the reason on the timeline', async () => {
    tg.block(CHAT);
    await trigger('disk', 'Disk full');
    await t.cycle();
    await tg.refused.waitFor((r) => r.error_code === 403);
    const failed = (await timeline(2)).find((e) => e.type === 'notification.failed');
    expect(failed?.message).toContain(`Paging Maya Okafor by telegram (chat ${CHAT}) failed (attempt 1): Telegram sendMessage: Forbidden: bot was blocked by the user; giving up`);
  });
});
