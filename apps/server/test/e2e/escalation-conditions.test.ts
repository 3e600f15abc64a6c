import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '../../src/context.js';
import { takeRoundRobinTurn } from '../../src/escalation/store.js';
import { addResponder, DIALECTS, startTestKlaxon, type Responder, type TestKlaxon } from '../harness.js';

const HOUR = 3_600_000;
const MIN = 60_000;

// Levels with conditions (a night level for critical alerts only, a business-hours level) and a
// round-robin level, against the real server. The clock starts Monday 2026-03-02 09:00Z (10:00 in Berlin).
describe.each(DIALECTS)('escalation that decides (%s)', (dialect) => {
  let t: TestKlaxon;
  let nora: Responder; // nights, critical only
  let dana: Responder; // business hours
  let otto: Responder; // everything else
  let ops = '';
  let policyId = '';

  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
    nora = await addResponder(t, { name: 'Nora', email: 'nora@example.com', rules: [{ type: 'email', delayMinutes: 0 }] });
    dana = await addResponder(t, { name: 'Dana', email: 'dana@example.com', rules: [{ type: 'email', delayMinutes: 0 }] });
    otto = await addResponder(t, { name: 'Otto', email: 'otto@example.com', rules: [{ type: 'email', delayMinutes: 0 }] });
    const policy = await t.api('POST', '/api/v1/escalation-policies', {
      name: 'Ops',
      levels: [
        { delayMinutes: 10, targets: [{ type: 'user', id: nora.id }], condition: { timeZone: 'Europe/Berlin', between: { start: '22:00', end: '07:00' }, severity: ['critical'] } },
        { delayMinutes: 10, targets: [{ type: 'user', id: dana.id }], condition: { timeZone: 'Europe/Berlin', days: ['mon', 'tue', 'wed', 'thu', 'fri'], between: { start: '09:00', end: '17:00' } } },
        { delayMinutes: 10, targets: [{ type: 'user', id: otto.id }] },
      ],
    });
    expect(policy.status).toBe(201);
    policyId = policy.body.escalationPolicy.id;
    expect(policy.body.escalationPolicy.levels[0].condition.between).toEqual({ start: '22:00', end: '07:00' });
    const svc = await t.api('POST', '/api/v1/services', { name: 'ops', escalationPolicyId: policyId });
    ops = (await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'generic', kind: 'generic' })).body.integration.key;
  });
  afterAll(() => t?.stop());

  async function trigger(key: string, summary: string, severity: string, extra: Record<string, unknown> = {}): Promise<string> {
    const r = await fetch(`${t.url}/integrations/v1/generic/${key}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dedup_key: summary, summary, severity, source: 'test', ...extra }),
    });
    expect(r.status).toBe(202);
    await t.cycle();
    const list = await t.api('GET', '/api/v1/incidents?limit=100');
    return list.body.incidents.find((i: { title: string }) => i.title === summary).id;
  }
  const mailsTo = (who: Responder, summary: string) => t.smtp.messages.filter((m) => m.to.includes(who.email) && m.subject.includes(summary)).length;
  async function timeline(id: string): Promise<{ type: string; message: string; data: Record<string, unknown> }[]> {
    const r = await t.api('GET', `/api/v1/incidents/${id}/timeline`);
    expect(r.status).toBe(200);
    return r.body.timeline ?? r.body.events;
  }

  it('refuses a condition it cannot evaluate, saying which field', async () => {
    const bad = await t.api('POST', '/api/v1/escalation-policies', { name: 'Bad', levels: [{ delayMinutes: 0, targets: [{ type: 'user', id: otto.id }], condition: { days: ['mon'] } }] });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('levels.0.condition.timeZone');
    const zone = await t.api('POST', '/api/v1/escalation-policies', {
      name: 'Bad',
      levels: [{ delayMinutes: 0, targets: [{ type: 'user', id: otto.id }], condition: { timeZone: 'Mars/Olympus', days: ['mon'] } }],
    });
    expect(zone.status).toBe(400);
    expect(JSON.stringify(zone.body)).toContain('unknown time zone Mars/Olympus');
    const label = await t.api('POST', '/api/v1/escalation-policies', { name: 'Bad', levels: [{ delayMinutes: 0, targets: [{ type: 'user', id: otto.id }], condition: { label: { key: 'team' } } }] });
    expect(label.status).toBe(400);
    expect(JSON.stringify(label.body)).toContain('exactly one of equals or in');
  });

  it('business hours on a weekday: the night level is skipped, the business-hours level pages, the timeline says why', async () => {
    const id = await trigger(ops, 'Monday morning critical', 'critical');
    await t.smtp.waitFor((m) => m.to.includes(dana.email) && m.subject.includes('Monday morning critical'));
    expect(mailsTo(nora, 'Monday morning critical')).toBe(0);
    expect(mailsTo(otto, 'Monday morning critical')).toBe(0);
    const tl = await timeline(id);
    const skipped = tl.find((e) => e.type === 'escalation.condition_skipped');
    expect(skipped?.message).toMatch(/level 1 of 3 skipped.*10:00 in Europe\/Berlin, outside 22:00-07:00/);
    expect(skipped?.data.level).toBe(0);
    await t.api('POST', `/api/v1/incidents/${id}/acknowledge`, {});
  });

  it('at 03:00 in Berlin a warning skips the night level (and business hours) and pages Otto; a critical pages Nora', async () => {
    t.clock.advance(17 * HOUR); // Tuesday 02:00Z = 03:00 in Berlin (CET)
    const warn = await trigger(ops, 'Night warning', 'warning');
    await t.smtp.waitFor((m) => m.to.includes(otto.email) && m.subject.includes('Night warning'));
    expect(mailsTo(nora, 'Night warning')).toBe(0);
    expect(mailsTo(dana, 'Night warning')).toBe(0);
    const tl = await timeline(warn);
    const skips = tl.filter((e) => e.type === 'escalation.condition_skipped').map((e) => e.message);
    expect(skips[0]).toMatch(/level 1 of 3 skipped.*severity is warning, not critical/);
    expect(skips[1]).toMatch(/level 2 of 3 skipped.*03:00 in Europe\/Berlin, outside 09:00-17:00/);

    await trigger(ops, 'Night outage', 'critical');
    await t.smtp.waitFor((m) => m.to.includes(nora.email) && m.subject.includes('Night outage'));
    expect(mailsTo(otto, 'Night outage')).toBe(0);
    // Nobody acknowledges: after 10 minutes business hours are skipped and Otto is paged.
    await t.advance(10 * MIN);
    await t.cycle();
    await t.smtp.waitFor((m) => m.to.includes(otto.email) && m.subject.includes('Night outage'));
    expect(mailsTo(dana, 'Night outage')).toBe(0);
  });

  it('on Saturday at 10:00 the business-hours level is skipped by its weekday', async () => {
    t.clock.set(Date.parse('2026-03-07T09:00:00Z')); // Saturday 10:00 in Berlin
    const id = await trigger(ops, 'Saturday critical', 'critical');
    await t.smtp.waitFor((m) => m.to.includes(otto.email) && m.subject.includes('Saturday critical'));
    expect(mailsTo(dana, 'Saturday critical')).toBe(0);
    const tl = await timeline(id);
    expect(tl.some((e) => e.type === 'escalation.condition_skipped' && /it is sat 10:00 in Europe\/Berlin, not one of mon, tue, wed, thu, fri/.test(e.message))).toBe(true);
  });

  it('a label condition (in) routes to the level only for matching alerts', async () => {
    const p = await t.api('POST', '/api/v1/escalation-policies', {
      name: 'Databases',
      levels: [
        { delayMinutes: 10, targets: [{ type: 'user', id: dana.id }], condition: { label: { key: 'team', in: ['db', 'storage'] } } },
        { delayMinutes: 10, targets: [{ type: 'user', id: otto.id }] },
      ],
    });
    expect(p.status).toBe(201);
    const svc = await t.api('POST', '/api/v1/services', { name: 'db', escalationPolicyId: p.body.escalationPolicy.id });
    const key = (await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'am', kind: 'alertmanager' })).body.integration.key;
    const send = async (alertname: string, team: string) => {
      const r = await fetch(`${t.url}/integrations/v1/alertmanager/${key}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          version: '4',
          status: 'firing',
          receiver: 'klaxon',
          groupKey: alertname,
          alerts: [{ status: 'firing', labels: { alertname, team, severity: 'critical' }, annotations: { summary: alertname }, fingerprint: alertname }],
        }),
      });
      expect(r.status).toBe(202);
      await t.cycle();
    };
    await send('StorageFull', 'storage');
    await t.smtp.waitFor((m) => m.to.includes(dana.email) && m.subject.includes('StorageFull'));
    await send('FrontendSlow', 'web');
    await t.smtp.waitFor((m) => m.to.includes(otto.email) && m.subject.includes('FrontendSlow'));
    expect(mailsTo(dana, 'FrontendSlow')).toBe(0);
  });
});

describe.each(DIALECTS)('round robin (%s)', (dialect) => {
  let t: TestKlaxon;
  let people: Responder[] = [];
  let key = '';
  let policyId = '';

  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
    people = [];
    for (const name of ['Ann', 'Ben', 'Cat']) people.push(await addResponder(t, { name, email: `${name.toLowerCase()}@example.com`, rules: [{ type: 'email', delayMinutes: 0 }] }));
    const policy = await t.api('POST', '/api/v1/escalation-policies', {
      name: 'Support rota',
      levels: [{ delayMinutes: 30, roundRobin: true, targets: people.map((p) => ({ type: 'user', id: p.id })) }],
    });
    expect(policy.status).toBe(201);
    expect(policy.body.escalationPolicy.levels[0].roundRobin).toBe(true);
    policyId = policy.body.escalationPolicy.id;
    const svc = await t.api('POST', '/api/v1/services', { name: 'support', escalationPolicyId: policyId });
    key = (await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'generic', kind: 'generic', rateLimitPerMinute: 1000 })).body.integration.key;
  });
  afterAll(() => t?.stop());

  const send = (summary: string) =>
    fetch(`${t.url}/integrations/v1/generic/${key}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dedup_key: summary, summary, severity: 'critical', source: 'test' }),
    }).then((r) => expect(r.status).toBe(202));
  const pagedFor = (summary: string) => people.filter((p) => t.smtp.messages.some((m) => m.to.includes(p.email) && m.subject.includes(summary))).map((p) => p.email);

  it('four incidents go to Ann, Ben, Cat, Ann, each on its timeline', async () => {
    for (let i = 1; i <= 4; i++) {
      await send(`Ticket ${i}`);
      await t.cycle();
      await t.cycle();
    }
    expect([1, 2, 3, 4].map((i) => pagedFor(`Ticket ${i}`))).toEqual([['ann@example.com'], ['ben@example.com'], ['cat@example.com'], ['ann@example.com']]);
    const list = await t.api('GET', '/api/v1/incidents?limit=100');
    const inc = list.body.incidents.find((i: { title: string }) => i.title === 'Ticket 2');
    const tl = await t.api('GET', `/api/v1/incidents/${inc.id}/timeline`);
    const level = (tl.body.timeline ?? tl.body.events).find((e: { type: string }) => e.type === 'escalation.level');
    expect(level.message).toMatch(/paging Ben \(round robin: turn 2, target 2 of 3\)/);
    expect(level.data.roundRobin).toEqual({ position: 1, target: 1 });
  });

  it('incidents ingested at once each get their own turn (no one paged twice, nobody skipped)', async () => {
    await Promise.all([5, 6, 7].map((i) => send(`Ticket ${i}`)));
    await t.cycle();
    await t.cycle();
    const got = [5, 6, 7].map((i) => pagedFor(`Ticket ${i}`));
    for (const g of got) expect(g).toHaveLength(1);
    expect(got.flat().sort()).toEqual(['ann@example.com', 'ben@example.com', 'cat@example.com']);
  });

  it('the cursor hands out distinct turns to concurrent transactions', async () => {
    const turns = await Promise.all(Array.from({ length: 8 }, () => withTransaction(t.k.ctx, (tctx) => takeRoundRobinTurn(tctx.db.kysely, policyId, 5, 0))));
    expect([...turns].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});
