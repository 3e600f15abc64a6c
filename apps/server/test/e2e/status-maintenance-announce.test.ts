import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capture, DIALECTS, mustFind, startTestKlaxon, type TestKlaxon } from '../harness.js';
import { must } from '../../src/lib/must.js';

const MIN = 60_000;

describe.each(DIALECTS)('maintenance windows announced ahead to subscribers (%s)', (dialect) => {
  let t: TestKlaxon;
  let samToken: string;
  let patToken: string;

  const subscribeByEmail = async (email: string, confirm: boolean) => {
    const res = await fetch(`${t.url}/status/acme/subscribe`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `email=${encodeURIComponent(email)}` });
    expect(res.status).toBe(200);
    await t.cycle();
    const mail = await t.smtp.waitFor((m) => m.to.includes(email) && /Confirm your subscription/.test(m.subject));
    if (!confirm) return;
    const link = capture(/(http:\/\/127\.0\.0\.1:\d+\/status\/subscriptions\/\S+\/confirm)/, mail.text);
    expect((await fetch(link, { method: 'POST' })).status).toBe(200);
  };
  const mailsTo = (email: string, re: RegExp) => t.smtp.messages.filter((m) => m.to.includes(email) && re.test(m.subject));

  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
    const team = await t.api('POST', '/api/v1/teams', { name: 'Search team' });
    expect(team.status).toBe(201);
    await t.api('POST', '/api/v1/services', { name: 'checkout-api' });
    const search = await t.api('POST', '/api/v1/services', { name: 'search-api', teamId: team.body.team.id });
    expect(search.status).toBe(201);
    expect((await t.api('POST', '/api/v1/business-services', { name: 'Checkout', serviceIds: ['checkout-api'] })).status).toBe(201);
    expect((await t.api('POST', '/api/v1/business-services', { name: 'Search', serviceIds: ['search-api'] })).status).toBe(201);
    expect((await t.api('PUT', '/api/v1/status-pages', { slug: 'acme', name: 'Acme Status', isDefault: true, businessServiceIds: ['Checkout', 'Search'] })).status).toBe(200);
    // Pages showing only Checkout: their subscribers are not told about Search's maintenance.
    expect((await t.api('PUT', '/api/v1/status-pages', { slug: 'shop', name: 'Shop Status', businessServiceIds: ['Checkout'] })).status).toBe(200);
    await subscribeByEmail('customer@example.com', true);
    await subscribeByEmail('lurker@example.com', false);
    const shopper = await fetch(`${t.url}/status/shop/subscribe`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=shopper%40example.com' });
    expect(shopper.status).toBe(200);
    await t.cycle();
    const shopMail = await t.smtp.waitFor((m) => m.to.includes('shopper@example.com') && /Confirm your subscription/.test(m.subject));
    expect((await fetch(capture(/(http:\/\/\S+\/confirm)/, shopMail.text), { method: 'POST' })).status).toBe(200);

    const user = async (email: string, name: string) => {
      const u = await t.api('POST', '/api/v1/users', { email, name, role: 'stakeholder', timeZone: 'UTC' });
      return (await t.api('POST', `/api/v1/users/${u.body.user.id}/tokens`, { name: 't' })).body.token as string;
    };
    samToken = await user('sam@example.com', 'Sam');
    patToken = await user('pat@example.com', 'Pat');
    const tina = await user('tina@example.com', 'Tina');
    expect((await t.api('POST', '/api/v1/subscriptions', { scope: 'business_service', targetId: 'Search' }, samToken)).status).toBe(201);
    // The same address twice (business service and team) gets one announcement.
    expect((await t.api('POST', '/api/v1/subscriptions', { scope: 'team', targetId: team.body.team.id }, samToken)).status).toBe(201);
    expect((await t.api('POST', '/api/v1/subscriptions', { scope: 'business_service', targetId: 'Checkout' }, patToken)).status).toBe(201);
    expect((await t.api('POST', '/api/v1/subscriptions', { scope: 'major' }, tina)).status).toBe(201);
  });
  afterAll(() => t?.stop());

  it('rejects a bad announce flag with the field in the error', async () => {
    const now = t.clock.now();
    const r = await t.api('POST', '/api/v1/maintenance-windows', {
      title: 'x',
      serviceIds: ['search-api'],
      startsAt: new Date(now + MIN).toISOString(),
      endsAt: new Date(now + 2 * MIN).toISOString(),
      announce: 'yes',
    });
    expect(r.status).toBe(400);
    expect(r.body.error.details[0].path).toBe('announce');
  });

  it('without announce, the window shows on the page but nobody is emailed', async () => {
    const before = t.smtp.messages.length;
    const now = t.clock.now();
    const r = await t.api('POST', '/api/v1/maintenance-windows', {
      title: 'Quiet cache flush',
      serviceIds: ['search-api'],
      startsAt: new Date(now + 30 * MIN).toISOString(),
      endsAt: new Date(now + 40 * MIN).toISOString(),
    });
    expect(r.status).toBe(201);
    await t.cycle();
    await t.advance(MIN);
    expect(t.smtp.messages.length).toBe(before);
  });

  it('with announce, confirmed subscribers of the affected service, its team and its pages get one email each', async () => {
    const now = t.clock.now();
    const starts = now + 24 * 60 * MIN;
    const r = await t.api('POST', '/api/v1/maintenance-windows', {
      title: 'Search index rebuild',
      description: 'Search may return stale results for up to an hour.',
      serviceIds: ['search-api'],
      startsAt: new Date(starts).toISOString(),
      endsAt: new Date(starts + 120 * MIN).toISOString(),
      announce: true,
    });
    expect(r.status).toBe(201);
    expect(r.body.maintenanceWindow).toMatchObject({ title: 'Search index rebuild', cancelledAt: null });
    await t.cycle();

    const customer = await t.smtp.waitFor((m) => m.to.includes('customer@example.com') && /Scheduled maintenance/.test(m.subject));
    expect(customer.subject).toBe('[Scheduled maintenance] Search index rebuild');
    const when = (at: number) => new Date(at).toISOString().slice(0, 16).replace('T', ' ');
    expect(customer.text).toContain(`From ${when(starts)} UTC to ${when(starts + 120 * MIN)} UTC`);
    expect(customer.text).toContain('Search may return stale results for up to an hour.');
    expect(customer.text).toContain('Affected: Search');
    expect(customer.text).toMatch(new RegExp(`/status/acme#maintenance-${r.body.maintenanceWindow.id}`));
    expect(customer.headers['list-unsubscribe']).toMatch(/^<http:\/\/127\.0\.0\.1:\d+\/status\/subscriptions\/.+\/unsubscribe>$/);
    expect(customer.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');

    await t.smtp.waitFor((m) => m.to.includes('sam@example.com') && /Scheduled maintenance/.test(m.subject));
    await t.advance(MIN);
    const re = /Scheduled maintenance/;
    expect(mailsTo('customer@example.com', re)).toHaveLength(1);
    expect(mailsTo('sam@example.com', re)).toHaveLength(1); // business service and team: one email
    expect(mailsTo('lurker@example.com', re)).toHaveLength(0); // never confirmed
    expect(mailsTo('shopper@example.com', re)).toHaveLength(0); // a page without Search
    expect(mailsTo('pat@example.com', re)).toHaveLength(0); // follows Checkout only
    expect(mailsTo('tina@example.com', re)).toHaveLength(0); // major incidents only

    // The unsubscribe link of the announcement works like an update's.
    const url = capture(/^<(.+)>$/, must(customer.headers['list-unsubscribe'], 'the List-Unsubscribe header'));
    expect((await fetch(url, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(200);
    const subs = await t.api('GET', '/api/v1/subscriptions');
    expect(subs.body.subscriptions.map((s: { destination: string }) => s.destination)).not.toContain('customer@example.com');
  });

  it('lists upcoming and running windows; with past=true also ended and cancelled ones', async () => {
    const now = t.clock.now();
    const gone = await t.api('POST', '/api/v1/maintenance-windows', {
      title: 'Called off',
      businessServiceIds: ['Checkout'],
      startsAt: new Date(now + 60 * MIN).toISOString(),
      endsAt: new Date(now + 90 * MIN).toISOString(),
    });
    expect((await t.api('DELETE', `/api/v1/maintenance-windows/${gone.body.maintenanceWindow.id}`)).status).toBe(204);
    await t.advance(45 * MIN); // "Quiet cache flush" has ended
    const current = (await t.api('GET', '/api/v1/maintenance-windows')).body.maintenanceWindows.map((m: { title: string }) => m.title);
    expect(current).toEqual(['Search index rebuild']);
    const all = (await t.api('GET', '/api/v1/maintenance-windows?past=true')).body.maintenanceWindows as { title: string; cancelledAt: number | null }[];
    expect(all.map((m) => m.title)).toEqual(['Search index rebuild', 'Called off', 'Quiet cache flush']);
    expect(mustFind(all, 'the Called off maintenance', (m) => m.title === 'Called off').cancelledAt).toEqual(expect.any(Number));
    expect(mustFind(all, 'the Quiet cache flush maintenance', (m) => m.title === 'Quiet cache flush').cancelledAt).toBeNull();
    expect((await t.api('GET', '/api/v1/maintenance-windows?past=maybe')).status).toBe(400);
  });
});
