/**
 * Shared set-up for the war-room scenarios: a server with Ivy (incident managers schedule, SMS),
 * Bob (email), Carol (Slack, named by the SEV1 policy), a stakeholder, service "checkout" with a
 * PagerDuty integration, and helpers to trigger an alert and declare.
 */
import { expect } from 'vitest';
import { addResponder, startTestKlaxon, type DialectName, type Responder, type TestKlaxon } from '../harness.js';

/** The people and keys of a war-room test. */
export interface WarRoomWorld {
  t: TestKlaxon;
  ivy: Responder;
  bob: Responder;
  carol: Responder;
  stakeholderToken: string;
  key: string;
  serviceId: string;
}

/** Starts the server and sets up the world. */
export async function warRoomWorld(dialect: DialectName): Promise<WarRoomWorld> {
  const t = await startTestKlaxon(dialect);
  const ivy = await addResponder(t, { name: 'Ivy', email: 'ivy@example.com', phone: '+15550001001', rules: [{ type: 'sms', delayMinutes: 0 }] });
  const bob = await addResponder(t, { name: 'Bob', email: 'bob@example.com', rules: [{ type: 'email', delayMinutes: 0 }] });
  const carol = await addResponder(t, { name: 'Carol', email: 'carol@example.com', slackId: 'U0CAROL01', rules: [{ type: 'slack', delayMinutes: 0 }] });
  const st = await t.api('POST', '/api/v1/users', { email: 'sam@example.com', name: 'Sam', role: 'stakeholder', timeZone: 'UTC' });
  const stakeholderToken = (await t.api('POST', `/api/v1/users/${st.body.user.id}/tokens`, { name: 't' })).body.token as string;
  const sched = await t.api('POST', '/api/v1/schedules', {
    name: 'Incident managers',
    timeZone: 'UTC',
    layers: [{ participants: [ivy.email], turn: { unit: 'week', count: 1 }, start: '2026-03-01T00:00' }],
    handoffNoticeMinutes: 0,
    gapNoticeDays: 0,
  });
  expect(sched.status).toBe(201);
  const policy = await t.api('POST', '/api/v1/escalation-policies', { name: 'checkout', levels: [{ delayMinutes: 30, targets: [{ type: 'user', id: bob.id }] }] });
  await t.api('POST', '/api/v1/escalation-policies', { name: 'SEV1 responders', levels: [{ delayMinutes: 5, targets: [{ type: 'user', id: carol.id }] }] });
  const svc = await t.api('POST', '/api/v1/services', { name: 'checkout', escalationPolicyId: policy.body.escalationPolicy.id });
  const key = (await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'pd', kind: 'pagerduty' })).body.integration.key as string;
  const s = await t.api('PATCH', '/api/v1/war-room/settings', { imSchedule: 'Incident managers', sevPolicies: { SEV1: 'SEV1 responders' }, priorityRepageMinutes: 5 });
  expect(s.status).toBe(200);
  return { t, ivy, bob, carol, stakeholderToken, key, serviceId: svc.body.service.id };
}

/** Triggers an alert on checkout and returns its incident number. */
export async function triggerAlert(w: WarRoomWorld, summary: string): Promise<number> {
  const r = await fetch(`${w.t.url}/v2/enqueue`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ routing_key: w.key, event_action: 'trigger', payload: { summary, source: 'web-1', severity: 'critical' } }),
  });
  expect(r.status).toBe(202);
  await w.t.cycle();
  return (await w.t.api('GET', '/api/v1/incidents?limit=1')).body.incidents[0].number as number;
}

/** Triggers an alert and declares it SEV1 as Bob; returns the incident number. */
export async function declaredIncident(w: WarRoomWorld, summary: string, extra: Record<string, unknown> = {}): Promise<number> {
  const n = await triggerAlert(w, summary);
  const d = await w.t.api('POST', '/api/v1/major-incidents', { incident: String(n), sev: 'SEV1', ...extra }, w.bob.token);
  expect(d.status, JSON.stringify(d.body)).toBe(201);
  await w.t.cycle();
  return n;
}
