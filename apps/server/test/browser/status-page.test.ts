import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestKlaxon, type TestKlaxon } from '../harness.js';
import { HAVE_CHROMIUM, launchBrowser } from './support.js';

describe.skipIf(!HAVE_CHROMIUM)('public status page in Chromium with JavaScript disabled', () => {
  let t: TestKlaxon;
  let browser: Browser;

  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestKlaxon('sqlite'), launchBrowser()]);
    const svc = await t.api('POST', '/api/v1/services', { name: 'payments-api' });
    await t.api('POST', '/api/v1/services', { name: 'docs-site' });
    const key = (await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'pd', kind: 'pagerduty' })).body.integration.key;
    await t.api('POST', '/api/v1/business-services', { name: 'Payments', serviceIds: ['payments-api'], position: 1 });
    await t.api('POST', '/api/v1/business-services', { name: 'Documentation', serviceIds: ['docs-site'], position: 2 });
    await t.api('PUT', '/api/v1/status-pages', { slug: 'acme', name: 'Acme Cloud Status', isDefault: true, colors: { brand: '#0f766e' }, businessServiceIds: ['Payments', 'Documentation'] });
    await fetch(`${t.url}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ routing_key: key, event_action: 'trigger', dedup_key: 'x', payload: { summary: 'Card payments failing', source: 'mon', severity: 'critical' } }),
    });
    await t.cycle();
    expect((await t.api('POST', '/api/v1/incidents/1/severity', { sev: 'SEV1' })).status).toBe(200);
    await t.api('POST', '/api/v1/incidents/1/status-updates', { phase: 'investigating', message: 'Internal: suspect the card gateway <b>tls</b>', public: false });
    await t.api('POST', '/api/v1/incidents/1/status-updates', {
      phase: 'identified',
      message: 'Card payments fail for most customers <script>alert(1)</script>',
      businessImpact: 'Checkout unavailable',
      nextUpdateInMinutes: 30,
      public: true,
      publicTitle: 'Card payments are failing',
    });
    const now = t.clock.now();
    await t.api('POST', '/api/v1/maintenance-windows', {
      title: 'Docs hosting migration',
      businessServiceIds: ['Documentation'],
      startsAt: new Date(now + 86_400_000).toISOString(),
      endsAt: new Date(now + 90_000_000).toISOString(),
    });
  });
  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await t?.stop();
  });

  it('shows the state, the public update, maintenance and history, and subscribing works without scripts', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 }, isMobile: true });
    const page = await context.newPage();
    const res = await page.goto(`${t.url}/status`);
    expect(res?.status()).toBe(200);
    expect(await page.title()).toBe('Acme Cloud Status: Major Service Outage');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Acme Cloud Status');
    expect(await page.getByRole('status').textContent()).toBe('Major Service Outage');
    const body = (await page.locator('main').innerText()).replace(/\s+/g, ' ');
    expect(body).toContain('Active incidents');
    // The public title, never the alert's internal one.
    expect(body).toContain('Card payments are failing');
    expect(body).not.toContain('Card payments failing');
    expect(body).toContain('Card payments fail for most customers <script>alert(1)</script>'); // shown as text, not run
    expect(body).toContain('Impact: Checkout unavailable');
    expect(body).not.toContain('suspect the card gateway');
    expect(body).toMatch(/Payments Major outage/);
    expect(body).toMatch(/Documentation Operational/);
    expect(body).toContain('Scheduled maintenance');
    expect(body).toContain('Docs hosting migration');
    expect(await page.locator('.bars').first().locator('i').count()).toBe(90);
    expect(await page.locator('script').count()).toBe(0);

    await page.locator('input[type=email]').fill('reader@example.com');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await expect.poll(() => page.locator('main').innerText()).toContain('Check your inbox');
    await t.cycle();
    await t.smtp.waitFor((m) => m.to.includes('reader@example.com') && /Confirm your subscription/.test(m.subject));
    await context.close();
  });
});
