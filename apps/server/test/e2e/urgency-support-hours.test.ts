import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addResponder, DIALECTS, startTestKlaxon, type Responder, type TestKlaxon } from '../harness.js';

const HOUR = 3_600_000;

// PagerDuty's urgency model in Klaxon: a service's urgency rule (by support hours here) sets a new
// incident's urgency, and each person's notification rules for that urgency (or any) are the ones used.
describe.each(DIALECTS)('urgency: support hours set it, notification rules follow it (%s)', (dialect) => {
  let t: TestKlaxon;
  let alice: Responder;
  let bob: Responder;
  let supportKey: string;
  let lowKey: string;
  let supportServiceId: string;

  beforeAll(async () => {
    t = await startTestKlaxon(dialect); // the clock starts Monday 2026-03-02 09:00Z (10:00 in Berlin)
    alice = await addResponder(t, {
      name: 'Alice',
      email: 'alice@example.com',
      phone: '+15552220001',
      rules: [
        { type: 'email', delayMinutes: 0 },
        { type: 'sms', delayMinutes: 0 },
      ],
    });
    bob = await addResponder(t, { name: 'Bob', email: 'bob@example.com', phone: '+15552220002', rules: [{ type: 'sms', delayMinutes: 0 }] });
    // Alice: email for low-urgency incidents, SMS for high. Bob: SMS for high only.
    for (const [who, type, urgency] of [
      [alice, 'email', 'low'],
      [alice, 'sms', 'high'],
      [bob, 'sms', 'high'],
    ] as const) {
      const rules = await t.api('GET', `/api/v1/users/${who.id}/notification-rules`);
      const old = rules.body.notificationRules.find((r: { contactMethodId: string }) => r.contactMethodId === who.methods[type]);
      expect((await t.api('DELETE', `/api/v1/notification-rules/${old.id}`)).status).toBe(204);
      const r = await t.api('POST', `/api/v1/users/${who.id}/notification-rules`, { contactMethodId: who.methods[type], delayMinutes: 0, urgency });
      expect(r.status).toBe(201);
      expect(r.body.notificationRule.urgency).toBe(urgency);
    }
    const policy = await t.api('POST', '/api/v1/escalation-policies', {
      name: 'Checkout',
      levels: [
        {
          delayMinutes: 30,
          targets: [
            { type: 'user', id: alice.id },
            { type: 'user', id: bob.id },
          ],
        },
      ],
    });
    const policyId = policy.body.escalationPolicy.id;
    const svc = await t.api('POST', '/api/v1/services', {
      name: 'checkout',
      escalationPolicyId: policyId,
      urgencyRule: { type: 'support-hours', during: 'high', outside: 'low' },
      supportHours: { timeZone: 'Europe/Berlin', days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' },
    });
    expect(svc.status).toBe(201);
    supportServiceId = svc.body.service.id;
    supportKey = (await t.api('POST', `/api/v1/services/${supportServiceId}/integrations`, { name: 'generic', kind: 'generic' })).body.integration.key;
    const low = await t.api('POST', '/api/v1/services', { name: 'batch', escalationPolicyId: policyId, urgencyRule: { type: 'constant', urgency: 'low' } });
    lowKey = (await t.api('POST', `/api/v1/services/${low.body.service.id}/integrations`, { name: 'generic', kind: 'generic' })).body.integration.key;
  });
  afterAll(() => t?.stop());

  async function trigger(key: string, dedupKey: string, summary: string, severity = 'critical'): Promise<{ number: number; urgency: string }> {
    const r = await fetch(`${t.url}/integrations/v1/generic/${key}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dedup_key: dedupKey, summary, severity, source: 'test' }),
    });
    expect(r.status).toBe(202);
    await t.cycle();
    const list = await t.api('GET', '/api/v1/incidents?status=triggered&limit=50');
    const inc = list.body.incidents.find((i: { title: string }) => i.title === summary);
    return { number: inc.number, urgency: inc.urgency };
  }

  it('inside support hours an incident is high urgency (even from a warning) and pages by the high rules only', async () => {
    const inc = await trigger(supportKey, 'a', 'Checkout latency during hours', 'warning');
    expect(inc.urgency).toBe('high');
    await t.twilio.waitForMessage((m) => m.to === alice.phone && /Checkout latency during hours/.test(m.body));
    await t.twilio.waitForMessage((m) => m.to === bob.phone && /Checkout latency during hours/.test(m.body));
    await t.cycle();
    expect(t.smtp.messages.filter((m) => /Checkout latency during hours/.test(m.subject))).toHaveLength(0);
  });

  it('outside support hours an incident is low urgency (even from a critical alert): Alice by email, Bob not at all, and the timeline says why', async () => {
    t.clock.advance(8 * HOUR); // 17:00Z = 18:00 in Berlin, after 17:00
    const inc = await trigger(supportKey, 'b', 'Checkout errors after hours', 'critical');
    expect(inc.urgency).toBe('low');
    await t.smtp.waitFor((m) => m.to.includes('alice@example.com') && /Checkout errors after hours/.test(m.subject));
    await t.cycle();
    expect(t.twilio.messages.filter((m) => /Checkout errors after hours/.test(m.body))).toHaveLength(0);
    const timeline = await t.api('GET', `/api/v1/incidents/${inc.number}/timeline`);
    const level = timeline.body.timeline.find((e: { type: string }) => e.type === 'escalation.level');
    expect(level.message).toContain('Bob has no notification rule for low-urgency incidents');
  });

  it('a constant-low service opens low-urgency incidents whatever the severity', async () => {
    const inc = await trigger(lowKey, 'c', 'Batch job failed', 'critical');
    expect(inc.urgency).toBe('low');
  });

  it('the service API shows the rule and hours, keeps them when a client leaves them out, and refuses a support-hours rule without hours', async () => {
    const got = await t.api('GET', `/api/v1/services/${supportServiceId}`);
    expect(got.body.service.urgencyRule).toEqual({ type: 'support-hours', during: 'high', outside: 'low' });
    expect(got.body.service.supportHours).toMatchObject({ timeZone: 'Europe/Berlin', start: '09:00', end: '17:00' });
    const put = await t.api('PUT', `/api/v1/services/${supportServiceId}`, { name: 'checkout', description: 'renamed nothing' });
    expect(put.status).toBe(200);
    expect(put.body.service.urgencyRule.type).toBe('support-hours');
    const bad = await t.api('POST', '/api/v1/services', { name: 'nohours', urgencyRule: { type: 'support-hours', during: 'high', outside: 'low' } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('needs supportHours');
    const badHours = await t.api('POST', '/api/v1/services', { name: 'backwards', supportHours: { timeZone: 'Europe/Berlin', days: ['mon'], start: '17:00', end: '09:00' } });
    expect(badHours.status).toBe(400);
    expect(JSON.stringify(badHours.body)).toContain('supportHours.end');
    const badZone = await t.api('POST', '/api/v1/services', { name: 'nozone', supportHours: { timeZone: 'Mars/Olympus', days: ['mon'], start: '09:00', end: '17:00' } });
    expect(badZone.status).toBe(400);
  });

  it('notification rules: an unknown urgency is a 400, and a second rule on the same method and delay for the other urgency is a 409 that says to use any', async () => {
    const bad = await t.api('POST', `/api/v1/users/${alice.id}/notification-rules`, { contactMethodId: alice.methods.sms, delayMinutes: 5, urgency: 'medium' });
    expect(bad.status).toBe(400);
    const clash = await t.api('POST', `/api/v1/users/${alice.id}/notification-rules`, { contactMethodId: alice.methods.sms, delayMinutes: 0, urgency: 'low' });
    expect(clash.status).toBe(409);
    expect(clash.body.error.message).toContain('use urgency "any"');
  });
});
