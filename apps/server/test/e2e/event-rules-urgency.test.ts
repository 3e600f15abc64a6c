import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addResponder, DIALECTS, startTestKlaxon, type Responder, type TestKlaxon } from '../harness.js';
import { must } from '../../src/lib/must.js';

// An event rule's urgency is the incident's real urgency (PagerDuty's model: the person's notification
// rules for that urgency are the ones used), and its priority is a field of the incident.
describe.each(DIALECTS)('event rules: urgency and priority are the incident’s (%s)', (dialect) => {
  let t: TestKlaxon;
  let alice: Responder;
  let key: string;
  let serviceId: string;

  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
    alice = await addResponder(t, {
      name: 'Alice',
      email: 'alice@example.com',
      phone: '+15552220001',
      rules: [
        { type: 'email', delayMinutes: 0 },
        { type: 'sms', delayMinutes: 0 },
      ],
    });
    // Alice: email for low-urgency incidents, SMS for high.
    const rules = (await t.api('GET', `/api/v1/users/${alice.id}/notification-rules`)).body.notificationRules as { id: string }[];
    for (const r of rules) expect((await t.api('DELETE', `/api/v1/notification-rules/${r.id}`)).status).toBe(204);
    for (const [type, urgency] of [
      ['email', 'low'],
      ['sms', 'high'],
    ] as const)
      expect((await t.api('POST', `/api/v1/users/${alice.id}/notification-rules`, { contactMethodId: alice.methods[type], delayMinutes: 0, urgency })).status).toBe(201);
    const policy = await t.api('POST', '/api/v1/escalation-policies', { name: 'Ops', levels: [{ delayMinutes: 30, targets: [{ type: 'user', id: alice.id }] }] });
    // The service's urgency rule is by severity (critical and error: high; the rest low).
    serviceId = (await t.api('POST', '/api/v1/services', { name: 'ops', escalationPolicyId: policy.body.escalationPolicy.id })).body.service.id;
    const integration = (await t.api('POST', `/api/v1/services/${serviceId}/integrations`, { name: 'generic', kind: 'generic' })).body.integration;
    key = integration.key;
    expect((await t.api('POST', '/api/v1/event-rules', { name: 'batch jobs are low urgency', condition: 'labels.team == "batch"', actions: { urgency: 'low', priority: 'P4' } })).status).toBe(201);
    expect((await t.api('POST', '/api/v1/event-rules', { name: 'payments warnings wake people', condition: 'labels.team == "payments"', actions: { urgency: 'high', priority: 'P1' } })).status).toBe(
      201,
    );
  });
  afterAll(() => t?.stop());

  async function trigger(summary: string, severity: string, team: string): Promise<{ number: number; urgency: string; priority: string | null }> {
    const r = await fetch(`${t.url}/integrations/v1/generic/${key}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dedup_key: summary, summary, severity, source: 'test', fields: { team } }),
    });
    expect(r.status).toBe(202);
    await t.cycle();
    const list = await t.api('GET', '/api/v1/incidents?status=triggered&limit=50');
    return list.body.incidents.find((i: { title: string }) => i.title === summary);
  }

  it('a critical alert a rule makes low urgency pages Alice by email only (without the rule: SMS), with priority P4', async () => {
    const inc = await trigger('Nightly batch failed', 'critical', 'batch');
    expect(inc).toMatchObject({ urgency: 'low', priority: 'P4' });
    await t.smtp.waitFor((m) => m.to.includes('alice@example.com') && /Nightly batch failed/.test(m.subject));
    await t.cycle();
    expect(t.twilio.messages.filter((m) => /Nightly batch failed/.test(m.body))).toHaveLength(0);
    // The same critical alert from another team: the service's rule (high), an SMS, no priority.
    const other = await trigger('Web tier down', 'critical', 'web');
    expect(other).toMatchObject({ urgency: 'high', priority: null });
    await t.twilio.waitForMessage((m) => m.to === alice.phone && /Web tier down/.test(m.body));
    expect((await t.api('GET', `/api/v1/incidents/${inc.number}`)).body.incident.priority).toBe('P4');
    // The stored trace names the snapshot of the rules evaluated instead of listing each miss; the incident trace expands it by name.
    const [row] = await t.k.ctx.db.kysely.selectFrom('alert_events').select('rule_trace').where('dedup_key', '=', 'Nightly batch failed').execute();
    const stored = JSON.parse(must(must(row, 'the alert event').rule_trace, 'rule_trace of the alert'));
    expect(stored.snapshot).toMatch(/^[0-9a-f]{32}$/);
    expect(stored.notMatched).toBeUndefined();
    const tr = (await t.api('GET', `/api/v1/incidents/${inc.number}/trace`)).body.trace;
    expect(tr.rules.map((r: { rule: string; matched: boolean; detail: string }) => [r.rule, r.matched, r.detail.split(';')[0]])).toEqual([
      ['batch jobs are low urgency', true, 'global rule'],
      ['payments warnings wake people', false, 'global rule'],
    ]);
  });

  it('a warning a rule makes high urgency pages by SMS (the service alone would have made it low), with priority P1', async () => {
    const inc = await trigger('Payments latency warning', 'warning', 'payments');
    expect(inc).toMatchObject({ urgency: 'high', priority: 'P1' });
    await t.twilio.waitForMessage((m) => m.to === alice.phone && /Payments latency warning/.test(m.body));
    expect(t.smtp.messages.filter((m) => /Payments latency warning/.test(m.subject))).toHaveLength(0);
  });

  it('the tester says the urgency and priority; a priority outside P1..P5 is refused with 400', async () => {
    const integrationId = (await t.api('GET', `/api/v1/services/${serviceId}/integrations`)).body.integrations[0].id;
    const r = await t.api('POST', '/api/v1/event-rules/test', { integrationId, payload: { summary: 'x', fields: { team: 'batch' } } });
    expect(r.status).toBe(200);
    expect(r.body.events[0]).toMatchObject({ urgency: 'low', priority: 'P4' });
    const none = await t.api('POST', '/api/v1/event-rules/test', { integrationId, payload: { summary: 'x', fields: { team: 'web' } } });
    expect(none.body.events[0]).toMatchObject({ urgency: null, priority: null });
    const bad = await t.api('POST', '/api/v1/event-rules', { name: 'x', condition: 'true', actions: { priority: 'urgent' } });
    expect(bad.status).toBe(400);
  });
});
