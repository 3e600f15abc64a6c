import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addResponder, capture, DIALECTS, mustFind, startTestKlaxon, type Responder, type TestKlaxon } from '../harness.js';
import { must } from '../../src/lib/must.js';

const MIN = 60_000;

describe.each(DIALECTS)('stakeholders and the public status page (%s)', (dialect) => {
  let t: TestKlaxon;
  let alice: Responder;
  let samToken: string;
  let checkoutKey: string;
  let searchKey: string;

  const page = async (path = '/status') => {
    // Pages are cached for 5 s of clock time; move past it so each read sees the latest state.
    await t.advance(6_000);
    const res = await fetch(`${t.url}${path}`);
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
  };
  const trigger = (key: string, dedup: string, summary: string) =>
    fetch(`${t.url}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ routing_key: key, event_action: 'trigger', dedup_key: dedup, payload: { summary, source: 'mon', severity: 'critical' } }),
    });

  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
    alice = await addResponder(t, { name: 'Alice', email: 'alice@example.com', rules: [{ type: 'email', delayMinutes: 0 }] });
    const policy = await t.api('POST', '/api/v1/escalation-policies', { name: 'Shop', levels: [{ delayMinutes: 10, targets: [{ type: 'user', id: alice.id }] }] });
    const checkout = await t.api('POST', '/api/v1/services', { name: 'checkout-api', escalationPolicyId: policy.body.escalationPolicy.id });
    const search = await t.api('POST', '/api/v1/services', { name: 'search-api', escalationPolicyId: policy.body.escalationPolicy.id });
    checkoutKey = (await t.api('POST', `/api/v1/services/${checkout.body.service.id}/integrations`, { name: 'pd', kind: 'pagerduty' })).body.integration.key;
    searchKey = (await t.api('POST', `/api/v1/services/${search.body.service.id}/integrations`, { name: 'pd', kind: 'pagerduty' })).body.integration.key;
    const bs1 = await t.api('POST', '/api/v1/business-services', { name: 'Checkout', serviceIds: ['checkout-api'], position: 1 });
    expect(bs1.status).toBe(201);
    const bs2 = await t.api('POST', '/api/v1/business-services', { name: 'Search', serviceIds: ['search-api'], position: 2 });
    expect(bs2.status).toBe(201);
    const sp = await t.api('PUT', '/api/v1/status-pages', {
      slug: 'acme',
      name: 'Acme Status',
      isDefault: true,
      logoUrl: 'https://acme.example/logo.png',
      colors: { brand: '#7c3aed' },
      businessServiceIds: ['Checkout', 'Search'],
    });
    expect(sp.status).toBe(200);
    // A stakeholder (signed-in, never paged) follows Checkout.
    const sam = await t.api('POST', '/api/v1/users', { email: 'sam@example.com', name: 'Sam', role: 'stakeholder', timeZone: 'UTC' });
    samToken = (await t.api('POST', `/api/v1/users/${sam.body.user.id}/tokens`, { name: 't' })).body.token;
    const sub = await t.api('POST', '/api/v1/subscriptions', { scope: 'business_service', targetId: 'Checkout' }, samToken);
    expect(sub.status).toBe(201);
  });
  afterAll(() => t?.stop());

  it('an email subscription needs double opt-in', async () => {
    const res = await fetch(`${t.url}/status/acme/subscribe`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=Customer%40Example.com' });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Check your inbox');
    await t.cycle();
    const mail = await t.smtp.waitFor((m) => m.to.includes('customer@example.com') && /Confirm your subscription/.test(m.subject));
    const link = capture(/(http:\/\/127\.0\.0\.1:\d+\/status\/subscriptions\/[^\s]+\/confirm)/, mail.text);
    let subs = await t.api('GET', '/api/v1/subscriptions');
    expect(subs.body.subscriptions.find((s: { destination: string }) => s.destination === 'customer@example.com').confirmed).toBe(false);
    expect((await fetch(link)).status).toBe(200); // a mail scanner's GET changes nothing
    subs = await t.api('GET', '/api/v1/subscriptions');
    expect(subs.body.subscriptions.find((s: { destination: string }) => s.destination === 'customer@example.com').confirmed).toBe(false);
    const ok = await fetch(link, { method: 'POST' });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('Subscription confirmed');
    subs = await t.api('GET', '/api/v1/subscriptions');
    expect(subs.body.subscriptions.find((s: { destination: string }) => s.destination === 'customer@example.com').confirmed).toBe(true);
    expect((await fetch(link.replace(/confirm$/, 'x').replace(/\.[^./]+\/x$/, '.forged/confirm'), { method: 'POST' })).status).toBe(404);
  });

  it('a SEV2 on checkout-api shows Checkout degraded; the public update reaches page, feeds and inboxes, the internal one does not', async () => {
    const before = await page('/status');
    expect(before.body).toContain('All Systems Operational');

    expect((await trigger(checkoutKey, 'pay-slow', 'Payments are slow')).status).toBe(202);
    await t.cycle();
    // Severity and incident manager through the war room's API.
    const sev = await t.api('POST', '/api/v1/incidents/1/severity', { sev: 'SEV2' });
    expect(sev.status).toBe(200);
    const im = await t.api('POST', '/api/v1/incidents/1/roles', { role: 'im', user: alice.id });
    expect(im.status).toBe(200);

    const affected = await t.api('GET', '/api/v1/incidents/1/business-services');
    expect(affected.body.businessServices.map((b: { name: string }) => b.name)).toEqual(['Checkout']);

    const degraded = await page('/status');
    expect(degraded.type).toContain('text/html');
    expect(degraded.body).toMatch(/Checkout<\/span><span class="st po" data-state="partial_outage">Partial outage/);
    expect(degraded.body).toMatch(/Search<\/span><span class="st ok" data-state="operational">/);
    expect(degraded.body).toContain('Partial System Outage');
    expect(degraded.body).toContain('https://acme.example/logo.png');
    expect(degraded.body).toContain('#7c3aed');
    expect(degraded.body).not.toContain('<script');

    const internal = await t.api('POST', '/api/v1/incidents/1/status-updates', { phase: 'investigating', message: 'INTERNAL ONLY: primary DB failover suspected', public: false }, alice.token);
    expect(internal.status).toBe(201);
    const pub = await t.api(
      'POST',
      '/api/v1/incidents/1/status-updates',
      { phase: 'identified', message: 'Card payments are slow; we found the cause & are fixing it.', businessImpact: 'Some customers cannot pay', nextUpdateInMinutes: 30, public: true },
      alice.token,
    );
    expect(pub.status).toBe(201);
    expect(pub.body.statusUpdate).toMatchObject({ phase: 'identified', public: true });
    await t.cycle();

    const shown = await page('/status');
    expect(shown.body).toContain('Active incidents');
    expect(shown.body).toContain('Card payments are slow; we found the cause &amp; are fixing it.');
    expect(shown.body).not.toContain('INTERNAL ONLY');
    const alt = await page('/status/acme');
    expect(alt.body).toContain('Card payments are slow');

    const rss = await page('/status/feed.rss');
    expect(rss.type).toContain('application/rss+xml');
    expect(rss.body).toContain('<rss version="2.0"');
    // The public title, never the internal alert title.
    expect(rss.body).toContain('Identified: Issue affecting Checkout');
    expect(rss.body).not.toContain('Payments are slow');
    expect(shown.body).not.toContain('Payments are slow');
    expect(rss.body).toContain('we found the cause &amp; are fixing it');
    expect(rss.body).not.toContain('INTERNAL ONLY');
    const atom = await page('/status/acme/feed.atom');
    expect(atom.type).toContain('application/atom+xml');
    expect(atom.body).toContain('<feed xmlns="http://www.w3.org/2005/Atom">');
    expect(atom.body).toContain('we found the cause &amp; are fixing it');
    expect(atom.body).not.toContain('INTERNAL ONLY');

    const customer = await t.smtp.waitFor((m) => m.to.includes('customer@example.com') && /Identified/.test(m.subject));
    expect(customer.text).toContain('Card payments are slow');
    expect(customer.text).toContain('Some customers cannot pay');
    expect(customer.headers['list-unsubscribe']).toMatch(/^<http:\/\/127\.0\.0\.1:\d+\/status\/subscriptions\/.+\/unsubscribe>$/);
    expect(customer.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    expect(t.smtp.messages.filter((m) => m.to.includes('customer@example.com') && /INTERNAL ONLY/.test(m.text))).toHaveLength(0);
    // The signed-in stakeholder gets both, and is never paged.
    await t.smtp.waitFor((m) => m.to.includes('sam@example.com') && /INTERNAL ONLY/.test(m.text));
    await t.smtp.waitFor((m) => m.to.includes('sam@example.com') && /Card payments are slow/.test(m.text));
    expect(t.smtp.messages.filter((m) => m.to.includes('sam@example.com') && /Acknowledge/.test(m.text))).toHaveLength(0);

    const where = await t.api('GET', '/api/v1/status/internal', undefined, samToken);
    expect(where.status).toBe(200);
    expect(where.body.incidents).toHaveLength(1);
    expect(where.body.incidents[0]).toMatchObject({ number: 1, sev: 'SEV2', incidentManager: { name: 'Alice' }, businessServices: [{ name: 'Checkout' }], latestUpdate: { phase: 'identified' } });
    expect(where.body.incidents[0].warRoomUrl).toMatch(/\/incidents\/1\/war-room$/);
  });

  it('an overdue update reminds the incident manager', async () => {
    const reminders = () => t.smtp.messages.filter((m) => m.to.includes('alice@example.com') && /Status update overdue/.test(m.subject));
    await t.advance(20 * MIN);
    expect(reminders()).toHaveLength(0);
    await t.advance(11 * MIN);
    const mail = await t.smtp.waitFor((m) => m.to.includes('alice@example.com') && /Status update overdue/.test(m.subject));
    expect(mail.subject).toContain('#1 Payments are slow');
    await t.advance(MIN);
    expect(reminders()).toHaveLength(1);
    const tl = await t.api('GET', '/api/v1/incidents/1/timeline');
    expect(tl.body.timeline.map((e: { type: string }) => e.type)).toContain('status.reminder');
  });

  it('serves Statuspage-compatible JSON', async () => {
    await t.advance(6_000);
    const get = async (p: string) => (await fetch(`${t.url}${p}`)).json() as Promise<any>;
    const summary = await get('/status/api/v2/summary.json');
    expect(summary.page).toMatchObject({ name: 'Acme Status', time_zone: 'Etc/UTC' });
    expect(summary.page.url).toMatch(/\/status\/acme$/);
    expect(summary.status).toEqual({ indicator: 'major', description: 'Partial System Outage' });
    expect(summary.components.map((c: any) => [c.name, c.status])).toEqual([
      ['Checkout', 'partial_outage'],
      ['Search', 'operational'],
    ]);
    expect(Object.keys(summary.components[0]).sort()).toEqual([
      'created_at',
      'description',
      'group',
      'group_id',
      'id',
      'name',
      'only_show_if_degraded',
      'page_id',
      'position',
      'showcase',
      'start_date',
      'status',
      'updated_at',
    ]);
    expect(summary.incidents).toHaveLength(1);
    expect(summary.incidents[0]).toMatchObject({ name: 'Issue affecting Checkout', status: 'identified', impact: 'major', resolved_at: null });
    expect(summary.incidents[0].incident_updates).toHaveLength(1);
    expect(summary.incidents[0].incident_updates[0]).toMatchObject({ status: 'identified', body: 'Card payments are slow; we found the cause & are fixing it.' });
    expect(summary.scheduled_maintenances).toEqual([]);
    expect(await get('/status/api/v2/status.json')).toEqual({ page: summary.page, status: summary.status });
    expect((await get('/status/acme/api/v2/components.json')).components).toEqual(summary.components);
    const incidents = await get('/status/api/v2/incidents.json');
    expect(incidents.incidents[0].id).toBe(summary.incidents[0].id);
    expect((await fetch(`${t.url}/status/nope/api/v2/summary.json`)).status).toBe(404);
  });

  it('the one-click unsubscribe link works', async () => {
    const mail = mustFind(t.smtp.messages, 'the Identified mail to the customer', (m) => m.to.includes('customer@example.com') && /Identified/.test(m.subject));
    const url = capture(/^<(.+)>$/, must(mail.headers['list-unsubscribe'], 'the List-Unsubscribe header'));
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Unsubscribed');
    await t.api('POST', '/api/v1/incidents/1/status-updates', { phase: 'monitoring', message: 'Fix deployed, watching payments', public: true }, alice.token);
    await t.cycle();
    await t.smtp.waitFor((m) => m.to.includes('sam@example.com') && /Fix deployed/.test(m.text));
    expect(t.smtp.messages.filter((m) => m.to.includes('customer@example.com') && /Fix deployed/.test(m.text))).toHaveLength(0);
  });

  it('a maintenance window suppresses paging for its services and shows on the page', async () => {
    const now = t.clock.now();
    const soon = await t.api('POST', '/api/v1/maintenance-windows', {
      title: 'Search index rebuild',
      description: 'Search may return stale results.',
      serviceIds: ['search-api'],
      businessServiceIds: ['Search'],
      startsAt: new Date(now + 60 * MIN).toISOString(),
      endsAt: new Date(now + 180 * MIN).toISOString(),
    });
    expect(soon.status).toBe(201);
    const announced = await page('/status');
    expect(announced.body).toContain('Scheduled maintenance');
    expect(announced.body).toContain('Search index rebuild');
    expect(announced.body).toMatch(/Search<\/span><span class="st ok"/);

    await t.advance(61 * MIN);
    const pagesBefore = t.smtp.messages.filter((m) => m.to.includes('alice@example.com') && /Search results empty/.test(m.subject)).length;
    expect((await trigger(searchKey, 'search-empty', 'Search results empty')).status).toBe(202);
    await t.cycle();
    await t.advance(15 * MIN);
    expect(t.smtp.messages.filter((m) => m.to.includes('alice@example.com') && /Search results empty/.test(m.subject)).length).toBe(pagesBefore);
    const inc = (await t.api('GET', '/api/v1/incidents?limit=1')).body.incidents[0];
    expect(inc.title).toBe('Search results empty');
    const tl = await t.api('GET', `/api/v1/incidents/${inc.number}/timeline`);
    const suppressed = tl.body.timeline.find((e: { type: string }) => e.type === 'escalation.suppressed');
    expect(suppressed.message).toContain('Search index rebuild');
    expect(tl.body.timeline.map((e: { type: string }) => e.type)).not.toContain('escalation.level');

    const running = await page('/status');
    expect(running.body).toMatch(/Search<\/span><span class="st mt" data-state="under_maintenance">Under maintenance/);
    const json = (await (await fetch(`${t.url}/status/api/v2/summary.json`)).json()) as any;
    expect(json.scheduled_maintenances[0]).toMatchObject({ name: 'Search index rebuild', status: 'in_progress' });
  });

  it('refuses reserved slugs and malformed branding with the field named', async () => {
    const reserved = await t.api('PUT', '/api/v1/status-pages', { slug: 'api', name: 'Clash', businessServiceIds: [] });
    expect(reserved.status).toBe(400);
    expect(reserved.body.error.details).toEqual([{ path: 'slug', message: 'is reserved' }]);
    const colour = await t.api('PUT', '/api/v1/status-pages', { slug: 'ok', name: 'Ok', colors: { brand: 'purple' }, businessServiceIds: [] });
    expect(colour.status).toBe(400);
    expect(colour.body.error.details[0].path).toBe('colors.brand');
    expect((await t.api('GET', '/api/v1/status-pages')).body.statusPages.map((p: { slug: string }) => p.slug)).toEqual(['acme']);
  });

  it('a template per phase and severity writes the update when no message is given', async () => {
    const tpl = await t.api('POST', '/api/v1/status-templates', { phase: 'monitoring', sev: 'SEV2', body: '{{sev}}: a fix for {{services}} is live ({{title}}); we are watching it.' });
    expect(tpl.status).toBe(201);
    const r = await t.api('POST', '/api/v1/incidents/1/status-updates', { phase: 'monitoring' }, alice.token);
    expect(r.status).toBe(201);
    expect(r.body.statusUpdate.message).toBe('SEV2: a fix for Checkout is live (Payments are slow); we are watching it.');
    expect(r.body.statusUpdate.public).toBe(false);
    expect((await t.api('POST', '/api/v1/incidents/1/status-updates', { phase: 'monitoring' }, samToken)).status).toBe(403);
  });

  it('deleting a business service takes it off status pages and ends its subscriptions', async () => {
    const temp = await t.api('POST', '/api/v1/business-services', { name: 'Gift cards', serviceIds: ['checkout-api'] });
    expect(temp.status).toBe(201);
    const id = temp.body.businessService.id;
    expect(
      (
        await t.api('PUT', '/api/v1/status-pages', {
          slug: 'acme',
          name: 'Acme Status',
          isDefault: true,
          logoUrl: 'https://acme.example/logo.png',
          colors: { brand: '#7c3aed' },
          businessServiceIds: ['Checkout', 'Search', 'Gift cards'],
        })
      ).status,
    ).toBe(200);
    expect((await t.api('POST', '/api/v1/subscriptions', { scope: 'business_service', targetId: 'Gift cards' }, samToken)).status).toBe(201);
    expect((await t.api('DELETE', `/api/v1/business-services/${id}`)).status).toBe(204);
    const acme = (await t.api('GET', '/api/v1/status-pages')).body.statusPages.find((p: { slug: string }) => p.slug === 'acme');
    expect(acme.businessServiceIds).toHaveLength(2);
    expect(acme.businessServiceIds).not.toContain(id);
    expect((await t.api('GET', '/api/v1/subscriptions', undefined, samToken)).body.subscriptions.map((s: { targetId: string }) => s.targetId)).not.toContain(id);
    expect((await t.api('DELETE', `/api/v1/business-services/${id}`)).status).toBe(404);
  });

  it('drills never reach stakeholders or the page', async () => {
    expect((await trigger(checkoutKey, 'drill-1', 'Drill: checkout down')).status).toBe(202);
    await t.cycle();
    const inc = (await t.api('GET', '/api/v1/incidents?limit=1')).body.incidents[0];
    await t.k.ctx.db.kysely.updateTable('incidents').set({ drill: 1 }).where('id', '=', inc.id).execute(); // no drill API yet on plain incidents
    const r = await t.api('POST', `/api/v1/incidents/${inc.number}/status-updates`, { phase: 'investigating', message: 'DRILL UPDATE should stay inside', public: true });
    expect(r.status).toBe(201);
    await t.cycle();
    const p = await page('/status');
    expect(p.body).not.toContain('DRILL UPDATE');
    expect(t.smtp.messages.filter((m) => /DRILL UPDATE/.test(m.text))).toHaveLength(0);
  });
});
