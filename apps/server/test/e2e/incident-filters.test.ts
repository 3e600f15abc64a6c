import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';

describe.each(DIALECTS)('incident list filters: severity, sev, team, search, assignee (%s)', (dialect) => {
  let t: TestKlaxon;
  let maya: string;
  let sam: string;
  let teamId: string;
  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
    const user = async (email: string, name: string) =>
      (await t.api('POST', '/api/v1/users', { email, name, role: 'responder', timeZone: 'Europe/Berlin', password: 'correct horse battery' })).body.user.id as string;
    maya = await user('maya@example.com', 'Maya Okafor');
    sam = await user('sam@example.com', 'Sam Lindqvist');
    const team = await t.api('POST', '/api/v1/teams', { name: 'Storage', members: [{ userId: sam }] });
    teamId = team.body.team.id;
    await t.api('POST', '/api/v1/services', { name: 'orders-db', teamId });
    await t.api('POST', '/api/v1/services', { name: 'checkout-api' });
    const open = async (service: string, title: string, severity: string) => {
      const r = await t.api('POST', '/api/v1/incidents', { service, title, severity });
      if (r.status !== 201) throw new Error(JSON.stringify(r.body));
      return r.body.incident.number as number;
    };
    await open('orders-db', 'Replication lag on orders-db-2', 'critical'); // 1
    await open('orders-db', 'Disk 90% full (50%_reserved)', 'warning'); // 2
    await open('checkout-api', 'Checkout ERROR rate above 5%', 'error'); // 3
    await open('checkout-api', 'Slow search', 'info'); // 4
    const tok = (await t.api('POST', `/api/v1/users/${sam}/tokens`, { name: 't' })).body.token as string;
    expect((await t.api('POST', '/api/v1/incidents/4/acknowledge', undefined, tok)).status).toBe(200);
    const mayaTok = (await t.api('POST', `/api/v1/users/${maya}/tokens`, { name: 't' })).body.token as string;
    expect((await t.api('POST', '/api/v1/major-incidents', { incident: '3', sev: 'SEV2' }, mayaTok)).status).toBe(201);
  }, 60_000);
  afterAll(async () => t?.stop());

  const numbers = async (query: string) => ((await t.api('GET', `/api/v1/incidents?${query}`)).body.incidents as { number: number }[]).map((i) => i.number);

  it('lists only the users asked for by id, so a screen showing a few names need not load everyone', async () => {
    const names = async (query: string) => {
      const r = await t.api('GET', `/api/v1/users${query}`);
      expect(r.status).toBe(200);
      return (r.body.users as { name: string }[]).map((u) => u.name);
    };
    expect(await names(`?ids=${sam}`)).toEqual(['Sam Lindqvist']);
    expect(await names(`?ids=${sam}&ids=${maya}&ids=${sam}&ids=nobody`)).toEqual(['Maya Okafor', 'Sam Lindqvist']);
    expect((await names('')).length).toBeGreaterThan(2); // everyone, with the admin the harness made
    const many = await t.api('GET', `/api/v1/users?${Array.from({ length: 501 }, (_, i) => `ids=u${i}`).join('&')}`);
    expect(many.status).toBe(400);
    expect(JSON.stringify(many.body)).toMatch(/ids/);
    expect((await t.api('GET', '/api/v1/users?id=x')).status).toBe(400);
  });

  it('filters by alert severity and by declared severity level', async () => {
    expect(await numbers('severity=critical')).toEqual([1]);
    expect(await numbers('severity=warning')).toEqual([2]);
    expect(await numbers('sev=SEV2')).toEqual([3]);
    expect(await numbers('sev=SEV1')).toEqual([]);
  });

  it("filters by the service's team", async () => {
    expect(await numbers(`team=${teamId}`)).toEqual([2, 1]);
    expect(await numbers('team=Storage')).toEqual([2, 1]);
    // A team that does not exist is a mistake to say, not "no incidents".
    const r = await t.api('GET', '/api/v1/incidents?team=nope');
    expect(r.status).toBe(400);
    expect(r.body.error.message).toBe('team: unknown team "nope"');
  });

  it('searches titles case-insensitively, with % and _ taken literally', async () => {
    expect(await numbers('q=error')).toEqual([3]);
    expect(await numbers('q=ORDERS-DB')).toEqual([1]);
    expect(await numbers('q=%25_r')).toEqual([2]);
    expect(await numbers('q=%25')).toEqual([3, 2]);
    expect(await numbers('q=nothing%20like%20this')).toEqual([]);
  });

  it('filters by assignee: incident manager or acknowledger; filters combine with status and the cursor', async () => {
    expect(await numbers(`assignee=${maya}`)).toEqual([3]);
    expect(await numbers(`assignee=${sam}`)).toEqual([4]);
    expect(await numbers(`assignee=${sam}&status=triggered`)).toEqual([]);
    expect(await numbers(`team=${teamId}&before=2`)).toEqual([1]);
    expect((await t.api('GET', '/api/v1/incidents?bogus=1')).status).toBe(400);
  });
});
