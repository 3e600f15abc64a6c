import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, mustFind } from '../harness.js';
import { triggerAlert, warRoomWorld, type WarRoomWorld } from './warroom-setup.js';

describe.each(DIALECTS)('declaring a SEV1 from an alert (%s)', (dialect) => {
  let w: WarRoomWorld;
  beforeAll(async () => {
    w = await warRoomWorld(dialect);
  });
  afterAll(async () => w?.t.stop());

  it('opens the war room, makes the on-call incident manager IM, pages them and the SEV1 responders', async () => {
    const { t } = w;
    const levels = await t.api('GET', '/api/v1/severity-levels');
    expect(levels.body.severityLevels.map((l: { name: string; major: boolean }) => `${l.name}:${l.major}`)).toEqual(['SEV1:true', 'SEV2:true', 'SEV3:false', 'SEV4:false']);
    expect((await t.api('PATCH', '/api/v1/severity-levels/SEV3', { description: 'Minor, with a workaround' }, w.bob.token)).status).toBe(403);

    const n = await triggerAlert(w, 'Checkout down for everyone');
    expect((await t.api('POST', '/api/v1/major-incidents', { incident: String(n) }, w.stakeholderToken)).status).toBe(403);
    const d = await t.api('POST', '/api/v1/major-incidents', { incident: String(n), sev: 'SEV1', bridgeUrl: 'https://meet.example.com/inc' }, w.bob.token);
    expect(d.status).toBe(201);
    expect(d.body.incident).toMatchObject({ number: n, sev: 'SEV1', major: true, drill: false, incidentManagerId: w.ivy.id });
    const roles = Object.fromEntries(d.body.warRoom.members.map((m: { name: string; role: string }) => [m.name, m.role]));
    expect(roles).toEqual({ Bob: 'responder', Ivy: 'im', Carol: 'responder' });
    await t.cycle();

    const sms = await t.twilio.waitForMessage((m) => m.to === w.ivy.phone && m.body.includes(`#${n}`));
    expect(sms.body).toContain('Checkout down');
    const slack = await t.slack.waitForPost((p) => p.channel === 'D0CAROL01' && p.text.includes(`#${n}`));
    expect(JSON.stringify(slack.blocks)).toContain('https://meet.example.com/inc');

    const timeline = (await t.api('GET', `/api/v1/incidents/${n}/timeline`)).body.timeline as { type: string; message: string }[];
    expect(timeline.map((e) => e.type)).toEqual(expect.arrayContaining(['major.declared', 'role.assigned', 'page.manual']));
    expect(mustFind(timeline, 'a role.assigned event', (e) => e.type === 'role.assigned').message).toContain('Ivy is incident manager (on call for Incident managers)');

    const md = await fetch(`${t.url}/api/v1/incidents/${n}/timeline.md`, { headers: { authorization: `Bearer ${t.adminToken}` } });
    const text = await md.text();
    expect(text).toContain(`# Incident #${n}: Checkout down for everyone`);
    expect(text).toContain('Incident manager: Ivy');
    expect(text).toContain('| major.declared |');
  });

  it('the incident manager owns the impact estimate: sets it, others may not, it is on the timeline', async () => {
    const { t } = w;
    const n = await triggerAlert(w, 'Search results empty');
    await t.api('POST', '/api/v1/major-incidents', { incident: String(n), sev: 'SEV2' }, w.bob.token);
    const impact = { customerFacing: true, businessImpact: 'About 30% of searches return nothing; est. 2k orders/hour lost', affectedServiceIds: [w.serviceId] };
    expect((await t.api('PUT', `/api/v1/incidents/${n}/impact`, impact, w.stakeholderToken)).status).toBe(403);
    expect((await t.api('PUT', `/api/v1/incidents/${n}/impact`, { affectedServiceIds: ['nope'] }, w.ivy.token)).status).toBe(400);
    const r = await t.api('PUT', `/api/v1/incidents/${n}/impact`, impact, w.ivy.token);
    expect(r.status).toBe(200);
    expect(r.body.warRoom.impact).toEqual(impact);
    expect((await t.api('PUT', `/api/v1/incidents/${n}/impact`, { businessImpact: 'Recovering' }, w.ivy.token)).body.warRoom.impact).toMatchObject({
      customerFacing: true,
      businessImpact: 'Recovering',
    });
    const timeline = (await t.api('GET', `/api/v1/incidents/${n}/timeline`)).body.timeline;
    expect(timeline.filter((e: { type: string }) => e.type === 'impact.changed').map((e: { message: string }) => e.message)).toEqual([
      'Impact updated: business impact: About 30% of searches return nothing; est. 2k orders/hour lost; customer-facing; 1 affected service(s)',
      'Impact updated: business impact: Recovering',
    ]);
  });

  it('raising a fresh incident to SEV2 opens a war room too', async () => {
    const n = await triggerAlert(w, 'Search degraded');
    const r = await w.t.api('POST', `/api/v1/incidents/${n}/severity`, { sev: '2' }, w.bob.token);
    expect(r.status).toBe(200);
    expect(r.body.incident).toMatchObject({ sev: 'SEV2', major: true, incidentManagerId: w.ivy.id });
    expect((await w.t.api('GET', `/api/v1/incidents/${n}/war-room`)).status).toBe(200);
  });
});
