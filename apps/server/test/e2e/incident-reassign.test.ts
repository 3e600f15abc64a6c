import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addResponder, DIALECTS, startTestKlaxon, type Responder, type TestKlaxon } from '../harness.js';

const MIN = 60_000;

describe.each(DIALECTS)('reassigning an incident to a person or to another escalation policy (%s)', (dialect) => {
  let t: TestKlaxon;
  let alice: Responder;
  let bob: Responder;
  let carol: Responder;
  let key: string;
  let dbPolicyId: string;

  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
    alice = await addResponder(t, { name: 'Alice', email: 'alice@example.com', phone: '+15553330001', rules: [{ type: 'sms', delayMinutes: 0 }] });
    bob = await addResponder(t, { name: 'Bob', email: 'bob@example.com', phone: '+15553330002', rules: [{ type: 'sms', delayMinutes: 0 }] });
    carol = await addResponder(t, { name: 'Carol', email: 'carol@example.com', phone: '+15553330003', rules: [{ type: 'sms', delayMinutes: 0 }] });
    const policy = await t.api('POST', '/api/v1/escalation-policies', { name: 'Checkout', levels: [{ delayMinutes: 10, targets: [{ type: 'user', id: alice.id }] }] });
    const dba = await t.api('POST', '/api/v1/escalation-policies', { name: 'Database on call', levels: [{ delayMinutes: 5, targets: [{ type: 'user', id: carol.id }] }] });
    dbPolicyId = dba.body.escalationPolicy.id;
    const svc = await t.api('POST', '/api/v1/services', { name: 'checkout', escalationPolicyId: policy.body.escalationPolicy.id });
    const integ = await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'generic', kind: 'generic' });
    key = integ.body.integration.key;
  });
  afterAll(() => t?.stop());

  async function trigger(dedupKey: string, summary: string): Promise<number> {
    const r = await fetch(`${t.url}/integrations/v1/generic/${key}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dedup_key: dedupKey, summary, severity: 'critical' }),
    });
    expect(r.status).toBe(202);
    await t.cycle();
    const inc = await t.api('GET', '/api/v1/incidents?status=triggered&limit=1');
    return inc.body.incidents[0].number as number;
  }
  const smsTo = (r: Responder, re: RegExp) => t.twilio.messages.filter((m) => m.to === r.phone && re.test(m.body));

  it('to a person: an acknowledged incident goes back to triggered, the person is paged now, then the policy follows if they do not answer', async () => {
    const n = await trigger('cart-5xx', 'Cart 5xx rate high');
    await t.twilio.waitForMessage((m) => m.to === alice.phone && /Cart 5xx/.test(m.body));
    expect((await t.api('POST', `/api/v1/incidents/${n}/acknowledge`)).status).toBe(200);

    const r = await t.api('POST', `/api/v1/incidents/${n}/reassign`, { user: bob.email });
    expect(r.status).toBe(200);
    expect(r.body.changed).toBe(true);
    expect(r.body.incident).toMatchObject({ status: 'triggered', acknowledgedBy: null, escalationPolicyName: 'Bob, then Checkout' });
    await t.cycle();
    await t.twilio.waitForMessage((m) => m.to === bob.phone && /Cart 5xx/.test(m.body));
    expect(smsTo(alice, /Cart 5xx/)).toHaveLength(1);

    // Bob does not answer within the policy's first delay (10 min): Alice is paged again.
    await t.advance(9 * MIN);
    expect(smsTo(alice, /Cart 5xx/)).toHaveLength(1);
    await t.advance(1 * MIN);
    await t.twilio.waitForMessage((m) => m.to === alice.phone && /Cart 5xx/.test(m.body) && smsTo(alice, /Cart 5xx/).length === 2);
    expect(smsTo(bob, /Cart 5xx/)).toHaveLength(1);

    const timeline = (await t.api('GET', `/api/v1/incidents/${n}/timeline`)).body.timeline as { type: string; message: string }[];
    expect(timeline.find((e) => e.type === 'incident.reassigned')?.message).toMatch(/^Reassigned to Bob by /);
  });

  it('to an escalation policy: escalation restarts at its first level, and the old policy pages no more', async () => {
    const n = await trigger('payments-db', 'Payments DB replica lag');
    await t.twilio.waitForMessage((m) => m.to === alice.phone && /replica lag/.test(m.body));
    const r = await t.api('POST', `/api/v1/incidents/${n}/reassign`, { escalationPolicy: 'Database on call' });
    expect(r.status).toBe(200);
    expect(r.body.incident.escalationPolicyName).toBe('Database on call');
    await t.cycle();
    await t.twilio.waitForMessage((m) => m.to === carol.phone && /replica lag/.test(m.body));
    await t.advance(30 * MIN);
    expect(smsTo(alice, /replica lag/)).toHaveLength(1);
    expect(smsTo(carol, /replica lag/)).toHaveLength(1);
    const timeline = (await t.api('GET', `/api/v1/incidents/${n}/timeline`)).body.timeline as { type: string; message: string; data?: unknown }[];
    expect(timeline.find((e) => e.type === 'incident.reassigned')?.message).toMatch(/^Reassigned to escalation policy Database on call/);
    expect(dbPolicyId).toBeTruthy();
  });

  it('refuses bad requests with a 4xx that says what is wrong', async () => {
    const n = await trigger('search-slow', 'Search slow');
    const both = await t.api('POST', `/api/v1/incidents/${n}/reassign`, { user: bob.id, escalationPolicy: dbPolicyId });
    expect(both.status).toBe(400);
    expect(both.body.error.message).toMatch(/exactly one of user or escalationPolicy/);
    const neither = await t.api('POST', `/api/v1/incidents/${n}/reassign`, {});
    expect(neither.status).toBe(400);
    const unknown = await t.api('POST', `/api/v1/incidents/${n}/reassign`, { user: 'nobody@example.com' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/unknown user/);
    await t.api('POST', `/api/v1/incidents/${n}/resolve`);
    const resolved = await t.api('POST', `/api/v1/incidents/${n}/reassign`, { user: bob.id });
    expect(resolved.status).toBe(409);
    expect((await t.api('POST', '/api/v1/incidents/999999/reassign', { user: bob.id })).status).toBe(404);
  });
});
