import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addResponder, DIALECTS, startTestKlaxon, type Responder, type TestKlaxon } from '../harness.js';

const MIN = 60_000;
const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

// The notification decisions in GET /incidents/{id}/trace that are not escalation events: an event
// rule's pause ("held until … because rule X pauses N minutes"), a provider's rate limit on a page,
// and, for an incident that paged nobody, the exact reason.
describe.each(DIALECTS)('trace: pauses, rate limits and why nobody was paged (%s)', (dialect) => {
  let t: TestKlaxon;
  let rae: Responder;
  let key = '';
  let lateKey = '';

  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
    rae = await addResponder(t, { name: 'Rae', email: 'rae@example.com', phone: '+15553330001', rules: [{ type: 'sms', delayMinutes: 0 }] });
    const p = await t.api('POST', '/api/v1/escalation-policies', { name: 'Ops', levels: [{ delayMinutes: 10, targets: [{ type: 'user', id: rae.id }] }] });
    const svc = await t.api('POST', '/api/v1/services', { name: 'ops', escalationPolicyId: p.body.escalationPolicy.id });
    key = (await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'generic', kind: 'generic' })).body.integration.key;
    // A policy whose first level fires 5 minutes after the incident opens.
    const late = await t.api('POST', '/api/v1/escalation-policies', { name: 'Later', initialDelayMinutes: 5, levels: [{ delayMinutes: 10, targets: [{ type: 'user', id: rae.id }] }] });
    expect(late.status).toBe(201);
    const lateSvc = await t.api('POST', '/api/v1/services', { name: 'later', escalationPolicyId: late.body.escalationPolicy.id });
    lateKey = (await t.api('POST', `/api/v1/services/${lateSvc.body.service.id}/integrations`, { name: 'generic', kind: 'generic' })).body.integration.key;
    expect((await t.api('POST', '/api/v1/event-rules', { name: 'flapping disks', condition: 'labels.flaps == "yes"', actions: { pauseMinutes: 5 } })).status).toBe(201);
  });
  afterAll(() => t?.stop());

  async function send(k: string, body: Record<string, unknown>): Promise<void> {
    const r = await fetch(`${t.url}/integrations/v1/generic/${k}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(r.status).toBe(202);
    await t.cycle();
  }
  async function incidentOf(summary: string): Promise<string> {
    const list = await t.api('GET', '/api/v1/incidents?limit=100');
    return list.body.incidents.find((i: { title: string }) => i.title === summary).id;
  }
  async function trace(id: string) {
    const r = await t.api('GET', `/api/v1/incidents/${id}/trace`);
    expect(r.status).toBe(200);
    return r.body.trace;
  }

  it('an alert an event rule pauses, resolved inside the pause: held until … because rule X pauses 5 minutes, resolved before it ended', async () => {
    const opened = t.clock.now();
    await send(key, { dedup_key: 'disk-1', summary: 'Disk flapping', severity: 'critical', fields: { flaps: 'yes' } });
    const id = await incidentOf('Disk flapping');
    let tr = await trace(id);
    const held = tr.decisions.find((d: { type: string }) => d.type === 'notification.paused');
    expect(held.message).toBe(`Held until ${utc(opened + 5 * MIN)} because rule "flapping disks" pauses 5 minutes: nobody is paged unless the alert is still open then`);
    expect(held.data).toMatchObject({ rule: 'flapping disks', minutes: 5, until: opened + 5 * MIN });
    expect(tr.paged).toBe(false);
    expect(tr.why).toBe(`Nobody was paged yet: held until ${utc(opened + 5 * MIN)} because rule "flapping disks" pauses 5 minutes`);
    t.clock.advance(2 * MIN);
    await send(key, { action: 'resolve', dedup_key: 'disk-1' });
    const resolvedAt = t.clock.now();
    t.clock.advance(10 * MIN);
    await t.cycle();
    tr = await trace(id);
    expect(tr.why).toBe(`Nobody was paged: held until ${utc(opened + 5 * MIN)} because rule "flapping disks" pauses 5 minutes, and it was resolved at ${utc(resolvedAt)}, before the pause ended`);
    expect(t.twilio.messages.filter((m) => /Disk flapping/.test(m.body))).toHaveLength(0);
  });

  it('a paused alert still open when the pause ends pages, and the trace shows the hold before the level', async () => {
    await send(key, { dedup_key: 'disk-2', summary: 'Disk really failing', severity: 'critical', fields: { flaps: 'yes' } });
    const id = await incidentOf('Disk really failing');
    t.clock.advance(5 * MIN + 1000);
    await t.cycle();
    await t.cycle();
    await t.twilio.waitForMessage((m) => m.to === rae.phone && /Disk really failing/.test(m.body));
    await t.cycle();
    const tr = await trace(id);
    const types = tr.decisions.map((d: { type: string }) => d.type);
    expect(types.indexOf('notification.paused')).toBeGreaterThanOrEqual(0);
    expect(types.indexOf('notification.paused')).toBeLessThan(types.indexOf('escalation.level'));
    expect(tr.why).toBe('Paged Rae (sms)');
  });

  it("a page refused by Twilio's rate limit (429) is a decision in the trace, then retried and sent", async () => {
    t.twilio.failNext(1, 429);
    await send(key, { dedup_key: 'cpu', summary: 'CPU pegged', severity: 'critical' });
    await t.cycle();
    const id = await incidentOf('CPU pegged');
    let tr = await trace(id);
    const limited = tr.decisions.find((d: { type: string }) => d.type === 'notification.rate_limited');
    expect(limited.message).toBe("The sms page to Rae was refused by the provider's rate limit (twilio_20429): retried later");
    expect(tr.paged).toBe(false);
    expect(tr.why).toContain("1 page was refused by the provider's rate limit");
    t.clock.advance(MIN);
    await t.cycle();
    await t.twilio.waitForMessage((m) => m.to === rae.phone && /CPU pegged/.test(m.body));
    await t.cycle();
    tr = await trace(id);
    expect(tr.why).toBe('Paged Rae (sms)');
    expect(tr.decisions.some((d: { type: string }) => d.type === 'notification.rate_limited')).toBe(true);
  });

  it('an incident resolved before its first level fired: the trace says exactly that', async () => {
    await send(lateKey, { dedup_key: 'blip', summary: 'Short blip', severity: 'critical' });
    const id = await incidentOf('Short blip');
    t.clock.advance(MIN);
    await send(lateKey, { action: 'resolve', dedup_key: 'blip' });
    const at = t.clock.now();
    const tr = await trace(id);
    expect(tr.why).toBe(`Nobody was paged: it was resolved at ${utc(at)} (via ingest) before any escalation level fired`);
  });
});
