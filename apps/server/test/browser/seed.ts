/** Demo data for screenshots and manual checks: people, a team, policies, services, incidents. */
import type { TestKlaxon } from '../harness.js';
import { addUser, trigger } from './support.js';
import { must } from '../../src/lib/must.js';

/** What seedDemo made. */
export interface Demo {
  maya: string;
  sam: string;
  lee: string;
  teamId: string;
  policyId: string;
  serviceId: string;
  routingKey: string;
}

async function verifiedEmail(t: TestKlaxon, userId: string, email: string, name = 'Work email'): Promise<string> {
  const cm = await t.api('POST', `/api/v1/users/${userId}/contact-methods`, { name, type: 'email', address: email });
  await t.cycle();
  const mail = await t.smtp.waitFor((m) => m.to.includes(email) && /verification/i.test(m.subject + m.text));
  const code = must(/\b(\d{6})\b/.exec(mail.text)?.[1], 'a 6-digit code in the email');
  const v = await t.api('POST', `/api/v1/contact-methods/${cm.body.contactMethod.id}/verify`, { code });
  if (v.status !== 200) throw new Error(`verify: ${JSON.stringify(v.body)}`);
  return cm.body.contactMethod.id as string;
}

async function verifiedSms(t: TestKlaxon, userId: string, phone: string): Promise<string> {
  const cm = await t.api('POST', `/api/v1/users/${userId}/contact-methods`, { name: 'Mobile', type: 'sms', address: phone });
  await t.cycle();
  const sms = await t.twilio.waitForMessage((m) => m.to === phone && /verification/i.test(m.body));
  const code = must(/\b(\d{6})\b/.exec(sms.body)?.[1], 'a 6-digit code in the SMS');
  await t.api('POST', `/api/v1/contact-methods/${cm.body.contactMethod.id}/verify`, { code });
  return cm.body.contactMethod.id as string;
}

/** Fills a fresh test Klaxon with a small, realistic on-call setup and a few incidents. */
export async function seedDemo(t: TestKlaxon, o: { incidents?: number } = {}): Promise<Demo> {
  const maya = await addUser(t, { email: 'maya@example.com', name: 'Maya Okafor', role: 'admin', timeZone: 'Europe/Berlin' });
  const sam = await addUser(t, { email: 'sam@example.com', name: 'Sam Lindqvist', role: 'responder', timeZone: 'Europe/Stockholm' });
  const lee = await addUser(t, { email: 'lee@example.com', name: 'Lee Chen', role: 'responder', timeZone: 'America/New_York' });
  const mayaEmail = await verifiedEmail(t, maya, 'maya@example.com');
  const mayaSms = await verifiedSms(t, maya, '+14155550101');
  await t.api('POST', `/api/v1/users/${maya}/notification-rules`, { contactMethodId: mayaEmail, delayMinutes: 0 });
  await t.api('POST', `/api/v1/users/${maya}/notification-rules`, { contactMethodId: mayaSms, delayMinutes: 5 });
  await verifiedEmail(t, sam, 'sam@example.com');
  await verifiedSms(t, lee, '+14155550102');
  const team = await t.api('POST', '/api/v1/teams', { name: 'Storage', description: 'Databases and queues', members: [{ userId: sam, role: 'manager' }, { userId: lee }] });
  const policy = await t.api('POST', '/api/v1/escalation-policies', {
    name: 'Storage on-call',
    description: 'Primary, then the whole storage team',
    repeat: 1,
    levels: [
      { delayMinutes: 10, targets: [{ type: 'user', id: maya }] },
      { delayMinutes: 15, targets: [{ type: 'team', id: team.body.team.id }] },
    ],
  });
  const svc = await t.api('POST', '/api/v1/services', {
    name: 'orders-db',
    description: 'PostgreSQL primary and replicas for orders',
    escalationPolicyId: policy.body.escalationPolicy.id,
    teamId: team.body.team.id,
    grouping: { mode: 'window', minutes: 10 },
  });
  await t.api('POST', '/api/v1/services', { name: 'checkout-api', description: 'Public checkout API', escalationPolicyId: policy.body.escalationPolicy.id });
  await t.api('POST', '/api/v1/services', { name: 'search', description: 'Search cluster' });
  const integ = await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'Alertmanager', kind: 'pagerduty' });
  const routingKey = integ.body.integration.key as string;
  await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'Grafana', kind: 'grafana' });

  const summaries = [
    ['Replication lag above 300 s on orders-db replica 2', 'critical'],
    ['Disk 92% full on orders-db-1 (/var/lib/postgresql)', 'error'],
    ['Connection pool saturation on pgbouncer-3', 'warning'],
    ['Checkpoint taking longer than 5 min', 'warning'],
    ['Backup job failed: pg_basebackup exit 1', 'error'],
    ['Autovacuum not keeping up on orders.events', 'info'],
  ] as const;
  const n = o.incidents ?? summaries.length;
  for (let i = 0; i < n; i++) {
    const [summary, severity] = must(summaries[i % summaries.length], 'summaries[i % summaries.length]');
    await trigger(t, routingKey, n > summaries.length ? `${summary} (#${i})` : summary, { dedupKey: `demo-${i}`, severity, source: `orders-db-${(i % 3) + 1}.prod` });
    t.clock.advance(11 * 60_000);
  }
  await t.cycle();
  return { maya, sam, lee, teamId: team.body.team.id, policyId: policy.body.escalationPolicy.id, serviceId: svc.body.service.id, routingKey };
}
