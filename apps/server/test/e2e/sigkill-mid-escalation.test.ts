/**
 * Crash safety: Klaxon runs as a real child process and is killed with SIGKILL in the middle of an
 * escalation, twice. Every escalation step still fires exactly once: no step lost, nobody paged
 * twice for the same step.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addResponder, DIALECTS } from '../harness.js';
import { KlaxonCluster } from '../process-harness.js';
import { must } from '../../src/lib/must.js';

const MIN = 60_000;

describe.each(DIALECTS)('SIGKILL of a real server process mid-escalation (%s)', (dialect) => {
  const c = new KlaxonCluster();
  beforeAll(() => c.start(dialect, 1), 60_000);
  afterAll(() => c.stop());

  it('every escalation step fires exactly once across two SIGKILLs', async () => {
    const node = must(c.nodes[0], 'node 0 of the cluster');
    const alice = await addResponder(c, { name: 'Alice', email: 'alice@example.com', phone: '+15553330001', rules: [{ type: 'sms', delayMinutes: 0 }] });
    const bob = await addResponder(c, { name: 'Bob', email: 'bob@example.com', phone: '+15553330002', rules: [{ type: 'sms', delayMinutes: 0 }] });
    const policy = await c.api('POST', '/api/v1/escalation-policies', {
      name: 'Core',
      repeat: 1,
      levels: [
        { delayMinutes: 5, targets: [{ type: 'user', id: alice.id }] },
        { delayMinutes: 5, targets: [{ type: 'user', id: bob.id }] },
      ],
    });
    const svc = await c.api('POST', '/api/v1/services', { name: 'core', escalationPolicyId: policy.body.escalationPolicy.id });
    const key = (await c.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'pd', kind: 'pagerduty' })).body.integration.key;
    const pages = (phone: string) => c.twilio.messages.filter((m) => m.to === phone && m.body.includes('Core switch down'));

    const r = await fetch(`${c.url}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ routing_key: key, event_action: 'trigger', payload: { summary: 'Core switch down', source: 'sw-1', severity: 'critical' } }),
    });
    expect(r.status).toBe(202);
    await c.cycle();
    expect(pages(alice.phone)).toHaveLength(1); // step 0: level 1

    // Kill 1: three minutes in, between level 1 and level 2.
    await c.advance(3 * MIN);
    await node.kill();
    await c.restart(node);
    await c.cycle();
    expect(pages(alice.phone)).toHaveLength(1);
    expect(pages(bob.phone)).toHaveLength(0);
    await c.advance(2 * MIN); // 5 minutes: level 2
    expect(pages(bob.phone)).toHaveLength(1);

    // Kill 2: the clock passes the next step's due time and the process dies before its engine runs.
    await c.advance(5 * MIN, false);
    await node.kill();
    await c.restart(node);
    await c.cycle(); // round 2, level 1: Alice again, once
    await c.cycle();
    expect(pages(alice.phone)).toHaveLength(2);
    expect(pages(bob.phone)).toHaveLength(1);

    await c.advance(5 * MIN); // round 2, level 2
    await c.advance(5 * MIN); // policy exhausted
    await c.advance(30 * MIN);
    expect(pages(alice.phone)).toHaveLength(2);
    expect(pages(bob.phone)).toHaveLength(2);

    const timeline = (await c.api('GET', '/api/v1/incidents/1/timeline')).body.timeline as { type: string; data: { step?: number } }[];
    const steps = timeline.filter((e) => e.type === 'escalation.level').map((e) => e.data.step);
    expect(steps).toEqual([0, 1, 2, 3]);
    expect(timeline.filter((e) => e.type === 'escalation.exhausted')).toHaveLength(1);
    expect(timeline.filter((e) => e.type === 'notification.sent')).toHaveLength(4);
  });
});
