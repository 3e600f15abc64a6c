import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../harness.js';
import { incidentState, phoneResponder, startWithProviders, trigger, type ProvidersKlaxon } from './sms-providers-setup.js';
import { must } from '../../src/lib/must.js';

const PHONE = '+447700900789';
const DIGITS = PHONE.slice(1);

describe.each(DIALECTS)('SMS failover between providers (%s)', (dialect) => {
  let t: ProvidersKlaxon;
  let dan: { id: string; key: string };

  beforeAll(async () => {
    // Vonage first, Twilio next; a provider that has not answered after 300 ms has failed.
    t = await startWithProviders(dialect, { smsProviders: ['vonage', 'twilio'], smsProviderTimeoutMs: 300 });
    dan = await phoneResponder(t, {
      name: 'Dan',
      phone: PHONE,
      rules: [
        { type: 'sms', delayMinutes: 0 },
        { type: 'voice', delayMinutes: 5 },
      ],
    });
  });
  afterAll(() => t?.stop());

  const failovers = async (n: number) => (await incidentState(t, n)).timeline.filter((e) => e.type === 'notification.failover');

  it('Vonage answers 500: Twilio sends the page in the same cycle, and the timeline says so', async () => {
    t.vonage.failNext(1, 500);
    const n = await trigger(t, dan.key, 'Search index stale');
    await t.twilio.waitForMessage((m) => m.to === PHONE && m.body.includes('Search index stale'), 1000);
    expect(t.vonage.messages.items.filter((m) => m.text.includes('Search index stale'))).toHaveLength(0);
    const f = await failovers(n);
    expect(f).toHaveLength(1);
    expect(must(f[0], 'the failover event').message).toMatch(/^Paging Dan by sms \(\+44…0789\) through vonage failed \(Vonage Messages: Internal Error.*\); trying twilio$/);
    const s = await incidentState(t, n);
    expect(s.timeline.some((e) => e.type === 'notification.sent')).toBe(true);
    expect(s.timeline.some((e) => e.type === 'notification.failed')).toBe(false);
  });

  it('Vonage does not answer: after the provider timeout Twilio sends it', async () => {
    t.vonage.hangNext(1);
    const n = await trigger(t, dan.key, 'Queue backlog');
    await t.twilio.waitForMessage((m) => m.to === PHONE && m.body.includes('Queue backlog'), 1000);
    const f = await failovers(n);
    expect(f).toHaveLength(1);
    expect(must(f[0], 'the failover event').message).toContain('no answer within 300 ms');
  });

  it('a failed delivery-status callback from Vonage sends the page again through Twilio', async () => {
    const n = await trigger(t, dan.key, 'Disk full on db-2');
    const sms = await t.vonage.messages.waitFor((m) => m.to === DIGITS && m.text.includes('Disk full on db-2'));
    expect(t.twilio.messages.filter((m) => m.body.includes('Disk full on db-2'))).toHaveLength(0);
    expect((await t.vonage.sendStatus(`${t.url}/integrations/v1/vonage/status`, sms, 'delivered')).status).toBe(204);
    await t.cycle();
    expect(t.twilio.messages.filter((m) => m.body.includes('Disk full on db-2'))).toHaveLength(0); // delivered: nothing more
    expect((await t.vonage.sendStatus(`${t.url}/integrations/v1/vonage/status`, sms, 'undeliverable')).status).toBe(204);
    await t.cycle();
    await t.twilio.waitForMessage((m) => m.to === PHONE && m.body.includes('Disk full on db-2'), 1000);
    const f = await failovers(n);
    expect(f).toHaveLength(1);
    expect(must(f[0], 'the failover event').message).toContain('through vonage failed (delivery report: undeliverable)');
    // The same report again changes nothing more (the message is now Twilio's).
    await t.vonage.sendStatus(`${t.url}/integrations/v1/vonage/status`, sms, 'undeliverable');
    await t.cycle();
    expect(t.twilio.messages.filter((m) => m.body.includes('Disk full on db-2'))).toHaveLength(1);
    expect(await failovers(n)).toHaveLength(1);
  });

  it('every provider fails: the page fails for good and the next rule (a call due in 5 minutes) is placed at once', async () => {
    t.vonage.failNext(1, 500);
    t.twilio.failNext(1, 500);
    const callsBefore = t.vonage.calls.items.length + t.twilio.calls.length;
    const n = await trigger(t, dan.key, 'Payments API 500s');
    await t.cycle(); // the notification plan moved on: the call is due now, not at +5 minutes
    const s = await incidentState(t, n);
    const failed = s.timeline.find((e) => e.type === 'notification.failed');
    expect(failed?.message).toMatch(/every sms provider failed: vonage: .*; twilio: .*; giving up$/);
    expect(s.timeline.filter((e) => e.type === 'notification.failover')).toHaveLength(1);
    const call = await t.vonage.calls.waitFor((c) => c.to === DIGITS && JSON.stringify(c.ncco).includes('Payments API 500s'), 1000);
    expect(call).toBeDefined();
    expect(t.vonage.calls.items.length + t.twilio.calls.length).toBe(callsBefore + 1);
  });

  it('without the failure the call waits out its 5 minutes', async () => {
    const n = await trigger(t, dan.key, 'Cache hit rate low');
    await t.vonage.messages.waitFor((m) => m.text.includes('Cache hit rate low'));
    await t.cycle();
    expect(t.vonage.calls.items.filter((c) => JSON.stringify(c.ncco).includes('Cache hit rate low'))).toHaveLength(0);
    await t.advance(5 * 60_000);
    await t.vonage.calls.waitFor((c) => JSON.stringify(c.ncco).includes('Cache hit rate low'), 1000);
    expect((await incidentState(t, n)).status).toBe('triggered');
  });

  it('the last provider reporting failure by callback also moves the plan on', async () => {
    const n = await trigger(t, dan.key, 'Mail queue stuck');
    const sms = await t.vonage.messages.waitFor((m) => m.text.includes('Mail queue stuck'));
    await t.vonage.sendStatus(`${t.url}/integrations/v1/vonage/status`, sms, 'rejected');
    await t.cycle();
    const tw = await t.twilio.waitForMessage((m) => m.body.includes('Mail queue stuck'), 1000);
    expect((await t.twilio.sendStatusCallback(tw, 'undelivered')).status).toBe(204);
    await t.cycle();
    await t.cycle();
    const s = await incidentState(t, n);
    expect(s.timeline.filter((e) => e.type === 'notification.failover')).toHaveLength(2);
    expect(s.timeline.find((e) => e.type === 'notification.failed')?.message).toContain('every sms provider reported this message failed (vonage, twilio)');
    await t.vonage.calls.waitFor((c) => JSON.stringify(c.ncco).includes('Mail queue stuck'), 1000);
  });
});

describe.each(DIALECTS)('voice failover from Telnyx (%s)', (dialect) => {
  let t: ProvidersKlaxon;
  let eve: { id: string; key: string };
  const EVE = '+447700900321';

  beforeAll(async () => {
    // Telnyx first, Twilio next, for calls as for texts.
    t = await startWithProviders(dialect, { smsProviders: ['telnyx', 'twilio'] });
    eve = await phoneResponder(t, { name: 'Eve', phone: EVE, rules: [{ type: 'voice', delayMinutes: 0 }] });
  });
  afterAll(() => t?.stop());

  const twilioCalls = () => t.twilio.calls.filter((c) => c.to === EVE);

  it('a Telnyx call that ends not_found (the call could not be put through) is placed again through Twilio; the timeline says why', async () => {
    const before = t.telnyx.calls.items.length;
    const n = await trigger(t, eve.key, 'Ledger replica down');
    const call = await t.telnyx.calls.waitFor((c) => c.to === EVE && t.telnyx.calls.items.indexOf(c) >= before, 1000);
    expect(twilioCalls()).toHaveLength(0);
    expect((await t.telnyx.callEvent(call, 'call.hangup', { hangup_cause: 'not_found', hangup_source: 'unknown', sip_hangup_cause: '404' })).status).toBe(200);
    await t.cycle();
    expect(twilioCalls()).toHaveLength(1);
    const f = (await incidentState(t, n)).timeline.filter((e) => e.type === 'notification.failover');
    expect(f).toHaveLength(1);
    expect(must(f[0], 'the failover event').message).toMatch(/^Paging Eve by voice \(.*\) through telnyx failed \(delivery report: not_found\); trying the next provider, if any$/);
  });

  it('call_rejected fails over too; busy, no answer and a normal end do not', async () => {
    const place = async (title: string) => {
      const before = t.telnyx.calls.items.length;
      await trigger(t, eve.key, title);
      return t.telnyx.calls.waitFor((c) => c.to === EVE && t.telnyx.calls.items.indexOf(c) >= before, 1000);
    };
    for (const cause of ['user_busy', 'no_answer', 'normal_clearing']) {
      const call = await place(`Quiet ${cause}`);
      expect((await t.telnyx.callEvent(call, 'call.hangup', { hangup_cause: cause, hangup_source: 'callee' })).status).toBe(200);
      await t.cycle();
      expect(twilioCalls(), cause).toHaveLength(1);
    }
    const call = await place('Rejected by the network');
    expect((await t.telnyx.callEvent(call, 'call.hangup', { hangup_cause: 'call_rejected', hangup_source: 'callee', sip_hangup_cause: '603' })).status).toBe(200);
    await t.cycle();
    expect(twilioCalls()).toHaveLength(2);
  });

  it('a forged call.hangup is refused and nothing fails over', async () => {
    const before = t.telnyx.calls.items.length;
    await trigger(t, eve.key, 'Forged hangup target');
    const call = await t.telnyx.calls.waitFor((c) => c.to === EVE && t.telnyx.calls.items.indexOf(c) >= before, 1000);
    const { generateKeyPairSync } = await import('node:crypto');
    const r = await t.telnyx.callEvent(call, 'call.hangup', { hangup_cause: 'not_found' }, { privateKey: generateKeyPairSync('ed25519').privateKey });
    expect(r.status).toBe(403);
    await t.cycle();
    expect(twilioCalls()).toHaveLength(2);
  });
});
