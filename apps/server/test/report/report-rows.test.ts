import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as m0008 from '../../migrations/0008-report-measures.js';
import { backfillMeasures } from '../../src/report/measures.js';
import { addResponder, DIALECTS, startTestKlaxon, type Responder, type TestKlaxon } from '../harness.js';
import { must } from '../../src/lib/must.js';

const MIN = 60_000;

// The stored report rows (report/measures.ts): written when an incident resolves, rewritten when a
// resolved incident's severity changes, backfilled by migration 0008; reports read open incidents
// live with the same definition, so the numbers do not change when a row is written.
describe.each(DIALECTS)('report rows (%s)', (dialect) => {
  let t: TestKlaxon;
  let dana: Responder;
  let key: string;
  const db = () => t.k.ctx.db.kysely;
  const send = (body: object) => fetch(`${t.url}/integrations/v1/generic/${key}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const act = async (n: number, verb: 'acknowledge' | 'resolve') => {
    expect((await t.api('POST', `/api/v1/incidents/${n}/${verb}`, undefined, dana.token)).status).toBe(200);
    await t.cycle();
  };
  const rows = async () => ({
    incidents: await db().selectFrom('report_incidents').selectAll().orderBy('number').execute(),
    alerts: await db().selectFrom('report_alerts').selectAll().orderBy('alert_id').execute(),
  });

  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
    dana = await addResponder(t, { name: 'Dana', email: 'dana@example.com', rules: [{ type: 'email', delayMinutes: 0 }] });
    const team = await t.api('POST', '/api/v1/teams', { name: 'Platform', members: [{ userId: dana.id }] });
    const policy = await t.api('POST', '/api/v1/escalation-policies', { name: 'Platform', levels: [{ delayMinutes: 30, targets: [{ type: 'user', id: dana.id }] }] });
    const svc = await t.api('POST', '/api/v1/services', { name: 'api', escalationPolicyId: policy.body.escalationPolicy.id, teamId: team.body.team.id });
    key = (await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'g', kind: 'generic' })).body.integration.key;
    await t.api('PUT', '/api/v1/reports/sla-targets', { severity: 'error', ackWithinMinutes: 5, resolveWithinMinutes: 30 });
  });
  afterAll(() => t?.stop());

  it("writes an incident's row and its alerts' rows when it resolves, and the reports read the same numbers before and after", async () => {
    t.clock.set('2026-05-04T10:00:00Z');
    const from = t.clock.now();
    expect((await send({ summary: 'db down', dedup_key: 'db', severity: 'error' })).status).toBeLessThan(300);
    t.clock.advance(MIN);
    expect((await send({ summary: 'db down', dedup_key: 'db', severity: 'error' })).status).toBeLessThan(300); // the same alert again
    await t.cycle();
    const n = (await t.api('GET', '/api/v1/incidents?limit=1')).body.incidents[0].number as number;
    t.clock.advance(6 * MIN);
    await act(n, 'acknowledge');
    expect((await rows()).incidents).toEqual([]); // open: read live
    const q = `from=${from}&to=${from + 60 * MIN}`;
    const get = async () => ({
      agg: (await t.api('GET', `/api/v1/reports/aggregates?by=severity&${q}`)).body,
      sla: (await t.api('GET', `/api/v1/reports/sla?${q}`)).body,
      noise: (await t.api('GET', `/api/v1/reports/noise?${q}`)).body,
      shifts: (await t.api('GET', `/api/v1/reports/shifts?${q}`)).body,
    });
    const open = await get();
    expect(open.agg.total).toMatchObject({ incidents: 1, alerts: 1, acknowledged: 1, resolved: 0, mtta: 7 * MIN });
    expect(open.sla.breaches).toEqual([expect.objectContaining({ number: n, target: 'ack', actualMs: 7 * MIN, open: false })]);
    expect(open.noise.summary).toMatchObject({ incidents: 1, alerts: 1, alertsPerIncident: 1 });
    expect(open.noise.topAlerts).toEqual([expect.objectContaining({ dedupKey: 'db', summary: 'db down', count: 1, events: 2, serviceName: 'api' })]);
    expect(open.noise.topServices).toEqual([expect.objectContaining({ serviceName: 'api', incidents: 1, alerts: 1 })]);
    expect(open.shifts.mttaByShift).toEqual([{ timeZone: 'Europe/Berlin', shift: 'business', acknowledged: 1, mtta: 7 * MIN, p50: 7 * MIN, p90: 7 * MIN }]);

    await act(n, 'resolve'); // resolves at 10:07, inside the range: only the resolve measures change
    const stored = await rows();
    expect(stored.incidents).toEqual([
      expect.objectContaining({ number: n, severity: 'error', drill: 0, created_at: from, acknowledged_at: from + 7 * MIN, acknowledged_by: dana.id, resolved_at: from + 7 * MIN, alerts: 1 }),
    ]);
    expect(stored.alerts).toEqual([
      expect.objectContaining({ dedup_key: 'db', summary: 'db down', event_count: 2, severity: 'error', incident_created_at: from, created_at: from, resolved_at: from + 7 * MIN }),
    ]);
    const after = await get();
    expect(after.agg.total).toEqual({ ...open.agg.total, resolved: 1, mttr: 7 * MIN, ttrP50: 7 * MIN, ttrP90: 7 * MIN });
    expect(after.sla.breaches).toEqual(open.sla.breaches);
    expect(after.sla.total).toMatchObject({ ackBreached: 1, resolveMet: 1 });
    expect(after.noise).toEqual(open.noise);
    expect(after.shifts.mttaByShift).toEqual(open.shifts.mttaByShift);
    expect(after.shifts.pagesByResponder).toEqual(open.shifts.pagesByResponder);
  });

  it("counts a flap between a resolved incident's alert and an open one's, and the same once both are stored", async () => {
    t.clock.set('2026-05-11T10:00:00Z');
    const from = t.clock.now();
    expect((await send({ summary: 'disk full', dedup_key: 'disk' })).status).toBeLessThan(300);
    t.clock.advance(2 * MIN);
    expect((await send({ action: 'resolve', dedup_key: 'disk' })).status).toBeLessThan(300);
    t.clock.advance(10 * MIN); // re-triggered 10 minutes after it resolved: a flap
    expect((await send({ summary: 'disk full again', dedup_key: 'disk' })).status).toBeLessThan(300);
    const q = `/api/v1/reports/noise?from=${from}&to=${from + 60 * MIN}&flapMinutes=30`;
    const open = (await t.api('GET', q)).body;
    expect(open.summary).toMatchObject({ incidents: 2, alerts: 2, flappingAlerts: 1, flaps: 1 });
    expect(open.flapping).toEqual([expect.objectContaining({ dedupKey: 'disk', flaps: 1 })]);
    expect(open.topAlerts).toEqual([expect.objectContaining({ dedupKey: 'disk', count: 2, summary: 'disk full again' })]);
    t.clock.advance(MIN);
    expect((await send({ action: 'resolve', dedup_key: 'disk' })).status).toBeLessThan(300);
    expect((await db().selectFrom('report_alerts').select('dedup_key').where('dedup_key', '=', 'disk').execute()).length).toBe(2);
    // Only what resolving changes: the second incident is now resolved without action too.
    expect((await t.api('GET', q)).body).toEqual({ ...open, summary: { ...open.summary, resolvedWithoutAction: open.summary.resolvedWithoutAction + 1 } });
  });

  it("rewrites a resolved incident's rows when its severity level changes afterwards", async () => {
    const n = Number((await db().selectFrom('incidents').select('number').where('title', '=', 'db down').executeTakeFirstOrThrow()).number);
    expect((await t.api('POST', `/api/v1/incidents/${n}/severity`, { sev: 'SEV3' })).status).toBe(200);
    const stored = await rows();
    expect(stored.incidents.find((r) => Number(r.number) === n)?.severity).toBe('SEV3');
    const id = must(
      stored.incidents.find((r) => Number(r.number) === n),
      'stored.incidents entry where Number(r.number) === n',
    ).incident_id;
    expect(stored.alerts.filter((a) => a.incident_id === id).map((a) => a.severity)).toEqual(['SEV3']);
    const agg = (await t.api('GET', `/api/v1/reports/aggregates?by=severity&from=${Date.parse('2026-05-04T00:00:00Z')}&to=${Date.parse('2026-05-05T00:00:00Z')}`)).body;
    expect(agg.rows.map((r: { key: string; incidents: number }) => [r.key, r.incidents])).toEqual([['SEV3', 1]]);
  });

  it('backfills the same rows from history (migration 0008 down and up again)', async () => {
    const before = await rows();
    expect(before.incidents.length).toBe(3);
    await m0008.down(db());
    await m0008.up(db());
    expect(await rows()).toEqual(before);
    // Rows already written are left alone; missing ones are filled.
    await db().deleteFrom('report_alerts').execute();
    await db().deleteFrom('report_incidents').execute();
    expect(await backfillMeasures(db())).toBe(3);
    expect(await backfillMeasures(db())).toBe(0);
    expect(await rows()).toEqual(before);
  });
});
