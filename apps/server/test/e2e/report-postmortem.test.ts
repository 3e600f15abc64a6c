import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addResponder, DIALECTS, startTestKlaxon, type Responder, type TestKlaxon } from '../harness.js';
import { must } from '../../src/lib/must.js';

const MIN = 60_000;

describe.each(DIALECTS)('reports and postmortems: resolve, draft, action item, open items, weekly summary (%s)', (dialect) => {
  let t: TestKlaxon;
  let dana: Responder;
  let teamId: string;
  let number: number;
  let postmortemId: string;

  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
    dana = await addResponder(t, { name: 'Dana', email: 'dana@example.com', rules: [{ type: 'email', delayMinutes: 0 }] });
    const team = await t.api('POST', '/api/v1/teams', { name: 'SRE', members: [{ userId: dana.id }] });
    teamId = team.body.team.id;
    const policy = await t.api('POST', '/api/v1/escalation-policies', { name: 'SRE', levels: [{ delayMinutes: 10, targets: [{ type: 'user', id: dana.id }] }] });
    expect((await t.api('POST', '/api/v1/services', { name: 'checkout', escalationPolicyId: policy.body.escalationPolicy.id, teamId })).status).toBe(201);
    const target = await t.api('PUT', '/api/v1/reports/sla-targets', { severity: 'critical', ackWithinMinutes: 5, resolveWithinMinutes: 60, warnBeforeMinutes: 2 });
    expect(target.status).toBe(200);
  });
  afterAll(() => t?.stop());

  it('warns before the acknowledge target is breached, once', async () => {
    const inc = await t.api('POST', '/api/v1/incidents', { service: 'checkout', title: 'Checkout errors', severity: 'critical' });
    expect(inc.status).toBe(201);
    number = inc.body.incident.number;
    await t.cycle();
    await t.smtp.waitFor((m) => m.to.includes('dana@example.com') && m.subject.includes('Checkout errors'));
    await t.advance(3 * MIN);
    const warn = await t.smtp.waitFor((m) => m.to.includes('dana@example.com') && m.subject.includes('acknowledge target'));
    expect(warn.subject).toContain(`#${number} will miss its acknowledge target (5 min) in 2 min`);
    await t.advance(30_000);
    expect(t.smtp.messages.filter((m) => m.subject.includes('acknowledge target'))).toHaveLength(1);
  });

  it('measures the incident exactly and generates a postmortem draft from its timeline', async () => {
    await t.advance(30_000); // T+4 min
    expect((await t.api('POST', `/api/v1/incidents/${number}/acknowledge`, undefined, dana.token)).status).toBe(200);
    t.clock.advance(26 * MIN); // T+30 min
    expect((await t.api('POST', `/api/v1/incidents/${number}/resolve`, undefined, dana.token)).status).toBe(200);
    const m = (await t.api('GET', `/api/v1/reports/incidents/${number}/measures`)).body.measures;
    expect(m).toMatchObject({ timeToAcknowledge: 4 * MIN, timeToResolve: 30 * MIN, escalations: 0, pagesByChannel: { email: 1 }, acknowledgedBy: { id: dana.id, name: 'Dana' } });

    // Before the draft: the incident's postmortem is null, a 200 (the web app asks this on every resolved incident).
    expect(await t.api('GET', `/api/v1/incidents/${number}/postmortem`)).toMatchObject({ status: 200, body: { postmortem: null } });
    expect((await t.api('GET', '/api/v1/incidents/999999/postmortem')).status).toBe(404);
    const pm = await t.api('POST', `/api/v1/incidents/${number}/postmortem`);
    expect(pm.status).toBe(201);
    const byIncident = await t.api('GET', `/api/v1/incidents/${number}/postmortem`);
    expect(byIncident.status).toBe(200);
    expect(byIncident.body.postmortem.id).toBe(pm.body.postmortem.id);
    postmortemId = pm.body.postmortem.id;
    const { sections, facts, state } = pm.body.postmortem;
    expect(state).toBe('draft');
    // What only people know starts empty: the editor shows the prompts as placeholders.
    expect(sections.rootCause).toBe('');
    expect(JSON.stringify(sections)).not.toMatch(/What caused it|Describe who was affected/);
    expect(facts).toMatchObject({ timeToAcknowledge: 4 * MIN, timeToResolve: 30 * MIN });
    expect(sections.timeline).toContain('| 2026-03-02 09:00:00 | Incident #');
    expect(sections.timeline).toContain('| 2026-03-02 09:04:00 | Acknowledged by Dana via api | Dana |');
    expect(sections.timeline).toContain('| 2026-03-02 09:30:00 | Resolved by Dana via api | Dana |');
    expect(sections.timeline).toContain('SLA warning');
    expect(sections.summary).toContain('Time to acknowledge: 4 min');
    expect(sections.summary).toContain('**Dana**');
    expect((await t.api('POST', `/api/v1/incidents/${number}/postmortem`)).status).toBe(409);
  });

  it('adds an action item that shows in the team open items, the Markdown and the review flow', async () => {
    const item = await t.api('POST', `/api/v1/postmortems/${postmortemId}/action-items`, { title: 'Add a circuit breaker to payments', ownerId: dana.id, dueAt: '2026-03-04T09:00:00Z' });
    expect(item.status).toBe(201);
    const open = (await t.api('GET', '/api/v1/action-items?team=SRE')).body.actionItems;
    expect(open.map((a: { title: string }) => a.title)).toEqual(['Add a circuit breaker to payments']);
    expect(open[0]).toMatchObject({ ownerName: 'Dana', state: 'open' });
    const problem = await t.api('POST', `/api/v1/action-items/${item.body.actionItem.id}/problem`, { externalUrl: 'https://tracker.example.com/PRB-1' });
    expect(problem.body.actionItem.problem).toMatchObject({ externalUrl: 'https://tracker.example.com/PRB-1' });
    expect((await t.api('PATCH', `/api/v1/postmortems/${postmortemId}`, { sections: { rootCause: 'Payments timed out.' } })).status).toBe(200);
    expect((await t.api('POST', `/api/v1/postmortems/${postmortemId}/state`, { state: 'published' })).status).toBe(409);
    expect((await t.api('POST', `/api/v1/postmortems/${postmortemId}/state`, { state: 'in_review' })).body.postmortem.state).toBe('in_review');
    expect((await t.api('POST', `/api/v1/postmortems/${postmortemId}/state`, { state: 'published' })).body.postmortem.state).toBe('published');
    const md = await t.api('GET', `/api/v1/postmortems/${postmortemId}/markdown`);
    expect(md.body).toContain('## Root cause\n\nPayments timed out.');
    expect(md.body).toContain('- [ ] Add a circuit breaker to payments — Dana, due 2026-03-04 (open) [problem](https://tracker.example.com/PRB-1)');
  });

  it('reminds the owner when the item is due, and emails the weekly summary to subscribers with the numbers and open items', async () => {
    expect((await t.api('POST', `/api/v1/teams/${teamId}/report-subscribers`, { userId: dana.id })).status).toBe(204);
    t.clock.set('2026-03-04T09:00:00Z');
    await t.cycle();
    await t.smtp.waitFor((m) => m.to.includes('dana@example.com') && m.subject.includes('Action item due: Add a circuit breaker'));
    t.clock.set('2026-03-09T08:00:00Z');
    await t.cycle();
    const mail = await t.smtp.waitFor((m) => m.to.includes('dana@example.com') && m.subject.includes('Weekly report: SRE, week of 2026-03-02'));
    expect(mail.text).toContain('Incidents: 1 (+1 vs previous week)');
    expect(mail.text).toContain('MTTA: 4 min');
    expect(mail.text).toContain('MTTR: 30 min');
    expect(mail.text).toContain('SLA attainment: acknowledge 100%, resolve 100%; breaches: 0');
    expect(mail.text).toContain('#' + number + ' Checkout errors');
    expect(mail.text).toContain('Add a circuit breaker to payments (Dana, due 2026-03-04)');
    await t.cycle();
    expect(t.smtp.messages.filter((m) => m.subject.includes('Weekly report: SRE, week of 2026-03-02'))).toHaveLength(1);
  });

  it('gives the same numbers as JSON and CSV', async () => {
    const q = 'from=2026-03-02T00:00:00Z&to=2026-03-09T00:00:00Z';
    const json = (await t.api('GET', `/api/v1/reports/aggregates?by=team&${q}`)).body;
    expect(json.rows).toHaveLength(1);
    expect(json.rows[0]).toMatchObject({ label: 'SRE', incidents: 1, mtta: 4 * MIN, mttr: 30 * MIN, ttaP50: 4 * MIN, ttaP90: 4 * MIN });
    const res = await fetch(`${t.url}/api/v1/reports/aggregates?by=team&${q}&format=csv`, { headers: { authorization: `Bearer ${t.adminToken}` } });
    expect(res.headers.get('content-type')).toContain('text/csv');
    const [head, row] = (await res.text()).split('\r\n');
    const cols = must(head, 'the CSV header').split(',');
    const vals = must(row, 'the CSV row').split(',');
    expect(vals[cols.indexOf('mtta')]).toBe(String(4 * MIN));
    expect(vals[cols.indexOf('label')]).toBe('SRE');
  });
});
