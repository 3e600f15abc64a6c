import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addResponder, DIALECTS, startTestKlaxon, type Responder, type TestKlaxon } from '../harness.js';

// GET /api/v1/incidents/{id}/trace: the trace of a paged incident and of ones that paged nobody,
// each naming the reason, against the real server.
describe.each(DIALECTS)('incident trace (%s)', (dialect) => {
  let t: TestKlaxon;
  let nora: Responder;
  let key = '';
  let bareKey = '';
  let ghostKey = '';

  async function integration(serviceName: string, policyId?: string): Promise<string> {
    const svc = await t.api('POST', '/api/v1/services', { name: serviceName, ...(policyId && { escalationPolicyId: policyId }) });
    return (await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'generic', kind: 'generic' })).body.integration.key;
  }

  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
    nora = await addResponder(t, { name: 'Nora', email: 'nora@example.com', rules: [{ type: 'email', delayMinutes: 0 }] });
    const p = await t.api('POST', '/api/v1/escalation-policies', {
      name: 'Critical only',
      levels: [{ delayMinutes: 10, targets: [{ type: 'user', id: nora.id }], condition: { severity: ['critical'] } }],
    });
    key = await integration('db', p.body.escalationPolicy.id);
    bareKey = await integration('no-policy');
    // A person with no contact method at all.
    const ghost = await t.api('POST', '/api/v1/users', { email: 'ghost@example.com', name: 'Ghost', role: 'responder' });
    const gp = await t.api('POST', '/api/v1/escalation-policies', { name: 'Ghost only', levels: [{ delayMinutes: 10, targets: [{ type: 'user', id: ghost.body.user.id }] }] });
    ghostKey = await integration('ghost', gp.body.escalationPolicy.id);
  });
  afterAll(() => t?.stop());

  async function trigger(k: string, summary: string, severity: string): Promise<string> {
    const r = await fetch(`${t.url}/integrations/v1/generic/${k}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dedup_key: summary, summary, severity, source: 'trace-test', details: { disk: '97%' } }),
    });
    expect(r.status).toBe(202);
    await t.cycle();
    await t.cycle();
    const list = await t.api('GET', '/api/v1/incidents?limit=100');
    return list.body.incidents.find((i: { title: string }) => i.title === summary).id;
  }
  async function trace(id: string) {
    const r = await t.api('GET', `/api/v1/incidents/${id}/trace`);
    expect(r.status).toBe(200);
    return r.body.trace;
  }

  it('a paged incident: integration and raw payload, the policy, the level decision, the delivery and its attempt', async () => {
    const id = await trigger(key, 'Disk full on db-1', 'critical');
    await t.smtp.waitFor((m) => m.to.includes(nora.email) && m.subject.includes('Disk full on db-1'));
    await t.cycle();
    const tr = await trace(id);
    expect(tr.service.name).toBe('db');
    expect(tr.policy.name).toBe('Critical only');
    expect(tr.alerts).toHaveLength(1);
    expect(tr.alerts[0].integration).toMatchObject({ kind: 'generic', name: 'generic' });
    expect(tr.alerts[0].events[0].payload).toMatchObject({ summary: 'Disk full on db-1', details: { disk: '97%' } });
    expect(tr.rules).toEqual([]);
    const level = tr.decisions.find((d: { type: string }) => d.type === 'escalation.level');
    expect(level.data.users).toEqual([nora.id]);
    expect(tr.deliveries).toHaveLength(1);
    expect(tr.deliveries[0]).toMatchObject({ user: 'Nora', channel: 'email', decision: 'queued' });
    expect(tr.deliveries[0].messages[0].status).toBe('sent');
    expect(tr.deliveries[0].messages[0].attempts[0].status).toBe('sent');
    expect(tr.paged).toBe(true);
    expect(tr.why).toBe('Paged Nora (email)');
    // By number too; an unknown incident is a 404.
    expect((await t.api('GET', `/api/v1/incidents/${tr.number}/trace`)).body.trace.incidentId).toBe(id);
    expect((await t.api('GET', '/api/v1/incidents/nope/trace')).status).toBe(404);
  });

  it('a warning skipped by the level condition: the trace says so', async () => {
    const id = await trigger(key, 'Disk filling on db-2', 'warning');
    const tr = await trace(id);
    expect(tr.paged).toBe(false);
    expect(tr.why).toBe('Nobody was paged: level 1 skipped (severity is warning, not critical)');
    expect(tr.deliveries).toEqual([]);
    // Every level skipped: escalation ends, as recorded.
    expect(tr.decisions.map((d: { type: string }) => d.type)).toEqual(['escalation.condition_skipped', 'escalation.exhausted']);
    expect(tr.decisions[1].message).toMatch(/^Escalation finished/);
  });

  it('a service without a policy: the trace says so', async () => {
    const tr = await trace(await trigger(bareKey, 'Orphan alert', 'critical'));
    expect(tr.policy).toBeNull();
    expect(tr.why).toBe('Nobody was paged: service no-policy has no escalation policy');
  });

  it('a level whose only person has no verified contact method: the trace names them', async () => {
    const tr = await trace(await trigger(ghostKey, 'Nobody home', 'critical'));
    expect(tr.paged).toBe(false);
    expect(tr.why).toBe('Nobody was paged: level 1: nobody could be paged (Ghost has no verified contact method)');
  });

  it('a schedule target: the level decision names who was on call and from which layer', async () => {
    const team = await t.api('POST', '/api/v1/teams', { name: 'DBA' });
    expect(team.status).toBe(201);
    const sch = await t.api('POST', '/api/v1/schedules', {
      name: 'DBA rota',
      teamId: team.body.team.id,
      timeZone: 'Europe/Berlin',
      layers: [{ name: 'weekly', participants: [nora.email], turn: { unit: 'week', count: 1 }, handoffTime: '09:00', start: '2026-03-01T09:00' }],
    });
    expect(sch.status).toBe(201);
    const p = await t.api('POST', '/api/v1/escalation-policies', { name: 'By schedule', levels: [{ delayMinutes: 10, targets: [{ type: 'schedule', id: sch.body.schedule.id }] }] });
    const k = await integration('dba', p.body.escalationPolicy.id);
    const tr = await trace(await trigger(k, 'Replication lag', 'critical'));
    const level = tr.decisions.find((d: { type: string }) => d.type === 'escalation.level');
    expect(level.data.onCall).toEqual([{ scheduleId: sch.body.schedule.id, schedule: 'DBA rota', userIds: [nora.id], source: expect.objectContaining({ kind: 'layer', layerIndex: 0 }) }]);
  });

  it('a maintenance window: the trace says the alert was suppressed', async () => {
    const svcs = await t.api('GET', '/api/v1/services');
    const db = svcs.body.services.find((s: { name: string }) => s.name === 'db');
    const now = t.clock.now();
    const w = await t.api('POST', '/api/v1/maintenance-windows', { title: 'DB upgrade', serviceIds: [db.id], startsAt: new Date(now).toISOString(), endsAt: new Date(now + 3_600_000).toISOString() });
    expect(w.status).toBe(201);
    const tr = await trace(await trigger(key, 'During upgrade', 'critical'));
    expect(tr.paged).toBe(false);
    expect(tr.why).toBe('Nobody was paged: Suppressed by maintenance window "DB upgrade"');
  });
});
