import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTwilio } from '../fakes/twilio.js';
import { capture, DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';

const WA_FROM = '+14155238886';

describe.each(DIALECTS)('WhatsApp through Twilio: page, acknowledge by reply (%s)', (dialect) => {
  let t: TestKlaxon;
  const twilio = new FakeTwilio();
  let maya: { id: string; token: string };
  let cmId: string;
  let routingKey: string;
  const PHONE = '+4915112345678';

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
  const reply = (body: string, signWith?: string) => twilio.sendInboundSms({ to: `${t.url}/integrations/v1/twilio/sms`, from: `whatsapp:${PHONE}`, toNumber: `whatsapp:${WA_FROM}`, body, signWith });

  beforeAll(async () => {
    // Twilio with a WhatsApp sender: a Twilio fake of this file's own.
    const { url } = await twilio.start();
    t = await startTestKlaxon(dialect, { twilio: { accountSid: twilio.accountSid, authToken: twilio.authToken, fromNumber: twilio.phoneNumber, baseUrl: url, whatsappFrom: WA_FROM } });
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
    await twilio.close();
  });

  it('a WhatsApp number gets its verification code through Twilio as whatsapp:+E164; the test page button sends a test', async () => {
    const cm = await t.api('POST', `/api/v1/users/${maya.id}/contact-methods`, { name: 'WhatsApp', type: 'whatsapp', address: '+49 151 1234 5678' }, maya.token);
    expect(cm.status).toBe(201);
    cmId = cm.body.contactMethod.id;
    expect(cm.body.contactMethod.address).toBe(PHONE);
    await t.cycle();
    const m = await twilio.waitForMessage((x) => x.to === `whatsapp:${PHONE}` && /verification/i.test(x.body));
    expect(m.from).toBe(`whatsapp:${WA_FROM}`);
    const v = await t.api('POST', `/api/v1/contact-methods/${cmId}/verify`, { code: capture(/\b(\d{6})\b/, m.body) }, maya.token);
    expect(v.status).toBe(200);
    expect((await t.api('POST', `/api/v1/users/${maya.id}/notification-rules`, { contactMethodId: cmId, delayMinutes: 0 }, maya.token)).status).toBe(201);
    expect((await t.api('POST', `/api/v1/contact-methods/${cmId}/test`, undefined, maya.token)).status).toBe(202);
    await t.cycle();
    await twilio.waitForMessage((x) => x.to === `whatsapp:${PHONE}` && x.body.startsWith('Klaxon test'));
  });

  it('a page arrives on WhatsApp with the reply codes', async () => {
    await trigger('replica-lag', 'Replica lag');
    await t.cycle();
    const m = await twilio.waitForMessage((x) => x.to === `whatsapp:${PHONE}` && x.body.includes('#1 '));
    expect(m.body).toBe('Klaxon #1 CRITICAL orders-db: Replica lag. Reply 1A to ack, 1R to resolve');
    expect((await timeline(1)).find((e) => e.type === 'notification.sent')?.message).toContain('by whatsapp (+49…5678)');
  });

  it('a forged reply (bad signature) is refused and changes nothing', async () => {
    const r = await reply('1A', 'not-the-auth-token');
    expect(r.status).toBe(403);
    expect((await incident(1)).status).toBe('triggered');
  });

  it('a reply from a number that is only an SMS contact is not taken as WhatsApp', async () => {
    const r = await twilio.sendInboundSms({ to: `${t.url}/integrations/v1/twilio/sms`, from: PHONE, body: '1A' });
    expect(r.body).toContain('not registered');
    expect((await incident(1)).status).toBe('triggered');
  });

  it('replying "1A" on WhatsApp acknowledges as Maya via WhatsApp; a bare "R" resolves the latest page', async () => {
    const r = await reply('1A');
    expect(r.status).toBe(200);
    expect(r.body).toContain('Incident #1 acknowledged.');
    expect(await incident(1)).toMatchObject({ status: 'acknowledged', acknowledgedBy: maya.id });
    expect((await timeline(1)).find((e) => e.type === 'incident.acknowledged')).toMatchObject({ channel: 'whatsapp' });
    expect((await reply('R')).body).toContain('Incident #1 resolved.');
    expect((await incident(1)).status).toBe('resolved');
  });

  it('a failed send (Twilio refuses) is on the timeline', async () => {
    twilio.failNext(1, 400, { code: 63016, message: 'Failed to send freeform message because you are outside the allowed window.' });
    await trigger('disk', 'Disk full');
    await t.cycle();
    const failed = (await timeline(2)).find((e) => e.type === 'notification.failed');
    expect(failed?.message).toContain(
      'Paging Maya Okafor by whatsapp (+49…5678) failed (attempt 1): Twilio Messages: Failed to send freeform message because you are outside the allowed window. (code 63016); giving up',
    );
  });
});
