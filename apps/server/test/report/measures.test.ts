import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayPartByLoadSplit, dayPartOf, periodStart, percentile } from '../../src/report/compute.js';
import { addResponder, DIALECTS, startTestKlaxon, type Responder, type TestKlaxon } from '../harness.js';

const SEC = 1000;
const MIN = 60 * SEC;

describe('report arithmetic', () => {
  it('splits the week at local wall-clock time across a DST change (Europe/Berlin, 29 March 2026)', () => {
    // The same UTC time of day is business hours before the change and evening after it.
    expect(dayPartOf(Date.parse('2026-03-27T16:30:00Z'), 'Europe/Berlin')).toBe('business'); // 17:30 CET, Friday
    expect(dayPartOf(Date.parse('2026-03-30T16:30:00Z'), 'Europe/Berlin')).toBe('evening'); // 18:30 CEST, Monday
    expect(dayPartOf(Date.parse('2026-03-29T00:30:00Z'), 'Europe/Berlin')).toBe('weekend');
    expect(dayPartOf(Date.parse('2026-03-30T06:59:59Z'), 'Europe/Berlin')).toBe('night'); // 08:59:59 CEST
    expect(dayPartOf(Date.parse('2026-03-30T07:00:00Z'), 'Europe/Berlin')).toBe('business'); // 09:00 CEST
  });
  it('agrees with schedule/compute loadSplit every 15 minutes through two DST changes in several zones', () => {
    for (const zone of ['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'UTC']) {
      for (let t = Date.parse('2026-03-06T00:00:00Z'); t < Date.parse('2026-04-06T00:00:00Z'); t += 15 * MIN) expect([zone, t, dayPartOf(t, zone)]).toEqual([zone, t, dayPartByLoadSplit(t, zone)]);
      for (let t = Date.parse('2026-10-20T00:00:00Z'); t < Date.parse('2026-11-05T00:00:00Z'); t += 15 * MIN) expect([zone, t, dayPartOf(t, zone)]).toEqual([zone, t, dayPartByLoadSplit(t, zone)]);
    }
  });
  it('starts weeks on Monday at local midnight, across DST', () => {
    expect(periodStart(Date.parse('2026-03-30T16:30:00Z'), 'week', 'Europe/Berlin')).toBe(Date.parse('2026-03-29T22:00:00Z'));
    expect(periodStart(Date.parse('2026-03-29T12:00:00Z'), 'week', 'Europe/Berlin')).toBe(Date.parse('2026-03-22T23:00:00Z'));
    expect(periodStart(Date.parse('2026-03-29T12:00:00Z'), 'month', 'UTC')).toBe(Date.parse('2026-03-01T00:00:00Z'));
  });
  it('takes nearest-rank percentiles', () => {
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([], 50)).toBeNull();
  });
});

describe.each(DIALECTS)('report measures on hand-built incidents (%s)', (dialect) => {
  let t: TestKlaxon;
  let dana: Responder;
  let key: string;
  // Each verb wakes the engine; waiting for that cycle keeps page times exact before the clock moves on.
  const open = async (title: string, severity = 'warning') => {
    const n = (await t.api('POST', '/api/v1/incidents', { service: 'api', title, severity })).body.incident.number as number;
    await t.cycle();
    return n;
  };
  const act = async (n: number, verb: 'acknowledge' | 'resolve') => {
    expect((await t.api('POST', `/api/v1/incidents/${n}/${verb}`, undefined, dana.token)).status).toBe(200);
    await t.cycle();
  };

  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
    dana = await addResponder(t, { name: 'Dana', email: 'dana@example.com', rules: [{ type: 'email', delayMinutes: 0 }] }); // Europe/Berlin
    const team = await t.api('POST', '/api/v1/teams', { name: 'Platform', members: [{ userId: dana.id }] });
    const policy = await t.api('POST', '/api/v1/escalation-policies', { name: 'Platform', levels: [{ delayMinutes: 30, targets: [{ type: 'user', id: dana.id }] }] });
    const svc = await t.api('POST', '/api/v1/services', { name: 'api', escalationPolicyId: policy.body.escalationPolicy.id, teamId: team.body.team.id });
    key = (await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'g', kind: 'generic' })).body.integration.key;
    await t.api('PUT', '/api/v1/reports/sla-targets', { severity: 'warning', ackWithinMinutes: 5, resolveWithinMinutes: 30 });
  });
  afterAll(() => t?.stop());

  it('counts an SLA target met exactly at the boundary and breached one millisecond after', async () => {
    t.clock.set('2026-03-10T10:00:00Z');
    const from = t.clock.now();
    const a = await open('exactly on time');
    t.clock.advance(5 * MIN);
    await act(a, 'acknowledge');
    t.clock.advance(25 * MIN);
    await act(a, 'resolve');
    const b = await open('one ms late');
    t.clock.advance(5 * MIN + 1);
    await act(b, 'acknowledge');
    t.clock.advance(25 * MIN);
    await act(b, 'resolve');
    const c = await open('resolved without action');
    t.clock.advance(2 * MIN);
    await act(c, 'resolve');
    const d = await open('still open');
    t.clock.advance(10 * MIN);
    const sla = (await t.api('GET', `/api/v1/reports/sla?from=${from}&to=${t.clock.now() + 1}`)).body;
    expect(sla.total).toMatchObject({ incidents: 4, ackMet: 2, ackBreached: 2, resolveMet: 2, resolveBreached: 1, ackAttainment: 50 });
    expect(sla.breaches.map((x: { number: number; target: string; actualMs: number; open: boolean }) => [x.number, x.target, x.actualMs, x.open])).toEqual([
      [b, 'ack', 5 * MIN + 1, false],
      [b, 'resolve', 30 * MIN + 1, false],
      [d, 'ack', 10 * MIN, true],
    ]);
    const agg = (await t.api('GET', `/api/v1/reports/aggregates?by=severity&from=${from}&to=${t.clock.now() + 1}`)).body.rows[0];
    expect(agg).toMatchObject({
      label: 'warning',
      incidents: 4,
      acknowledged: 2,
      resolved: 3,
      mtta: Math.round((5 * MIN + 5 * MIN + 1) / 2),
      ttaP50: 5 * MIN,
      ttaP90: 5 * MIN + 1,
      resolvedWithoutAction: 1,
    });
    expect(agg.mttr).toBe(Math.round((30 * MIN + (30 * MIN + 1) + 2 * MIN) / 3));
    await act(d, 'resolve');
  });

  it('splits pages and MTTA by shift in the responder zone across the DST change', async () => {
    t.clock.set('2026-03-27T16:30:00Z'); // Friday 17:30 CET
    const fri = await open('friday', 'critical');
    await t.cycle();
    t.clock.advance(2 * MIN);
    await act(fri, 'acknowledge');
    await act(fri, 'resolve');
    t.clock.set('2026-03-30T16:30:00Z'); // Monday 18:30 CEST
    const mon = await open('monday', 'critical');
    await t.cycle();
    t.clock.advance(6 * MIN);
    await act(mon, 'acknowledge');
    await act(mon, 'resolve');
    const r = (await t.api('GET', '/api/v1/reports/shifts?from=2026-03-27T00:00:00Z&to=2026-03-31T00:00:00Z')).body;
    expect(r.pagesByResponder).toEqual([
      expect.objectContaining({ name: 'Dana', timeZone: 'Europe/Berlin', pages: 2, business: 1, evening: 1, night: 0, weekend: 0, interruptions: 2, byChannel: { email: 2 } }),
    ]);
    expect(r.mttaByShift).toEqual([
      { timeZone: 'Europe/Berlin', shift: 'business', acknowledged: 1, mtta: 2 * MIN, p50: 2 * MIN, p90: 2 * MIN },
      { timeZone: 'Europe/Berlin', shift: 'evening', acknowledged: 1, mtta: 6 * MIN, p50: 6 * MIN, p90: 6 * MIN },
    ]);
    expect(r.mttaByHour[17]).toEqual({ hour: 17, acknowledged: 1, mtta: 2 * MIN });
    expect(r.mttaByHour[18]).toEqual({ hour: 18, acknowledged: 1, mtta: 6 * MIN });
    const m = (await t.api('GET', `/api/v1/reports/incidents/${mon}/measures`)).body.measures;
    expect(m).toMatchObject({ timeToAcknowledge: 6 * MIN, timeToResolve: 6 * MIN, pagesByChannel: { email: 1 }, acknowledgedBy: { name: 'Dana' } });
  });

  it('finds flapping alerts and the noisiest alert', async () => {
    t.clock.set('2026-04-01T10:00:00Z');
    const from = t.clock.now();
    const send = (body: object) => fetch(`${t.url}/integrations/v1/generic/${key}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    for (let k = 0; k < 3; k++) {
      expect((await send({ summary: 'disk full', dedup_key: 'disk' })).status).toBeLessThan(300);
      t.clock.advance(2 * MIN);
      expect((await send({ action: 'resolve', dedup_key: 'disk' })).status).toBeLessThan(300);
      t.clock.advance(10 * MIN); // retriggered within 30 minutes: a flap
    }
    t.clock.advance(60 * MIN);
    expect((await send({ summary: 'cpu high', dedup_key: 'cpu' })).status).toBeLessThan(300);
    const r = (await t.api('GET', `/api/v1/reports/noise?from=${from}&to=${t.clock.now() + 1}&flapMinutes=30`)).body;
    expect(r.summary).toMatchObject({ alerts: 4, flappingAlerts: 1, flaps: 2 });
    expect(r.topAlerts[0]).toMatchObject({ dedupKey: 'disk', count: 3, serviceName: 'api' });
    expect(r.flapping).toEqual([expect.objectContaining({ dedupKey: 'disk', flaps: 2 })]);
  });
});
