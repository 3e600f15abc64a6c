import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addResponder, DIALECTS, startTestKlaxon, type Responder, type TestKlaxon } from '../harness.js';

const MIN = 60_000;

describe.each(DIALECTS)('nobody acknowledges: level 2 gets SMS and voice, and replies acknowledge (%s)', (dialect) => {
  let t: TestKlaxon;
  let alice: Responder;
  let bob: Responder;
  let key: string;

  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
    alice = await addResponder(t, { name: 'Alice', email: 'alice@example.com', phone: '+15552220001', rules: [{ type: 'email', delayMinutes: 0 }] });
    bob = await addResponder(t, {
      name: 'Bob',
      email: 'bob@example.com',
      phone: '+15552220002',
      rules: [
        { type: 'sms', delayMinutes: 0 },
        { type: 'voice', delayMinutes: 2 },
      ],
    });
    const policy = await t.api('POST', '/api/v1/escalation-policies', {
      name: 'Payments',
      levels: [
        { delayMinutes: 5, targets: [{ type: 'user', id: alice.id }] },
        { delayMinutes: 10, targets: [{ type: 'user', id: bob.id }] },
      ],
    });
    const svc = await t.api('POST', '/api/v1/services', { name: 'payments', escalationPolicyId: policy.body.escalationPolicy.id });
    const integ = await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'generic', kind: 'generic' });
    key = integ.body.integration.key;
  });
  afterAll(() => t?.stop());

  async function trigger(dedupKey: string, summary: string): Promise<number> {
    const r = await fetch(`${t.url}/integrations/v1/generic/${key}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dedup_key: dedupKey, summary, severity: 'critical', source: 'pay-1' }),
    });
    expect(r.status).toBe(202);
    await t.cycle();
    const inc = await t.api('GET', '/api/v1/incidents?status=triggered&limit=1');
    return inc.body.incidents[0].number as number;
  }

  it('escalates to Bob by SMS after 5 minutes, then voice 2 minutes later; an SMS reply acknowledges and stops the call', async () => {
    const n = await trigger('card-auth', 'Card authorisations failing');
    await t.smtp.waitFor((m) => m.to.includes('alice@example.com') && /Card authorisations/.test(m.subject));
    expect(t.twilio.messages.filter((m) => m.to === bob.phone && /Card/.test(m.body))).toHaveLength(0);

    await t.advance(4 * MIN);
    expect(t.twilio.messages.filter((m) => m.to === bob.phone && /Card/.test(m.body))).toHaveLength(0);

    await t.advance(1 * MIN);
    const sms = await t.twilio.waitForMessage((m) => m.to === bob.phone && /Card authorisations/.test(m.body));
    expect(sms.body).toContain(`${n}A`);
    expect(sms.from).toBe(t.twilio.phoneNumber);

    // Bob replies "<n>a" from his phone; Twilio posts it, signed, to Klaxon.
    const answer = await t.twilio.sendInboundSms({ to: `${t.url}/integrations/v1/twilio/sms`, from: bob.phone, body: `${n}a` });
    expect(answer.status).toBe(200);
    expect(answer.body).toContain(`Incident #${n} acknowledged`);
    const inc = await t.api('GET', `/api/v1/incidents/${n}`);
    expect(inc.body.incident.status).toBe('acknowledged');
    expect(inc.body.incident.acknowledgedBy).toBe(bob.id);

    // The voice call that was due 2 minutes after the SMS is never placed.
    await t.advance(10 * MIN);
    expect(t.twilio.calls.filter((c) => c.to === bob.phone && c.form.Url?.includes('voice'))).toHaveLength(1); // only the verification call
    const timeline = await t.api('GET', `/api/v1/incidents/${n}/timeline`);
    expect(timeline.body.timeline.find((e: { type: string }) => e.type === 'incident.acknowledged')).toMatchObject({ channel: 'sms', actor: { name: 'Bob' } });
    // The audit trail has the acknowledgement too, with its channel.
    const trail = await t.api('GET', `/api/v1/audit?action=incident.acknowledge&subjectId=${inc.body.incident.id}`);
    expect(trail.body.entries).toHaveLength(1);
    expect(trail.body.entries[0]).toMatchObject({ actor: { type: 'user', id: bob.id, name: 'Bob' }, via: 'sms' });
  });

  it('a voice page is answered with 4 to acknowledge', async () => {
    const n = await trigger('ledger-lag', 'Ledger replication lag');
    const callsBefore = t.twilio.calls.length;
    await t.advance(5 * MIN); // level 2: SMS now
    expect(t.twilio.calls.length).toBe(callsBefore);
    await t.advance(2 * MIN); // voice after 2 minutes
    const call = await t.twilio.waitForCall((c) => c.to === bob.phone && t.twilio.calls.indexOf(c) >= callsBefore);
    const final = await t.twilio.answerCall(call, '4');
    // Read aloud: "Incident 42 acknowledged", never "hash 42".
    expect(final).toContain(`<Say>Incident ${n} acknowledged. Goodbye.</Say>`);
    expect(final).not.toContain('#');
    const inc = await t.api('GET', `/api/v1/incidents/${n}`);
    expect(inc.body.incident.status).toBe('acknowledged');
    const timeline = await t.api('GET', `/api/v1/incidents/${n}/timeline`);
    expect(timeline.body.timeline.find((e: { type: string }) => e.type === 'incident.acknowledged')).toMatchObject({ channel: 'voice' });
    const trail = await t.api('GET', `/api/v1/audit?action=incident.acknowledge&subjectId=${inc.body.incident.id}`);
    expect(trail.body.entries.map((e: { via: string }) => e.via)).toEqual(['voice']);
  });

  it('unknown SMS replies get help text and change nothing; forged webhooks get 403', async () => {
    const n = await trigger('fraud-score', 'Fraud scoring timeouts');
    const help = await t.twilio.sendInboundSms({ to: `${t.url}/integrations/v1/twilio/sms`, from: bob.phone, body: 'what is this?' });
    expect(help.status).toBe(200);
    expect(help.body).toMatch(/reply .*A.* to acknowledge/i);
    const forged = await t.twilio.sendInboundSms({ to: `${t.url}/integrations/v1/twilio/sms`, from: bob.phone, body: `${n}r`, signWith: 'not-the-auth-token' });
    expect(forged.status).toBe(403);
    expect((await t.api('GET', `/api/v1/incidents/${n}`)).body.incident.status).toBe('triggered');
    // A resolve from the right signature works, and a later trigger on the same key opens a new incident.
    const ok = await t.twilio.sendInboundSms({ to: `${t.url}/integrations/v1/twilio/sms`, from: bob.phone, body: `R ${n}` });
    expect(ok.body).toContain(`Incident #${n} resolved`);
    const again = await trigger('fraud-score', 'Fraud scoring timeouts');
    expect(again).toBeGreaterThan(n);
  });
});
