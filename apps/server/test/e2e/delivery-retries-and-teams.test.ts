import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addResponder, capture, DIALECTS, startTestKlaxon, type Responder, type TestKlaxon } from '../harness.js';

const SEC = 1000;
const MIN = 60 * SEC;

describe.each(DIALECTS)('delivery retries, permanent failures, team targets, verification (%s)', (dialect) => {
  let t: TestKlaxon;
  let dana: Responder;
  let erin: Responder;
  let key: string;

  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
    dana = await addResponder(t, { name: 'Dana', email: 'dana@example.com', phone: '+15554440001', rules: [{ type: 'sms', delayMinutes: 0 }] });
    erin = await addResponder(t, { name: 'Erin', email: 'erin@example.com', phone: '+15554440002', rules: [{ type: 'email', delayMinutes: 0 }] });
    const team = await t.api('POST', '/api/v1/teams', { name: 'SRE', members: [{ userId: dana.id }, { userId: erin.id, role: 'manager' }] });
    expect(team.status).toBe(201);
    const policy = await t.api('POST', '/api/v1/escalation-policies', { name: 'SRE', levels: [{ delayMinutes: 10, targets: [{ type: 'team', id: team.body.team.id }] }] });
    const svc = await t.api('POST', '/api/v1/services', { name: 'queue', escalationPolicyId: policy.body.escalationPolicy.id, teamId: team.body.team.id });
    key = (await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'g', kind: 'generic' })).body.integration.key;
  });
  afterAll(() => t?.stop());

  async function trigger(summary: string): Promise<{ number: number; id: string }> {
    await fetch(`${t.url}/integrations/v1/generic/${key}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ summary, dedup_key: summary }) });
    const inc = (await t.api('GET', '/api/v1/incidents?limit=1')).body.incidents[0];
    return { number: inc.number, id: inc.id };
  }
  const attempts = (incidentId: string, channel: string) =>
    t.k.ctx.db.kysely
      .selectFrom('delivery_attempts')
      .innerJoin('outbox', 'outbox.id', 'delivery_attempts.message_id')
      .select(['delivery_attempts.status', 'delivery_attempts.provider_status', 'delivery_attempts.error', 'delivery_attempts.provider_message_id'])
      .where('outbox.incident_id', '=', incidentId)
      .where('outbox.channel', '=', channel)
      .orderBy('delivery_attempts.at')
      .execute();

  it('a team target pages every member on their own channels', async () => {
    const inc = await trigger('Queue depth critical');
    await t.cycle();
    await t.twilio.waitForMessage((m) => m.to === dana.phone && m.body.includes('Queue depth'));
    await t.smtp.waitFor((m) => m.to.includes('erin@example.com') && m.subject.includes('Queue depth'));
    const level = (await t.api('GET', `/api/v1/incidents/${inc.number}/timeline`)).body.timeline.find((e: { type: string }) => e.type === 'escalation.level');
    expect(level.message).toContain('Dana');
    expect(level.message).toContain('Erin');
  });

  it('retries a temporary provider failure with backoff and records every attempt with the provider status', async () => {
    t.twilio.failNext(2, 500);
    const inc = await trigger('Consumer lag');
    await t.cycle();
    expect(t.twilio.messages.filter((m) => m.body.includes('Consumer lag'))).toHaveLength(0);
    await t.advance(15 * SEC); // first backoff
    expect(t.twilio.messages.filter((m) => m.body.includes('Consumer lag'))).toHaveLength(0);
    await t.advance(30 * SEC); // second backoff
    const sms = await t.twilio.waitForMessage((m) => m.body.includes('Consumer lag'));
    const rows = await attempts(inc.id, 'sms');
    expect(rows.map((r) => r.status)).toEqual(['retrying', 'retrying', 'sent']);
    expect(rows[2]).toMatchObject({ provider_status: sms.status, provider_message_id: sms.sid });
    const timeline = (await t.api('GET', `/api/v1/incidents/${inc.number}/timeline`)).body.timeline;
    expect(timeline.filter((e: { type: string }) => e.type === 'notification.failed')).toHaveLength(2);
    expect(timeline.find((e: { type: string; message: string }) => e.type === 'notification.sent' && e.message.includes('sms'))).toBeDefined();
    // Twilio's delivery callback is recorded too.
    expect((await t.twilio.sendStatusCallback(sms, 'delivered')).status).toBe(204);
    expect((await attempts(inc.id, 'sms')).at(-1)).toMatchObject({ status: 'callback', provider_status: 'delivered' });
  });

  it('gives up at once on a permanent failure and says so on the timeline', async () => {
    t.twilio.failNext(1, 400, { code: 21211, message: "The 'To' number is not a valid phone number.", status: 400 } as never);
    const inc = await trigger('Dead letter queue growing');
    await t.cycle();
    await t.advance(30 * MIN);
    const rows = await attempts(inc.id, 'sms');
    expect(rows.map((r) => r.status)).toEqual(['failed']);
    const failed = (await t.api('GET', `/api/v1/incidents/${inc.number}/timeline`)).body.timeline.find((e: { type: string }) => e.type === 'notification.failed');
    expect(failed.message).toContain('giving up');
  });

  it('verification codes: a wrong code is refused, five wrong codes void it, a new code works', async () => {
    const cm = await t.api('POST', `/api/v1/users/${dana.id}/contact-methods`, { name: 'work', type: 'email', address: 'dana.work@example.com' }, dana.token);
    await t.cycle();
    const mail = await t.smtp.waitFor((m) => m.to.includes('dana.work@example.com'));
    const code = capture(/(\d{6})/, mail.text);
    const wrong = code === '000000' ? '111111' : '000000';
    const id = cm.body.contactMethod.id;
    expect((await t.api('POST', `/api/v1/contact-methods/${id}/verify`, { code: wrong }, dana.token)).status).toBe(400);
    for (let i = 0; i < 4; i++) await t.api('POST', `/api/v1/contact-methods/${id}/verify`, { code: wrong }, dana.token);
    expect((await t.api('POST', `/api/v1/contact-methods/${id}/verify`, { code }, dana.token)).status).toBe(429);
    // Someone else cannot verify or touch Dana's contact method.
    expect((await t.api('POST', `/api/v1/contact-methods/${id}/verify`, { code }, erin.token)).status).toBe(403);
    expect((await t.api('POST', `/api/v1/contact-methods/${id}/send-verification`, undefined, dana.token)).status).toBe(202);
    await t.cycle();
    const second = await t.smtp.waitFor((m) => m.to.includes('dana.work@example.com') && m !== mail);
    const code2 = capture(/(\d{6})/, second.text);
    t.clock.advance(16 * MIN);
    expect((await t.api('POST', `/api/v1/contact-methods/${id}/verify`, { code: code2 }, dana.token)).body.error.message).toContain('expired');
    await t.api('POST', `/api/v1/contact-methods/${id}/send-verification`, undefined, dana.token);
    await t.cycle();
    const third = await t.smtp.waitFor((m) => m.to.includes('dana.work@example.com') && m !== mail && m !== second);
    const ok = await t.api('POST', `/api/v1/contact-methods/${id}/verify`, { code: capture(/(\d{6})/, third.text) }, dana.token);
    expect(ok.status).toBe(200);
    expect(ok.body.contactMethod.verified).toBe(true);
  });

  it('an unverified contact method is never paged', async () => {
    const frank = await t.api('POST', '/api/v1/users', { email: 'frank@example.com', name: 'Frank' });
    await t.api('POST', `/api/v1/users/${frank.body.user.id}/contact-methods`, { name: 'sms', type: 'sms', address: '+15554440009' });
    const policy = await t.api('POST', '/api/v1/escalation-policies', { name: 'Frank only', levels: [{ delayMinutes: 5, targets: [{ type: 'user', id: frank.body.user.id }] }] });
    const svc = await t.api('POST', '/api/v1/services', { name: 'frank-svc', escalationPolicyId: policy.body.escalationPolicy.id });
    const inc = await t.api('POST', '/api/v1/incidents', { service: svc.body.service.id, title: 'Nobody verified' });
    await t.cycle();
    expect(t.twilio.messages.filter((m) => m.to === '+15554440009' && m.body.includes('Nobody verified'))).toHaveLength(0);
    const skipped = (await t.api('GET', `/api/v1/incidents/${inc.body.incident.number}/timeline`)).body.timeline.find((e: { type: string }) => e.type === 'escalation.skipped');
    expect(skipped.message).toContain('Frank has no verified contact method');
  });
});
