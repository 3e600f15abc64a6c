import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';

const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

// Statuspage's public API v2 (what widgets and monitors read): incidents/unresolved.json,
// scheduled-maintenances.json, scheduled-maintenances/upcoming.json and /active.json, each
// {page, incidents|scheduled_maintenances}; maintenances with created_at, updated_at and their
// components; components whose updated_at is their last change; updates created when posted.
describe.each(DIALECTS)('Statuspage v2 compatibility (%s)', (dialect) => {
  let t: TestKlaxon;
  let bsCreated: number;
  let incidentCreated: number;
  let updatePosted: number;
  let searchOnly: { id: string; createdAt: number; startsAt: number; endsAt: number };
  let checkoutWindow: { id: string; createdAt: number; startsAt: number; endsAt: number };
  const get = async (path: string) => {
    // A page is reused for up to a second of clock time: step past it so each read is fresh.
    await t.advance(1_500);
    const res = await fetch(`${t.url}${path}`);
    expect(res.status, path).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    return (await res.json()) as any;
  };
  const window = async (body: Record<string, unknown>) => {
    const r = await t.api('POST', '/api/v1/maintenance-windows', body);
    expect(r.status).toBe(201);
    const m = r.body.maintenanceWindow;
    return { id: m.id as string, createdAt: m.createdAt as number, startsAt: m.startsAt as number, endsAt: m.endsAt as number };
  };

  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
    await t.api('POST', '/api/v1/services', { name: 'checkout-api' });
    await t.api('POST', '/api/v1/services', { name: 'search-api' });
    const bs = await t.api('POST', '/api/v1/business-services', { name: 'Checkout', serviceIds: ['checkout-api'], position: 1 });
    bsCreated = t.clock.now();
    expect(bs.status).toBe(201);
    await t.api('POST', '/api/v1/business-services', { name: 'Search', serviceIds: ['search-api'], position: 2 });
    expect((await t.api('PUT', '/api/v1/status-pages', { slug: 'acme', name: 'Acme Status', isDefault: true, businessServiceIds: ['Checkout', 'Search'] })).status).toBe(200);

    await t.advance(10 * MIN);
    const inc = await t.api('POST', '/api/v1/incidents', { service: 'checkout-api', title: 'Payments are slow', severity: 'critical' });
    incidentCreated = inc.body.incident.createdAt;
    expect((await t.api('POST', '/api/v1/incidents/1/severity', { sev: 'SEV2' })).status).toBe(200);
    await t.advance(5 * MIN);
    const up = await t.api('POST', '/api/v1/incidents/1/status-updates', { phase: 'identified', message: 'We found the cause.', public: true, publicTitle: 'Payments are slow' });
    expect(up.status).toBe(201);
    updatePosted = up.body.statusUpdate.at;
    await t.advance(5 * MIN);
    const now = t.clock.now();
    // One window names only a technical service; the other a business service.
    searchOnly = await window({ title: 'Search index rebuild', description: 'Search may be stale.', serviceIds: ['search-api'], startsAt: iso(now + 40 * MIN), endsAt: iso(now + 100 * MIN) });
    checkoutWindow = await window({
      title: 'Card processor switch',
      description: 'Payments pause briefly.',
      businessServiceIds: ['Checkout'],
      startsAt: iso(now + 10 * MIN),
      endsAt: iso(now + 20 * MIN),
    });
  });
  afterAll(async () => t?.stop());

  it('incidents/unresolved.json lists the open incidents; an update is created when it was posted', async () => {
    const u = await get('/status/api/v2/incidents/unresolved.json');
    expect(Object.keys(u).sort()).toEqual(['incidents', 'page']);
    expect(u.page).toMatchObject({ name: 'Acme Status', time_zone: 'Etc/UTC' });
    expect(u.incidents.map((i: any) => [i.name, i.status])).toEqual([['Payments are slow', 'identified']]);
    expect(u.incidents[0].created_at).toBe(iso(incidentCreated));
    expect(u.incidents[0].incident_updates[0]).toMatchObject({ body: 'We found the cause.', created_at: iso(updatePosted), display_at: iso(updatePosted) });
    expect((await get('/status/acme/api/v2/incidents/unresolved.json')).incidents).toHaveLength(1);
  });

  it("a component's updated_at is its last change, not the time of the request", async () => {
    const c = await get('/status/api/v2/components.json');
    const byName = new Map(c.components.map((x: any) => [x.name, x]));
    expect((byName.get('Checkout') as any).updated_at).toBe(iso(incidentCreated)); // the incident set its state
    expect((byName.get('Search') as any).updated_at).toBe(iso(bsCreated)); // nothing happened since it was made
    expect(c.components.every((x: any) => x.updated_at !== iso(t.clock.now()))).toBe(true);
  });

  it('scheduled maintenances: upcoming, then active, then completed; each with created_at, updated_at and its components', async () => {
    const upcoming = await get('/status/api/v2/scheduled-maintenances/upcoming.json');
    expect(Object.keys(upcoming).sort()).toEqual(['page', 'scheduled_maintenances']);
    expect(upcoming.scheduled_maintenances.map((m: any) => [m.name, m.status])).toEqual([
      ['Card processor switch', 'scheduled'],
      ['Search index rebuild', 'scheduled'],
    ]);
    const search = upcoming.scheduled_maintenances[1];
    expect(search).toMatchObject({
      id: searchOnly.id,
      impact: 'maintenance',
      created_at: iso(searchOnly.createdAt),
      updated_at: iso(searchOnly.createdAt),
      scheduled_for: iso(searchOnly.startsAt),
      scheduled_until: iso(searchOnly.endsAt),
      resolved_at: null,
    });
    // It names only search-api (a technical service): the component it maps to is listed.
    expect(search.components.map((c: any) => c.name)).toEqual(['Search']);
    expect(search.incident_updates).toEqual([expect.objectContaining({ status: 'scheduled', body: 'Search may be stale.', created_at: iso(searchOnly.createdAt) })]);
    expect(upcoming.scheduled_maintenances[0].components.map((c: any) => c.name)).toEqual(['Checkout']);
    expect((await get('/status/api/v2/scheduled-maintenances/active.json')).scheduled_maintenances).toEqual([]);
    // summary.json carries the same documents.
    const summary = await get('/status/api/v2/summary.json');
    expect(summary.scheduled_maintenances.find((m: any) => m.id === searchOnly.id)).toMatchObject({ created_at: iso(searchOnly.createdAt), components: [expect.objectContaining({ name: 'Search' })] });

    t.clock.set(checkoutWindow.startsAt + MIN);
    const active = await get('/status/api/v2/scheduled-maintenances/active.json');
    expect(active.scheduled_maintenances.map((m: any) => [m.name, m.status, m.updated_at])).toEqual([['Card processor switch', 'in_progress', iso(checkoutWindow.startsAt)]]);
    expect((await get('/status/api/v2/scheduled-maintenances/upcoming.json')).scheduled_maintenances.map((m: any) => m.name)).toEqual(['Search index rebuild']);

    t.clock.set(checkoutWindow.endsAt + MIN);
    const all = await get('/status/api/v2/scheduled-maintenances.json');
    expect(all.scheduled_maintenances.map((m: any) => [m.name, m.status])).toEqual([
      ['Search index rebuild', 'scheduled'],
      ['Card processor switch', 'completed'],
    ]);
    expect(all.scheduled_maintenances[1]).toMatchObject({ resolved_at: iso(checkoutWindow.endsAt), updated_at: iso(checkoutWindow.endsAt), created_at: iso(checkoutWindow.createdAt) });
    expect((await get('/status/api/v2/scheduled-maintenances/active.json')).scheduled_maintenances).toEqual([]);
    // The window's end is Checkout's last change.
    const c = await get('/status/api/v2/components.json');
    expect(c.components.find((x: any) => x.name === 'Checkout').updated_at).toBe(iso(checkoutWindow.endsAt));
  });
});
