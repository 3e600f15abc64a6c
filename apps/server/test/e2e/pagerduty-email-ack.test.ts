import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addResponder, capture, DIALECTS, startTestKlaxon, type Responder, type TestKlaxon } from '../harness.js';

const MIN = 60_000;

describe.each(DIALECTS)('PagerDuty event -> email page -> acknowledged from the email link (%s)', (dialect) => {
  let t: TestKlaxon;
  let alice: Responder;
  let bob: Responder;
  let routingKey: string;

  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
    alice = await addResponder(t, { name: 'Alice', email: 'alice@example.com', phone: '+15551110001', rules: [{ type: 'email', delayMinutes: 0 }] });
    bob = await addResponder(t, { name: 'Bob', email: 'bob@example.com', phone: '+15551110002', rules: [{ type: 'email', delayMinutes: 0 }] });
    const policy = await t.api('POST', '/api/v1/escalation-policies', {
      name: 'Checkout',
      levels: [
        { delayMinutes: 5, targets: [{ type: 'user', id: alice.id }] },
        { delayMinutes: 5, targets: [{ type: 'user', id: bob.id }] },
      ],
    });
    expect(policy.status).toBe(201);
    const svc = await t.api('POST', '/api/v1/services', { name: 'checkout-api', escalationPolicyId: policy.body.escalationPolicy.id });
    const integ = await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'prometheus', kind: 'pagerduty' });
    routingKey = integ.body.integration.key;
  });
  afterAll(() => t?.stop());

  it('pages Alice, her email link acknowledges, and Bob is never paged', async () => {
    const res = await fetch(`${t.url}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        routing_key: routingKey,
        event_action: 'trigger',
        dedup_key: 'db-down',
        payload: { summary: 'Primary database is down', source: 'db-1.prod', severity: 'critical', custom_details: { region: 'eu-west-1' } },
      }),
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: 'success', message: 'Event processed', dedup_key: 'db-down' });

    await t.cycle();
    const page = await t.smtp.waitFor((m) => m.to.includes('alice@example.com') && /database is down/i.test(m.subject));
    expect(page.subject).toMatch(/CRITICAL|critical/);
    expect(page.text).toContain('checkout-api');
    expect(t.smtp.messages.filter((m) => m.to.includes('bob@example.com') && /database/i.test(m.subject))).toHaveLength(0);

    // The person opens the Acknowledge link: a page with a button (mail scanners only GET), then presses it.
    const ackUrl = capture(/(http:\/\/127\.0\.0\.1:\d+\/actions\/[A-Za-z0-9_\-.]+)/, page.text);
    const confirm = await fetch(ackUrl);
    expect(confirm.status).toBe(200);
    expect(await confirm.text()).toContain('Acknowledge incident #1');
    const incBefore = await t.api('GET', '/api/v1/incidents/1');
    expect(incBefore.body.incident.status).toBe('triggered');
    const done = await fetch(ackUrl, { method: 'POST' });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Incident #1 acknowledged');

    const inc = await t.api('GET', '/api/v1/incidents/1');
    expect(inc.body.incident.status).toBe('acknowledged');
    expect(inc.body.incident.acknowledgedBy).toBe(alice.id);

    // Escalation stopped: long after level 2 would have fired, Bob has still not been paged.
    await t.advance(30 * MIN);
    expect(t.smtp.messages.filter((m) => m.to.includes('bob@example.com') && /database/i.test(m.subject))).toHaveLength(0);

    const timeline = await t.api('GET', '/api/v1/incidents/1/timeline');
    const types = timeline.body.timeline.map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining(['incident.opened', 'alert.triggered', 'escalation.level', 'notification.sent', 'incident.acknowledged']));
    const ack = timeline.body.timeline.find((e: { type: string }) => e.type === 'incident.acknowledged');
    expect(ack).toMatchObject({ channel: 'email', actor: { name: 'Alice' } });
    // On the audit trail with its channel.
    const trail = await t.api('GET', `/api/v1/audit?action=incident.acknowledge&subjectId=${inc.body.incident.id}`);
    expect(trail.body.entries.map((e: { via: string; actor: { id: string } }) => [e.via, e.actor.id])).toEqual([['email', alice.id]]);
  });

  it('a forged or tampered link changes nothing', async () => {
    const res = await fetch(`${t.url}/actions/eyJpIjoieCJ9.forged`, { method: 'POST' });
    expect(res.status).toBe(403);
  });

  it('a repeat trigger on the same dedup key folds into the open incident and pages nobody again', async () => {
    const before = t.smtp.messages.length;
    for (let i = 0; i < 5; i++) {
      const r = await fetch(`${t.url}/v2/enqueue`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ routing_key: routingKey, event_action: 'trigger', dedup_key: 'db-down', payload: { summary: 'Primary database is down', source: 'db-1.prod', severity: 'critical' } }),
      });
      expect(r.status).toBe(202);
    }
    await t.cycle();
    expect(t.smtp.messages.length).toBe(before);
    const list = await t.api('GET', '/api/v1/incidents?status=triggered&status=acknowledged');
    expect(list.body.incidents).toHaveLength(1);
    const alerts = await t.api('GET', '/api/v1/incidents/1/alerts');
    expect(alerts.body.alerts[0].eventCount).toBe(6);
  });
});
