import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';
import { must } from '../../src/lib/must.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

// The filters a report figure drills down with: the same range, severity and drill rules as the reports.
describe.each(DIALECTS)('incident list filters for report drill-down: since, until, ids, level, drill, acknowledged (%s)', (dialect) => {
  let t: TestKlaxon;
  let sam: string;
  const at: Record<number, number> = {};
  const id: Record<number, string> = {};
  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
    sam = (await t.api('POST', '/api/v1/users', { email: 'sam@example.com', name: 'Sam Lindqvist', role: 'responder', timeZone: 'Europe/Berlin', password: 'correct horse battery' })).body.user.id;
    const samTok = (await t.api('POST', `/api/v1/users/${sam}/tokens`, { name: 't' })).body.token as string;
    await t.api('POST', '/api/v1/services', { name: 'orders-db' });
    const open = async (title: string, severity: string) => {
      const r = await t.api('POST', '/api/v1/incidents', { service: 'orders-db', title, severity });
      if (r.status !== 201) throw new Error(JSON.stringify(r.body));
      at[r.body.incident.number] = r.body.incident.createdAt;
      id[r.body.incident.number] = r.body.incident.id;
      return r.body.incident.number as number;
    };
    await open('Replication lag', 'critical'); // 1 at 09:00
    await t.advance(HOUR);
    await open('Disk full', 'warning'); // 2 at 10:00, acknowledged by Sam
    expect((await t.api('POST', '/api/v1/incidents/2/acknowledge', undefined, samTok)).status).toBe(200);
    await t.advance(HOUR);
    await open('Checkout errors', 'critical'); // 3 at 11:00, declared SEV2: its level is SEV2
    expect((await t.api('POST', '/api/v1/major-incidents', { incident: '3', sev: 'SEV2' })).status).toBe(201);
    await t.advance(HOUR);
    const d = await t.api('POST', '/api/v1/major-incidents', { service: 'orders-db', title: 'Failover drill', sev: 'SEV3', drill: true }); // 4 at 12:00, a drill
    expect(d.status).toBe(201);
    at[4] = d.body.incident.createdAt;
    id[4] = d.body.incident.id;
  }, 60_000);
  afterAll(async () => t?.stop());

  const numbers = async (query: string) => {
    const r = await t.api('GET', `/api/v1/incidents?${query}`);
    expect(r.status).toBe(200);
    return (r.body.incidents as { number: number }[]).map((i) => i.number);
  };

  it('since is inclusive and until exclusive, in epoch ms or ISO with offset', async () => {
    expect(await numbers(`since=${at[2]}`)).toEqual([4, 3, 2]);
    expect(await numbers(`since=${at[2]}&until=${at[3]}`)).toEqual([2]);
    expect(await numbers(`since=${must(at[2], 'at[2]') - 1}&until=${must(at[3], 'at[3]') + 1}`)).toEqual([3, 2]);
    expect(await numbers(`since=${encodeURIComponent('2026-03-02T10:30:00+00:00')}&until=2026-03-02T12:00:00Z`)).toEqual([3]);
    const bad = await t.api('GET', '/api/v1/incidents?since=yesterday-ish');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('since');
  });

  it('ids, the level reports group by (declared level, else alert severity), drills, acknowledgement', async () => {
    expect(await numbers(`ids=${id[1]}&ids=${id[3]}`)).toEqual([3, 1]);
    expect(await numbers('level=critical')).toEqual([1]); // 3 is critical too, but its level is SEV2
    expect(await numbers('level=SEV2')).toEqual([3]);
    expect(await numbers('drill=false')).toEqual([3, 2, 1]);
    expect(await numbers('drill=true')).toEqual([4]);
    expect(await numbers(`acknowledgedBy=${sam}`)).toEqual([2]);
    expect(await numbers('acknowledged=true&drill=false')).toEqual([2]);
    expect(await numbers('acknowledged=false&drill=false')).toEqual([3, 1]);
  });

  it('a report figure and the list it drills down to count the same incidents', async () => {
    const from = must(at[1], 'at[1]');
    const to = must(at[4], 'at[4]') + 1;
    const agg = await t.api('GET', `/api/v1/reports/aggregates?by=severity&from=${from}&to=${to}`);
    expect(agg.status).toBe(200);
    const rows = agg.body.rows as { key: string; incidents: number; acknowledged: number }[];
    expect(rows.map((r) => r.key).sort()).toEqual(['SEV2', 'critical', 'warning']);
    for (const r of rows) {
      expect(await numbers(`since=${from}&until=${to}&drill=false&level=${r.key}`)).toHaveLength(r.incidents);
      expect(await numbers(`since=${from}&until=${to}&drill=false&level=${r.key}&acknowledged=true`)).toHaveLength(r.acknowledged);
    }
    expect(await numbers(`since=${from}&until=${to}&drill=false`)).toHaveLength(agg.body.total.incidents);
  });
});
