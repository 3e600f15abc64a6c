import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capture, DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';

describe.each(DIALECTS)('voice: call once more when a page is not answered (%s)', (dialect) => {
  let t: TestKlaxon;
  let maya: { id: string; token: string };
  let routingKey: string;
  const PHONE = '+15550001111';

  const trigger = async (dedupKey: string, summary: string) => {
    const res = await fetch(`${t.url}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ routing_key: routingKey, event_action: 'trigger', dedup_key: dedupKey, payload: { summary, source: 'db', severity: 'critical' } }),
    });
    expect(res.status).toBe(202);
  };
  const callsTo = () => t.twilio.calls.filter((c) => c.to === PHONE);

  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
    const u = await t.api('POST', '/api/v1/users', { email: 'maya@example.com', name: 'Maya Okafor', role: 'responder', timeZone: 'Europe/Berlin' });
    const tok = await t.api('POST', `/api/v1/users/${u.body.user.id}/tokens`, { name: 'phone' });
    maya = { id: u.body.user.id, token: tok.body.token };
    const policy = await t.api('POST', '/api/v1/escalation-policies', { name: 'Data', levels: [{ delayMinutes: 5, targets: [{ type: 'user', id: maya.id }] }] });
    const svc = await t.api('POST', '/api/v1/services', { name: 'orders-db', escalationPolicyId: policy.body.escalationPolicy.id });
    routingKey = (await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'pd', kind: 'pagerduty' })).body.integration.key;
  });
  afterAll(() => t?.stop());

  it('the setting is for voice methods only', async () => {
    const bad = await t.api('POST', `/api/v1/users/${maya.id}/contact-methods`, { name: 'sms', type: 'sms', address: PHONE, repeatIfUnanswered: true }, maya.token);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('repeatIfUnanswered: is for voice contact methods only');
  });

  it('a voice method set to repeat: an unanswered page call is followed by one more call, and no more', async () => {
    const cm = await t.api('POST', `/api/v1/users/${maya.id}/contact-methods`, { name: 'Phone', type: 'voice', address: PHONE, repeatIfUnanswered: true }, maya.token);
    expect(cm.status).toBe(201);
    expect(cm.body.contactMethod.repeatIfUnanswered).toBe(true);
    await t.cycle();
    const vcall = await t.twilio.waitForCall((c) => c.to === PHONE);
    const code = capture(/verification code is ([\d, ]+?)\./, await t.twilio.fetchTwiml(vcall)).replace(/\D/g, '');
    expect((await t.api('POST', `/api/v1/contact-methods/${cm.body.contactMethod.id}/verify`, { code }, maya.token)).status).toBe(200);
    expect((await t.api('POST', `/api/v1/users/${maya.id}/notification-rules`, { contactMethodId: cm.body.contactMethod.id, delayMinutes: 0 }, maya.token)).status).toBe(201);
    // An unanswered verification call is not repeated (only pages are).
    await t.twilio.sendStatusCallback(vcall, 'no-answer');
    await t.cycle();
    expect(callsTo()).toHaveLength(1);

    await trigger('lag', 'Replica lag');
    await t.cycle();
    const first = await t.twilio.waitForCall((c) => c.to === PHONE && c !== vcall);
    expect((await t.twilio.sendStatusCallback(first, 'no-answer')).status).toBe(204);
    await t.cycle();
    const second = await t.twilio.waitForCall((c) => c.to === PHONE && c !== vcall && c !== first);
    expect(await t.twilio.fetchTwiml(second)).toContain('Replica lag');
    // The repeat goes unanswered too: nothing more.
    await t.twilio.sendStatusCallback(second, 'busy');
    await t.cycle();
    expect(callsTo()).toHaveLength(3);
    await t.api('POST', '/api/v1/incidents/1/resolve');
  });

  it('an answered call is not repeated; a forged status callback repeats nothing', async () => {
    await trigger('disk', 'Disk full');
    await t.cycle();
    const call = await t.twilio.waitForCall((c) => c.to === PHONE && (c.twiml ?? '') === '' && callsTo().indexOf(c) === 3);
    await t.twilio.sendStatusCallback(call, 'completed');
    await t.cycle();
    expect(callsTo()).toHaveLength(4);
    const forged = await fetch(`${t.url}/integrations/v1/twilio/status?message=x`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'bad' },
      body: 'CallStatus=no-answer',
    });
    expect(forged.status).toBe(403);
    await t.cycle();
    expect(callsTo()).toHaveLength(4);
  });
});
