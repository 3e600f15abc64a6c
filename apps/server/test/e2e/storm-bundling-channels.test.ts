import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeNtfy } from '../fakes/ntfy/server.js';
import { FakePushover } from '../fakes/pushover/server.js';
import { FakeTelegram } from '../fakes/telegram/server.js';
import { FakeTwilio } from '../fakes/twilio.js';
import { capture, DIALECTS, mustFind, startTestKlaxon, type TestKlaxon } from '../harness.js';
import { must } from '../../src/lib/must.js';

const MIN = 60_000;
const SECRET = 'tg-webhook-secret-0123456789abcdef';
const WA_FROM = '+14155238886';
const PHONE = '+4915112345678';
const CHAT = '4242001';

// Storms on the push and chat channels (docs/paging.md, "Storms"): ntfy, Pushover and Telegram are
// limited like web push (10 per 15 min), WhatsApp like SMS (5 per 15 min); what is held goes out as one
// bundle with an acknowledge-all that acknowledges every incident in it. One person per channel, each
// on a service of their own, so each channel's acknowledge-all is seen on its own incidents.
describe.each(DIALECTS)('storms on ntfy, Pushover, Telegram and WhatsApp (%s)', (dialect) => {
  let t: TestKlaxon;
  const ntfy = new FakeNtfy();
  const pushover = new FakePushover();
  const tg = new FakeTelegram();
  const twilio = new FakeTwilio();
  const keys: Record<string, string> = {};
  const numbers: Record<string, number[]> = { ntfy: [], pushover: [], telegram: [], whatsapp: [] };
  const numbersOf = (channel: string): number[] => must(numbers[channel], `incident numbers of ${channel}`);

  const person = async (name: string) => {
    const u = await t.api('POST', '/api/v1/users', { email: `${name}@example.com`, name, role: 'responder', timeZone: 'Europe/Berlin' });
    const tok = await t.api('POST', `/api/v1/users/${u.body.user.id}/tokens`, { name: 'phone' });
    return { id: u.body.user.id as string, token: tok.body.token as string };
  };
  const rule = async (p: { id: string; token: string }, cmId: string) =>
    expect((await t.api('POST', `/api/v1/users/${p.id}/notification-rules`, { contactMethodId: cmId, delayMinutes: 0 }, p.token)).status).toBe(201);
  const service = async (name: string, userId: string) => {
    const policy = await t.api('POST', '/api/v1/escalation-policies', { name, levels: [{ delayMinutes: 60, targets: [{ type: 'user', id: userId }] }] });
    const svc = await t.api('POST', '/api/v1/services', { name, escalationPolicyId: policy.body.escalationPolicy.id });
    return (await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'generic', kind: 'generic' })).body.integration.key as string;
  };
  /** Opens incidents `from`..`to` on each channel's service, all in one request per service. */
  const storm = async (from: number, to: number) => {
    for (const [ch, key] of Object.entries(keys)) {
      const events = Array.from({ length: to - from + 1 }, (_, i) => ({ dedup_key: `${ch}-${from + i}`, summary: `${ch} storm ${from + i}`, severity: 'critical' }));
      const r = await fetch(`${t.url}/integrations/v1/generic/${key}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(events) });
      expect(r.status).toBe(202);
    }
  };
  const incident = async (n: number) => (await t.api('GET', `/api/v1/incidents/${n}`)).body.incident;
  const timeline = async (n: number) => (await t.api('GET', `/api/v1/incidents/${n}/timeline`)).body.timeline as { type: string; message: string; channel?: string }[];
  const ntfyPages = () => ntfy.messages.items.filter((m) => m.topic === 'storm' && !/^Klaxon/.test(m.title ?? ''));
  const pushoverPages = () => pushover.messages.items.filter((m) => !/^Klaxon/.test(m.title ?? ''));
  const tgPages = () => tg.sent.items.filter((m) => m.chat_id === CHAT && /storm|new incidents/.test(m.text));
  const waPages = () => twilio.messages.filter((m) => m.to === `whatsapp:${PHONE}` && /storm|new incidents/.test(m.body));

  beforeAll(async () => {
    await Promise.all([ntfy.start(), pushover.start(), tg.start()]);
    const { url } = await twilio.start();
    t = await startTestKlaxon(dialect, {
      pushover: { token: pushover.token, baseUrl: pushover.url },
      telegram: { botToken: tg.token, webhookSecret: SECRET, botUsername: 'KlaxonTestBot', baseUrl: tg.url },
      twilio: { accountSid: twilio.accountSid, authToken: twilio.authToken, fromNumber: twilio.phoneNumber, baseUrl: url, whatsappFrom: WA_FROM },
    });
    expect(
      (
        await fetch(`${tg.url}/bot${tg.token}/setWebhook`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ url: `${t.url}/integrations/v1/telegram/webhook`, secret_token: SECRET }),
        })
      ).status,
    ).toBe(200);

    // ntfy
    const nadia = await person('Nadia');
    let cm = await t.api('POST', `/api/v1/users/${nadia.id}/contact-methods`, { name: 'ntfy', type: 'ntfy', address: `${ntfy.url}/storm` }, nadia.token);
    await t.cycle();
    let code = capture(/\b(\d{6})\b/, (await ntfy.messages.waitFor((x) => x.title === 'Klaxon verification code')).message);
    expect((await t.api('POST', `/api/v1/contact-methods/${cm.body.contactMethod.id}/verify`, { code }, nadia.token)).status).toBe(200);
    await rule(nadia, cm.body.contactMethod.id);
    keys.ntfy = await service('ntfy-svc', nadia.id);
    // Pushover
    const pia = await person('Pia');
    cm = await t.api('POST', `/api/v1/users/${pia.id}/contact-methods`, { name: 'Pushover', type: 'pushover', address: pushover.newUser() }, pia.token);
    await t.cycle();
    code = capture(/\b(\d{6})\b/, (await pushover.messages.waitFor((x) => x.title === 'Klaxon verification code')).message);
    expect((await t.api('POST', `/api/v1/contact-methods/${cm.body.contactMethod.id}/verify`, { code }, pia.token)).status).toBe(200);
    await rule(pia, cm.body.contactMethod.id);
    keys.pushover = await service('pushover-svc', pia.id);
    // Telegram
    const tom = await person('Tom');
    const link = await t.api('POST', `/api/v1/users/${tom.id}/telegram-link`, undefined, tom.token);
    expect(await tg.userSends(CHAT, `/start ${link.body.code}`)).toBe(200);
    await tg.sent.waitFor((m) => m.chat_id === CHAT && m.text.startsWith('Linked'));
    const methods = (await t.api('GET', `/api/v1/users/${tom.id}/contact-methods`, undefined, tom.token)).body.contactMethods as { id: string; type: string }[];
    const tgCm = mustFind(methods, 'the telegram contact method', (m) => m.type === 'telegram');
    await rule(tom, tgCm.id);
    keys.telegram = await service('telegram-svc', tom.id);
    // WhatsApp
    const wes = await person('Wes');
    cm = await t.api('POST', `/api/v1/users/${wes.id}/contact-methods`, { name: 'WhatsApp', type: 'whatsapp', address: PHONE }, wes.token);
    await t.cycle();
    const v = await twilio.waitForMessage((x) => x.to === `whatsapp:${PHONE}` && /verification/i.test(x.body));
    expect((await t.api('POST', `/api/v1/contact-methods/${cm.body.contactMethod.id}/verify`, { code: capture(/\b(\d{6})\b/, v.body) }, wes.token)).status).toBe(200);
    await rule(wes, cm.body.contactMethod.id);
    keys.whatsapp = await service('whatsapp-svc', wes.id);
  });
  afterAll(async () => {
    await t?.stop();
    await Promise.all([ntfy.close(), pushover.close(), tg.close(), twilio.close()]);
  });

  it('six incidents a second apart: one page each, except WhatsApp, which holds the sixth (5 per 15 min)', async () => {
    for (let i = 1; i <= 6; i++) {
      await storm(i, i);
      await t.advance(1000);
    }
    const list = (await t.api('GET', '/api/v1/incidents?q=storm&limit=100')).body.incidents as { number: number; title: string }[];
    for (const i of list) numbersOf(must(i.title.split(' ')[0], 'the channel word of the title')).push(i.number);
    expect(ntfyPages()).toHaveLength(6);
    expect(pushoverPages()).toHaveLength(6);
    expect(tgPages()).toHaveLength(6);
    expect(waPages()).toHaveLength(5);
    const held = Math.max(...numbersOf('whatsapp'));
    expect((await timeline(held)).find((e) => e.type === 'notification.held')?.message).toMatch(/^Held the page to Wes by whatsapp \(WhatsApp\): its limit of 5 per 15 min is reached/);
  });

  it('ten more at once: ntfy, Pushover and Telegram send one bundle each naming all ten; WhatsApp holds them', async () => {
    await storm(7, 16);
    await t.advance(1000);
    const list = (await t.api('GET', '/api/v1/incidents?q=storm&limit=100')).body.incidents as { number: number; title: string }[];
    for (const k of Object.keys(numbers))
      numbers[k] = list
        .filter((i) => i.title.startsWith(`${k} `))
        .map((i) => i.number)
        .sort((a, b) => a - b);
    expect(ntfyPages()).toHaveLength(7);
    expect(pushoverPages()).toHaveLength(7);
    expect(tgPages()).toHaveLength(7);
    expect(waPages()).toHaveLength(5);
    const later = (k: string) => numbersOf(k).slice(6);

    const n = must(ntfyPages()[6], 'ntfyPages()[6]');
    expect(n).toMatchObject({ title: '10 new incidents on ntfy-svc', priority: 5 });
    for (const x of later('ntfy')) expect(n.message).toContain(`#${x} `);
    expect(n.actions?.[0]).toMatchObject({ action: 'http', label: 'Acknowledge all 10', method: 'POST' });

    const p = must(pushoverPages()[6], 'pushoverPages()[6]');
    expect(p).toMatchObject({ title: '10 new incidents on pushover-svc', priority: 2 });
    for (const x of later('pushover')) expect(p.message).toContain(`#${x} `);
    expect(p.receipt).toBeTruthy();

    const m = must(tgPages()[6], 'tgPages()[6]');
    expect(m.text).toMatch(/10 new incidents on telegram-svc/);
    for (const x of later('telegram')) expect(m.text).toContain(`#${x} `);
    expect(JSON.stringify(m.reply_markup)).toContain('Acknowledge all 10');

    // Each incident's timeline says it went out in that one message.
    expect((await timeline(must(later('ntfy')[9], 'the tenth later ntfy incident'))).find((e) => e.type === 'notification.bundled')?.message).toMatch(
      /^Paged Nadia by ntfy .* in one message about 10 incidents/,
    );
  });

  it("each channel's acknowledge-all acknowledges every incident of its bundle, and only those", async () => {
    const ntfyBundle = must(ntfyPages()[6], 'ntfyPages()[6]');
    expect((await ntfy.press(ntfyBundle, 'Acknowledge all 10')).status).toBe(200);
    expect(await pushover.acknowledge(must(must(pushoverPages()[6], 'pushoverPages()[6]').receipt, 'the receipt of the pushover bundle'))).toBe(204);
    expect(await tg.press(must(tgPages()[6], 'tgPages()[6]'), 'Acknowledge all 10')).toBe(200);
    for (const [k, via] of [
      ['ntfy', 'ntfy'],
      ['pushover', 'pushover'],
      ['telegram', 'telegram'],
    ] as const) {
      for (const x of numbersOf(k).slice(6)) {
        expect((await incident(x)).status, `${k} #${x}`).toBe('acknowledged');
        expect((await timeline(x)).find((e) => e.type === 'incident.acknowledged')?.channel).toBe(via);
      }
      // The six paged on their own are untouched.
      for (const x of numbersOf(k).slice(0, 6)) expect((await incident(x)).status, `${k} #${x}`).toBe('triggered');
    }
    // Telegram edits the bundle to say who acknowledged it.
    await tg.sent.waitFor((s) => s.chat_id === CHAT && /Acknowledged by Tom$/.test(s.text));
  });

  it('after the window WhatsApp sends the eleven held as one message; a bare "A" reply acknowledges all eleven', async () => {
    await t.advance(15 * MIN);
    expect(waPages()).toHaveLength(6);
    const b = must(waPages()[5], 'waPages()[5]');
    expect(b.body).toMatch(/^Klaxon: 11 new incidents on whatsapp-svc: /);
    expect(b.body).toMatch(/Reply A to ack all 11$/);
    const r = await twilio.sendInboundSms({ to: `${t.url}/integrations/v1/twilio/sms`, from: `whatsapp:${PHONE}`, toNumber: `whatsapp:${WA_FROM}`, body: 'A' });
    expect(r.status).toBe(200);
    for (const x of numbersOf('whatsapp').slice(5)) expect((await incident(x)).status, `whatsapp #${x}`).toBe('acknowledged');
    for (const x of numbersOf('whatsapp').slice(0, 5)) expect((await incident(x)).status).toBe('triggered');
  });
});
