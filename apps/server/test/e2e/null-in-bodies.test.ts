import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';

// null in a JSON body means "none", never 0: an SLA target without a resolve limit, an action item
// whose due date is cleared. (Fastify's coercing validator once turned these nulls into 0.)
describe.each(DIALECTS)('null in request bodies stays null (%s)', (dialect) => {
  let t: TestKlaxon;
  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
    await t.api('POST', '/api/v1/services', { name: 'billing' });
  });
  afterAll(() => t?.stop());

  it('an SLA target with no resolve limit has none; 0 minutes stays 0; a string is refused', async () => {
    const r = await t.api('PUT', '/api/v1/reports/sla-targets', { severity: 'critical', ackWithinMinutes: 0, resolveWithinMinutes: null, updateWithinMinutes: 30 });
    expect(r.status).toBe(200);
    expect(r.body.target).toMatchObject({ ackWithinMs: 0, resolveWithinMs: null, updateWithinMs: 30 * 60_000 });
    const bad = await t.api('PUT', '/api/v1/reports/sla-targets', { severity: 'critical', ackWithinMinutes: 'soon' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/ackWithinMinutes/);
    const list = await t.api('GET', '/api/v1/reports/sla-targets');
    expect(list.body.targets.find((x: { severity: string }) => x.severity === 'critical')).toMatchObject({ ackWithinMs: 0, resolveWithinMs: null });
  });

  it("an action item's due date, once cleared with null, is gone", async () => {
    const inc = await t.api('POST', '/api/v1/incidents', { service: 'billing', title: 'Invoices stuck' });
    await t.api('POST', `/api/v1/incidents/${inc.body.incident.id}/resolve`);
    const pm = await t.api('POST', `/api/v1/incidents/${inc.body.incident.id}/postmortem`);
    expect(pm.status).toBe(201);
    const item = await t.api('POST', `/api/v1/postmortems/${pm.body.postmortem.id}/action-items`, { title: 'Alert on queue age', dueAt: '2030-01-15T09:00:00Z', ownerId: null });
    expect(item.status).toBe(201);
    expect(item.body.actionItem.dueAt).toBe(Date.parse('2030-01-15T09:00:00Z'));
    const cleared = await t.api('PATCH', `/api/v1/action-items/${item.body.actionItem.id}`, { dueAt: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body.actionItem.dueAt).toBeNull();
    const bad = await t.api('PATCH', `/api/v1/action-items/${item.body.actionItem.id}`, { dueAt: true });
    expect(bad.status).toBe(400);
  });
});
