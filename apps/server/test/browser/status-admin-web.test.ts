/**
 * The status admin screens against the real server: business services, status pages, maintenance,
 * subscriptions and templates made through the UI, then seen on the public /status page; API errors
 * shown in place. Screenshots (KLAXON_SCREENSHOTS=1) of every tab at phone and desktop widths.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPagedService, addUser, HAVE_CHROMIUM, newPage, signIn, startRig, trigger, type WebRig } from './support.js';
import { must } from '../../src/lib/must.js';

/** Picks options of a Mantine Select or MultiSelect (opened by clicking `input`). */
async function choose(page: Page, testId: string, ...options: string[]): Promise<void> {
  await page.getByTestId(testId).click();
  for (const o of options) await page.getByRole('option', { name: o, exact: true }).click();
  // A MultiSelect stays open; Escape closes it (and would close the dialog around a closed Select).
  if (await page.getByRole('listbox').isVisible()) await page.keyboard.press('Escape');
}

/** A page whose clock reads the server's fake time, so "upcoming" agrees with the server. */
async function clockedPage(rig: WebRig, size: 'phone' | 'desktop' | 'desktop-1280') {
  const p = size === 'desktop-1280' ? await desktop1280(rig.browser) : await newPage(rig.browser, size);
  await p.context.clock.setFixedTime(new Date(rig.t.clock.now()));
  return p;
}

async function desktop1280(browser: Browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark', timezoneId: 'Europe/Berlin', locale: 'en-GB' });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  return { context, page };
}

describe.skipIf(!HAVE_CHROMIUM)('web: status admin (business services, status pages, maintenance, subscriptions, templates)', () => {
  let rig: WebRig;
  let routingKey: string;
  beforeAll(async () => {
    rig = await startRig();
    const ada = await addUser(rig.t, { email: 'ada@example.com', name: 'Ada Admin', role: 'admin' });
    await addUser(rig.t, { email: 'sol@example.com', name: 'Sol Stakeholder', role: 'stakeholder' });
    routingKey = (await addPagedService(rig.t, { name: 'checkout-api', userIds: [ada] })).routingKey;
    await rig.t.api('POST', '/api/v1/services', { name: 'search-api' });
    const search = await rig.t.api('POST', '/api/v1/business-services', { name: 'Search', serviceIds: ['search-api'] });
    if (search.status !== 201) throw new Error(JSON.stringify(search.body));
  }, 120_000);
  afterAll(async () => rig?.stop());

  it('an admin maps a business service, brands a status page and schedules maintenance; the public page shows them', async () => {
    const { t } = rig;
    const { context, page } = await clockedPage(rig, 'desktop');
    await signIn(page, t.url, 'ada@example.com');
    // From the internal status page to the admin screens.
    await page.goto(`${t.url}/internal-status`);
    await page.getByTestId('manage-status').click();
    await page.getByTestId('status-admin').waitFor();
    expect(new URL(page.url()).pathname).toBe('/status-admin/pages');

    // Business service mapped to a technical service.
    await page.getByRole('tab', { name: 'Business services' }).click();
    await page.getByTestId('new-business-service').click();
    const bsForm = page.getByTestId('business-service-form');
    await bsForm.getByLabel('Name').fill('Checkout');
    await bsForm.getByLabel('Description').fill('Paying for an order');
    await choose(page, 'bs-services', 'checkout-api');
    await page.getByTestId('save-business-service').click();
    await page.getByTestId('business-service-card').filter({ hasText: 'Checkout' }).getByText('checkout-api').waitFor();
    const checkout = must(
      ((await t.api('GET', '/api/v1/business-services')).body.businessServices as { id: string; name: string }[]).find((b) => b.name === 'Checkout'),
      "api().body.businessServices entry where b.name === 'Checkout'",
    );
    const services = (await t.api('GET', '/api/v1/services')).body.services as { id: string; name: string }[];
    expect(checkout).toMatchObject({
      name: 'Checkout',
      description: 'Paying for an order',
      serviceIds: [
        must(
          services.find((s) => s.name === 'checkout-api'),
          "services entry where s.name === 'checkout-api'",
        ).id,
      ],
    });

    // The same name again: the API's conflict shows in the form.
    await page.getByTestId('new-business-service').click();
    await bsForm.getByLabel('Name').fill('Checkout');
    await page.getByTestId('save-business-service').click();
    await expect.poll(() => bsForm.getByTestId('form-error').textContent()).toContain('A business service named "Checkout" exists');
    await page.keyboard.press('Escape');
    await bsForm.waitFor({ state: 'detached' });

    // A branded status page; a bad slug is refused in place before anything is sent.
    await page.getByRole('tab', { name: 'Status pages' }).click();
    await page.getByTestId('new-status-page').click();
    const spForm = page.getByTestId('status-page-form');
    await spForm.getByLabel('Name').fill('Acme Status');
    await spForm.getByLabel('Slug').fill('Acme Shop!');
    await spForm.getByLabel('Logo URL').fill('https://acme.example/logo.png');
    await page.getByTestId('color-brand').fill('#7c3aed');
    await choose(page, 'page-components', 'Checkout');
    await spForm.getByRole('switch', { name: 'Default page (served at /status)' }).check();
    await page.getByTestId('save-status-page').click();
    await spForm.getByText('Lower-case letters, digits and dashes').waitFor();
    expect((await t.api('GET', '/api/v1/status-pages')).body.statusPages).toEqual([]);
    await spForm.getByLabel('Slug').fill('acme');
    await page.getByTestId('save-status-page').click();
    const card = page.getByTestId('status-page-card').filter({ hasText: 'Acme Status' });
    await card.waitFor();
    expect(await card.getByTestId('open-public-page').getAttribute('href')).toBe('/status');
    expect((await t.api('GET', '/api/v1/status-pages')).body.statusPages).toMatchObject([
      { slug: 'acme', name: 'Acme Status', logoUrl: 'https://acme.example/logo.png', colors: { brand: '#7c3aed' }, businessServiceIds: [checkout.id], isDefault: true },
    ]);

    // Maintenance: an end before the start is the API's error, under the End field.
    await page.getByRole('tab', { name: 'Maintenance' }).click();
    await page.getByTestId('new-maintenance').click();
    const mwForm = page.getByTestId('maintenance-form');
    await mwForm.getByLabel('Title').fill('Payment provider upgrade');
    await mwForm.getByLabel('Description').fill('Card payments may fail for a few minutes.');
    await choose(page, 'mw-components', 'Checkout');
    await page.getByTestId('mw-start').fill('2026-03-03T22:00');
    await page.getByTestId('mw-end').fill('2026-03-03T21:00');
    await page.getByTestId('save-maintenance').click();
    await mwForm.getByText('must be after startsAt').waitFor();
    expect(await mwForm.getByTestId('form-error').textContent()).toContain('endsAt: must be a date-time after startsAt');
    await page.getByTestId('mw-end').fill('2026-03-04T01:00');
    await page.getByTestId('save-maintenance').click();
    await page.getByTestId('maintenance-upcoming').getByText('Payment provider upgrade').waitFor();
    const mw = (await t.api('GET', '/api/v1/maintenance-windows')).body.maintenanceWindows;
    // 22:00 in Berlin (the browser's zone) is 21:00 UTC.
    expect(mw).toMatchObject([{ title: 'Payment provider upgrade', businessServiceIds: [checkout.id], startsAt: Date.parse('2026-03-03T21:00:00Z'), endsAt: Date.parse('2026-03-04T00:00:00Z') }]);

    // The public page, as a customer sees it.
    const pub = await context.newPage();
    await pub.goto(`${t.url}/status`);
    await pub.getByText('Acme Status').first().waitFor();
    await pub.getByText('Scheduled maintenance').waitFor();
    await pub.getByText('Payment provider upgrade').waitFor();
    await pub.getByText('Card payments may fail for a few minutes.').waitFor();
    await pub.getByText('Checkout', { exact: true }).waitFor();
    expect(await pub.locator('img[src="https://acme.example/logo.png"]').count()).toBe(1);
    expect(await pub.content()).toContain('#7c3aed');

    // An incident on checkout-api shows Checkout as affected.
    await trigger(t, routingKey, 'Card authorisations failing', { dedupKey: 'auth' });
    await t.cycle();
    await page.goto(`${t.url}/incidents/1`);
    await page.getByTestId('affected-business-services').getByText('Checkout').waitFor();

    // Follow that one incident; an unknown number is the API's error, under the field.
    await page.goto(`${t.url}/status-admin/subscriptions`);
    await page.getByTestId('new-subscription').click();
    const subForm = page.getByTestId('subscribe-form');
    await choose(page, 'sub-scope', 'One incident');
    await page.getByTestId('sub-target').fill('999');
    await page.getByTestId('save-subscription').click();
    await subForm.getByText('not found').waitFor();
    expect(await subForm.getByTestId('form-error').textContent()).toContain('targetId: unknown incident');
    await page.getByTestId('sub-target').fill('1');
    await page.getByTestId('save-subscription').click();
    await page.getByTestId('subscription-row').getByText('Incident #1 Card authorisations failing').waitFor();

    // Cancel the window from the list.
    await page.goto(`${t.url}/status-admin/maintenance`);
    const upcoming = page.getByTestId('maintenance-upcoming').getByTestId('maintenance-card');
    await upcoming.getByTestId('cancel-maintenance').click();
    await upcoming.getByTestId('cancel-maintenance').click();
    await page.getByTestId('maintenance-past').getByTestId('maintenance-card').filter({ hasText: 'Payment provider upgrade' }).getByText('cancelled', { exact: true }).waitFor();
    expect((await t.api('GET', '/api/v1/maintenance-windows')).body.maintenanceWindows).toEqual([]);
    await context.close();
  });

  it('subscriptions and templates: a stakeholder subscribes on a phone and unsubscribes; an admin adds a template', async () => {
    const { t } = rig;
    const { context, page } = await clockedPage(rig, 'phone');
    await signIn(page, t.url, 'sol@example.com');
    await page.goto(`${t.url}/status-admin/subscriptions`);
    await page.getByTestId('new-subscription').click();
    const form = page.getByTestId('subscribe-form');
    // A Slack subscription without a destination: refused in place.
    await choose(page, 'sub-target', 'Search');
    await form.getByRole('combobox', { name: 'Channel' }).click();
    await page.getByRole('option', { name: 'Slack', exact: true }).click();
    await page.getByTestId('save-subscription').click();
    await form.getByText('Required for this channel').waitFor();
    await form.getByRole('combobox', { name: 'Channel' }).click();
    await page.getByRole('option', { name: 'Email', exact: true }).click();
    await page.getByTestId('save-subscription').click();
    const row = page.getByTestId('subscription-row').filter({ hasText: 'Search' });
    await row.getByText('sol@example.com').waitFor();
    const mine = async () =>
      ((await t.api('GET', '/api/v1/subscriptions')).body.subscriptions as { scope: string; destination: string; channel: string }[]).filter((x) => x.destination === 'sol@example.com');
    expect(await mine()).toMatchObject([{ scope: 'business_service', channel: 'email', destination: 'sol@example.com' }]);
    // Page width holds on a phone: nothing scrolls sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await row.getByRole('button', { name: 'Remove' }).click();
    await row.getByRole('button', { name: 'Really remove?' }).click();
    await row.waitFor({ state: 'detached' });
    expect(await mine()).toEqual([]);
    // Stakeholders see templates but cannot add them.
    await page.getByRole('tab', { name: 'Templates' }).click();
    await page.getByText('No templates yet').waitFor();
    expect(await page.getByTestId('template-form').count()).toBe(0);
    await context.close();

    const admin = await clockedPage(rig, 'desktop');
    await signIn(admin.page, t.url, 'ada@example.com');
    await admin.page.goto(`${t.url}/status-admin/templates`);
    await admin.page.getByTestId('template-body').fill('We are looking into a problem with {{services}}.');
    await admin.page.getByTestId('save-template').click();
    await admin.page.getByTestId('template-row').getByText('We are looking into a problem with {{services}}.').waitFor();
    expect((await t.api('GET', '/api/v1/status-templates')).body.templates).toMatchObject([{ phase: 'investigating', sev: null, body: 'We are looking into a problem with {{services}}.' }]);
    await admin.context.close();
  });
});

const OUT = fileURLToPath(new URL('../../../../docs/screenshots/', import.meta.url));
const WANTED = process.env.KLAXON_SCREENSHOTS === '1';

describe.skipIf(!HAVE_CHROMIUM || !WANTED)('web: screenshots of the status admin screens', () => {
  let rig: WebRig;
  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    rig = await startRig();
    const { t } = rig;
    const HOUR = 3_600_000;
    const now = t.clock.now();
    await addUser(t, { email: 'ada@example.com', name: 'Ada Admin', role: 'admin' });
    const team = (await t.api('POST', '/api/v1/teams', { name: 'Payments' })).body.team.id;
    for (const name of ['checkout-api', 'payments-api', 'search-api', 'orders-db', 'email-sender']) await t.api('POST', '/api/v1/services', { name, teamId: name.startsWith('search') ? null : team });
    const mk = async (name: string, description: string, serviceIds: string[], position: number) =>
      (await t.api('POST', '/api/v1/business-services', { name, description, serviceIds, position, teamId: team })).body.businessService.id as string;
    await mk('Checkout', 'Paying for an order', ['checkout-api', 'payments-api'], 1);
    await mk('Search', 'Finding products', ['search-api'], 2);
    await mk('Order history', 'Past orders and invoices', ['orders-db'], 3);
    await mk('Notifications', 'Order confirmations by email', ['email-sender'], 4);
    await t.api('PUT', '/api/v1/status-pages', {
      slug: 'acme',
      name: 'Acme Status',
      isDefault: true,
      logoUrl: null,
      colors: { brand: '#7c3aed' },
      businessServiceIds: ['Checkout', 'Search', 'Order history', 'Notifications'],
    });
    await t.api('PUT', '/api/v1/status-pages', { slug: 'partners', name: 'Acme for Partners', colors: { brand: '#0f766e', background: '#f8fafc' }, businessServiceIds: ['Checkout', 'Order history'] });
    const at = (h: number) => new Date(now + h * HOUR).toISOString();
    await t.api('POST', '/api/v1/maintenance-windows', {
      title: 'Search index rebuild',
      description: 'Search may show stale results.',
      businessServiceIds: ['Search'],
      startsAt: at(-1),
      endsAt: at(2),
    });
    await t.api('POST', '/api/v1/maintenance-windows', {
      title: 'Orders database upgrade',
      description: 'Order history is read-only for up to 30 minutes.',
      businessServiceIds: ['Order history'],
      serviceIds: ['orders-db'],
      startsAt: at(37),
      endsAt: at(39),
    });
    const old = await t.api('POST', '/api/v1/maintenance-windows', { title: 'Payment provider switch', businessServiceIds: ['Checkout'], startsAt: at(60), endsAt: at(61) });
    await t.api('DELETE', `/api/v1/maintenance-windows/${old.body.maintenanceWindow.id}`);
    for (const [email, name] of [
      ['ceo@example.com', 'Robin CEO'],
      ['sol@example.com', 'Sol Support'],
    ] as const)
      await addUser(t, { email, name, role: 'stakeholder' });
    const users = (await t.api('GET', '/api/v1/users')).body.users as { id: string; email: string }[];
    const id = (email: string) =>
      must(
        users.find((u) => u.email === email),
        'users entry where u.email === email',
      ).id;
    await t.api('POST', '/api/v1/subscriptions', { scope: 'major', userId: id('ceo@example.com') });
    await t.api('POST', '/api/v1/subscriptions', { scope: 'business_service', targetId: 'Checkout', userId: id('sol@example.com') });
    await t.api('POST', '/api/v1/subscriptions', { scope: 'team', targetId: team, channel: 'slack', destination: 'C024BE91L', userId: id('sol@example.com') });
    await t.api('POST', '/api/v1/status-templates', { phase: 'investigating', body: 'We are investigating a problem affecting {{services}}.' });
    await t.api('POST', '/api/v1/status-templates', { phase: 'identified', sev: 'SEV1', body: '{{sev}}: we found the cause of the problem with {{services}}. Impact: {{impact}}' });
  }, 120_000);
  afterAll(async () => rig?.stop());

  for (const size of ['phone', 'desktop-1280'] as const) {
    it(size, async () => {
      const { t } = rig;
      const { context, page } = await clockedPage(rig, size);
      const suffix = size === 'phone' ? 'phone' : 'desktop';
      const shot = async (name: string) => {
        await page.waitForTimeout(400);
        await page.screenshot({ path: `${OUT}${name}-${suffix}.png` });
      };
      await signIn(page, t.url, 'ada@example.com');
      await page.goto(`${t.url}/status-admin/business-services`);
      await page.getByTestId('business-service-card').first().waitFor();
      await shot('status-admin-business-services');
      await page.goto(`${t.url}/status-admin/pages`);
      await page.getByTestId('status-page-card').first().waitFor();
      await shot('status-admin-pages');
      await page.getByTestId('status-page-card').first().getByRole('button', { name: 'Edit' }).click();
      await page.getByTestId('brand-preview').waitFor();
      await shot('status-admin-page-edit');
      await page.keyboard.press('Escape');
      await page.goto(`${t.url}/status-admin/maintenance`);
      await page.getByTestId('maintenance-card').first().waitFor();
      await shot('status-admin-maintenance');
      await page.goto(`${t.url}/status-admin/subscriptions`);
      await page.getByTestId('subscription-row').first().waitFor();
      await shot('status-admin-subscriptions');
      await context.close();
    });
  }
});
