import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, mustFind } from '../harness.js';
import { incidentState, phoneResponder, startWithProviders, trigger, type ProvidersKlaxon } from './sms-providers-setup.js';

const UK = '+447700900123';
const UK_VOICE = '+447700900456';
const US = '+15552220002';
const FR = '+33612345678';
const FR_VOICE = '+33612345679';
const IE = '+353851234567';

describe.each(DIALECTS)('SMS and voice through Vonage, routed by country calling code (%s)', (dialect) => {
  let t: ProvidersKlaxon;
  let alice: { id: string; key: string };
  let bob: { id: string; key: string };
  let carol: { id: string; key: string };
  let eve: { id: string; key: string };
  let frank: { id: string; key: string };
  let gina: { id: string; key: string };
  const inbound = () => `${t.url}/integrations/v1/vonage/inbound`;

  beforeAll(async () => {
    // +44 goes through Vonage only; everything else through Twilio (the default order).
    t = await startWithProviders(dialect, {
      smsProviders: ['twilio', 'vonage'],
      smsRoutes: [
        { prefix: '+44', providers: ['vonage'] },
        { prefix: '+33', providers: ['plivo'] },
        { prefix: '+353', providers: ['telnyx'] },
      ],
    });
    alice = await phoneResponder(t, { name: 'Alice', phone: UK, rules: [{ type: 'sms', delayMinutes: 0 }] });
    bob = await phoneResponder(t, { name: 'Bob', phone: US, rules: [{ type: 'sms', delayMinutes: 0 }] });
    carol = await phoneResponder(t, { name: 'Carol', phone: UK_VOICE, rules: [{ type: 'voice', delayMinutes: 0 }] });
    eve = await phoneResponder(t, { name: 'Eve', phone: FR, rules: [{ type: 'sms', delayMinutes: 0 }] });
    frank = await phoneResponder(t, { name: 'Frank', phone: FR_VOICE, rules: [{ type: 'voice', delayMinutes: 0 }] });
    gina = await phoneResponder(t, {
      name: 'Gina',
      phone: IE,
      rules: [
        { type: 'sms', delayMinutes: 0 },
        { type: 'voice', delayMinutes: 0 },
      ],
    });
  });
  afterAll(() => t?.stop());

  it('routes a +44 number through Vonage and a +1 number through Twilio', async () => {
    const n1 = await trigger(t, alice.key, 'Checkout latency UK');
    const sms = await t.vonage.messages.waitFor((m) => m.to === UK.slice(1) && m.text.includes('Checkout latency UK'));
    expect(sms.from).toBe(t.vonage.number);
    expect(sms.text).toContain(`${n1}A`);
    expect(t.twilio.messages.filter((m) => m.to === UK)).toHaveLength(0);
    const n2 = await trigger(t, bob.key, 'Checkout latency US');
    await t.twilio.waitForMessage((m) => m.to === US && m.body.includes('Checkout latency US'));
    expect(t.vonage.messages.items.filter((m) => m.to === US.slice(1))).toHaveLength(0);
    expect((await incidentState(t, n2)).timeline.some((e) => e.type === 'notification.sent')).toBe(true);
  });

  it('an SMS reply through Vonage acknowledges, and the answer is texted back', async () => {
    const n = await trigger(t, alice.key, 'Payments down');
    await t.vonage.messages.waitFor((m) => m.to === UK.slice(1) && m.text.includes('Payments down'));
    const r = await t.vonage.sendInboundSms(inbound(), UK, `${n}a`);
    expect(r.status).toBe(200);
    const s = await incidentState(t, n);
    expect(s.status).toBe('acknowledged');
    expect(s.timeline.find((e) => e.type === 'incident.acknowledged')).toMatchObject({ channel: 'sms' });
    await t.cycle();
    await t.vonage.messages.waitFor((m) => m.to === UK.slice(1) && m.text.includes(`Incident #${n} acknowledged`));
  });

  it('refuses forged, stale and tampered webhooks with 403, and nothing changes', async () => {
    const n = await trigger(t, alice.key, 'Ledger lag');
    const payload = t.vonage.inboundSmsPayload(UK, `${n}a`);
    const body = JSON.stringify(payload);
    const forged = await t.vonage.post(inbound(), payload, { authorization: await t.vonage.sign(body, { secret: 'not-the-secret' }) });
    const stale = await t.vonage.post(inbound(), payload, { authorization: await t.vonage.sign(body, { iatMs: t.clock.now() - 6 * 60_000 }) });
    const tampered = await t.vonage.post(inbound(), payload, { authorization: await t.vonage.sign(JSON.stringify({ ...payload, text: 'help' })) });
    const missing = await fetch(inbound(), { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    for (const r of [forged, stale, tampered]) expect(r.status).toBe(403);
    expect(missing.status).toBe(403);
    expect(stale.text).toContain('stale');
    expect((await incidentState(t, n)).status).toBe('triggered');
    // Key presses and status reports are checked the same way.
    await t.vonage.messages.waitFor((m) => m.text.includes('Ledger lag'));
    const m = mustFind(t.vonage.messages.items, 'the Ledger lag SMS', (x) => x.text.includes('Ledger lag'));
    const st = await t.vonage.sendStatus(`${t.url}/integrations/v1/vonage/status`, m, 'undeliverable', { authorization: await t.vonage.sign('{}', { secret: 'nope' }) });
    expect(st.status).toBe(403);
    await t.cycle();
    expect((await incidentState(t, n)).timeline.filter((e) => e.type === 'notification.failover' || e.type === 'notification.failed')).toHaveLength(0);
    // And the genuine one still works after them.
    expect((await t.vonage.sendInboundSms(inbound(), UK, `${n}a`)).status).toBe(200);
    expect((await incidentState(t, n)).status).toBe('acknowledged');
  });

  it('a bad body from Vonage is a 400 that says what is wrong', async () => {
    const r = await t.vonage.post(inbound(), { channel: 'sms', from: 'not-a-number', text: 'a' });
    expect(r.status).toBe(400);
    expect(r.text).toContain('from must be a phone number');
  });

  it('a voice page through Vonage reads the incident and pressing 4 acknowledges', async () => {
    const n = await trigger(t, carol.key, 'Database failover');
    const call = await t.vonage.calls.waitFor((c) => c.to === UK_VOICE.slice(1) && JSON.stringify(c.ncco).includes('Database failover'));
    expect(call.from).toBe(t.vonage.number);
    expect(call.ncco[1]).toMatchObject({ action: 'input', type: ['dtmf'], dtmf: { maxDigits: 1 } });
    // A forged key press changes nothing.
    const forged = await t.vonage.pressKey(call, '4', { authorization: await t.vonage.sign('{}', { secret: 'x' }) });
    expect(forged.status).toBe(403);
    expect((await incidentState(t, n)).status).toBe('triggered');
    // 1 repeats the page.
    const again = await t.vonage.pressKey(call, '1');
    expect(JSON.stringify(again.json)).toContain('Database failover');
    const r = await t.vonage.pressKey(call, '4');
    expect(r.status).toBe(200);
    expect(r.json).toEqual([{ action: 'talk', text: `Incident #${n} acknowledged. Goodbye.` }]);
    const s = await incidentState(t, n);
    expect(s.status).toBe('acknowledged');
    expect(s.timeline.find((e) => e.type === 'incident.acknowledged')).toMatchObject({ channel: 'voice' });
  });

  describe('Plivo', () => {
    const smsUrl = () => `${t.url}/integrations/v1/plivo/sms`;

    it('routes +33 through Plivo; an SMS reply acknowledges and the answer is texted back', async () => {
      const n = await trigger(t, eve.key, 'Paris edge 502s');
      const sms = await t.plivo.messages.waitFor((m) => m.dst === FR.slice(1) && m.text.includes('Paris edge 502s'));
      expect(sms.src).toBe(t.plivo.number);
      expect(t.twilio.messages.filter((m) => m.to === FR)).toHaveLength(0);
      expect((await t.plivo.sendStatus(sms, 'delivered')).status).toBe(204);
      const r = await t.plivo.sendInboundSms(smsUrl(), FR, `${n} ack`);
      expect(r.status).toBe(200);
      expect((await incidentState(t, n)).status).toBe('acknowledged');
      await t.cycle();
      await t.plivo.messages.waitFor((m) => m.dst === FR.slice(1) && m.text.includes(`Incident #${n} acknowledged`));
    });

    it('refuses a forged signature and a replayed nonce with 403, and nothing changes', async () => {
      const n = await trigger(t, eve.key, 'Lyon queue stuck');
      await t.plivo.messages.waitFor((m) => m.text.includes('Lyon queue stuck'));
      expect((await t.plivo.sendInboundSms(smsUrl(), FR, `${n}a`, { token: 'not-the-token' })).status).toBe(403);
      const unsigned = await fetch(smsUrl(), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `From=${FR.slice(1)}&Text=${n}a` });
      expect(unsigned.status).toBe(403);
      expect((await incidentState(t, n)).status).toBe('triggered');
      // A genuine request, then the very same nonce again: the replay is refused.
      expect((await t.plivo.sendInboundSms(smsUrl(), FR, 'help', { nonce: 'n-1' })).status).toBe(200);
      const replay = await t.plivo.sendInboundSms(smsUrl(), FR, `${n}a`, { nonce: 'n-1' });
      expect(replay.status).toBe(403);
      expect(replay.text).toContain('already used');
      expect((await incidentState(t, n)).status).toBe('triggered');
    });

    it('a voice page through Plivo: Plivo XML with GetDigits, 6 resolves', async () => {
      const before = t.plivo.calls.items.length; // the verification call came first
      const n = await trigger(t, frank.key, 'Marseille DB down');
      const call = await t.plivo.calls.waitFor((c) => c.to === FR_VOICE.slice(1) && t.plivo.calls.items.indexOf(c) >= before);
      const answered = await t.plivo.answerCall(call);
      expect(answered.text).toContain('<GetDigits');
      expect(answered.text).toContain('Marseille DB down');
      expect((await t.plivo.pressKey(call, '6', { token: 'forged' })).status).toBe(403);
      expect((await incidentState(t, n)).status).toBe('triggered');
      const r = await t.plivo.pressKey(call, '6');
      expect(r.text).toContain(`Incident #${n} resolved.`);
      const s = await incidentState(t, n);
      expect(s.status).toBe('resolved');
      expect(s.timeline.find((e) => e.type === 'incident.resolved')).toMatchObject({ channel: 'voice' });
    });
  });

  describe('Telnyx', () => {
    const hook = () => `${t.url}/integrations/v1/telnyx/webhook`;

    it('routes +353 through Telnyx; an SMS reply acknowledges; forged and stale webhooks are refused and change nothing', async () => {
      const n = await trigger(t, gina.key, 'Dublin API errors');
      const sms = await t.telnyx.messages.waitFor((m) => m.to === IE && m.text.includes('Dublin API errors'));
      expect(sms.from).toBe(t.telnyx.number);
      expect((await t.telnyx.sendMessageStatus(sms, 'delivered')).status).toBe(200);
      const { privateKey: other } = generateKeyPairSync('ed25519');
      expect((await t.telnyx.sendInboundSms(hook(), IE, `${n}a`, { privateKey: other })).status).toBe(403);
      const stale = await t.telnyx.sendInboundSms(hook(), IE, `${n}a`, { timestampMs: t.clock.now() - 6 * 60_000 });
      expect(stale.status).toBe(403);
      expect(stale.text).toContain('stale');
      expect((await fetch(hook(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(403);
      expect((await incidentState(t, n)).status).toBe('triggered');
      expect((await t.telnyx.sendInboundSms(hook(), IE, `${n}a`)).status).toBe(200);
      expect((await incidentState(t, n)).status).toBe('acknowledged');
      await t.cycle();
      await t.telnyx.messages.waitFor((m) => m.to === IE && m.text.includes(`Incident #${n} acknowledged`));
    });

    it('a voice page through Telnyx Call Control: answered -> gather_using_speak, 4 -> acknowledged, spoken -> hangup', async () => {
      const before = t.telnyx.calls.items.length;
      const n = await trigger(t, gina.key, 'Cork DB failover');
      const call = await t.telnyx.calls.waitFor((c) => c.to === IE && t.telnyx.calls.items.indexOf(c) >= before);
      expect(call.connection_id).toBe(t.telnyx.connectionId);
      expect((await t.telnyx.callEvent(call, 'call.answered')).status).toBe(200);
      const gather = await t.telnyx.commands.waitFor((c) => c.call_control_id === call.call_control_id && c.action === 'gather_using_speak');
      expect(String(gather.body.payload)).toContain('Cork DB failover');
      const { privateKey: other } = generateKeyPairSync('ed25519');
      expect((await t.telnyx.callEvent(call, 'call.gather.ended', { digits: '4' }, { privateKey: other })).status).toBe(403);
      expect((await incidentState(t, n)).status).toBe('triggered');
      expect((await t.telnyx.callEvent(call, 'call.gather.ended', { digits: '4' })).status).toBe(200);
      const spoken = await t.telnyx.commands.waitFor((c) => c.call_control_id === call.call_control_id && c.action === 'speak');
      expect(spoken.body.payload).toBe(`Incident #${n} acknowledged. Goodbye.`);
      const s = await incidentState(t, n);
      expect(s.status).toBe('acknowledged');
      expect(s.timeline.find((e) => e.type === 'incident.acknowledged')).toMatchObject({ channel: 'voice' });
      await t.telnyx.callEvent(call, 'call.speak.ended', { client_state: spoken.body.client_state });
      await t.telnyx.commands.waitFor((c) => c.call_control_id === call.call_control_id && c.action === 'hangup');
    });

    it('a failed Telnyx delivery report, with no other provider on the route, fails the page for good', async () => {
      const n = await trigger(t, gina.key, 'Galway cache cold');
      const sms = await t.telnyx.messages.waitFor((m) => m.to === IE && m.text.includes('Galway cache cold'));
      expect((await t.telnyx.sendMessageStatus(sms, 'delivery_failed')).status).toBe(200);
      await t.cycle();
      const s = await incidentState(t, n);
      // +353 is routed to Telnyx alone: there is no next provider, so the page fails for good.
      expect(s.timeline.find((e) => e.type === 'notification.failover')?.message).toContain('through telnyx failed (delivery report: delivery_failed)');
      expect(s.timeline.find((e) => e.type === 'notification.failed')?.message).toContain('every sms provider reported this message failed (telnyx)');
    });
  });
});
