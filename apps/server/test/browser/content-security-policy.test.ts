import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signLink } from '../../src/notify/links.js';
import { addUser, HAVE_CHROMIUM, newPage, signIn, startRig, type WebRig } from './support.js';
import { must } from '../../src/lib/must.js';

/** Collects every Content-Security-Policy violation the page reports (console and DOM event). */
async function watchViolations(page: Page): Promise<string[]> {
  const seen: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) seen.push(m.text());
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`Refused to load (CSP ${e.violatedDirective}): ${e.blockedURI}`));
  });
  return seen;
}

describe.skipIf(!HAVE_CHROMIUM)('web: the app, its service worker and the status page work under the Content-Security-Policy', () => {
  let rig: WebRig;
  let userId: string;
  beforeAll(async () => {
    rig = await startRig();
    userId = await addUser(rig.t, { email: 'maya@example.com', name: 'Maya Okafor' });
    await rig.t.api('POST', '/api/v1/services', { name: 'checkout-api' });
    await rig.t.api('POST', '/api/v1/incidents', { service: 'checkout-api', title: 'Checkout down', severity: 'critical' });
    await rig.t.api('POST', '/api/v1/business-services', { name: 'Checkout', serviceIds: ['checkout-api'] });
    await rig.t.api('PUT', '/api/v1/status-pages', { slug: 'acme', name: 'Acme Status', isDefault: true, businessServiceIds: ['Checkout'] });
  });
  afterAll(async () => rig?.stop());

  it('signs in, walks the pages, registers the service worker: no violation', async () => {
    const { context, page } = await newPage(rig.browser, 'desktop');
    const violations = await watchViolations(page);
    await signIn(page, rig.t.url, 'maya@example.com');
    expect(await page.evaluate(() => document.documentElement.getAttribute('data-mantine-color-scheme'))).toBe('dark'); // color-scheme.js ran
    for (const path of ['/incidents/1', '/services', '/escalation-policies', '/schedules', '/reports', '/people/me', '/status-admin', '/internal-status']) {
      await page.goto(`${rig.t.url}${path}`);
      await page.locator('main, [role=main], h1, h2').first().waitFor();
    }
    const registered = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
      await navigator.serviceWorker.ready;
      return Boolean(reg.active ?? reg.installing ?? reg.waiting);
    });
    expect(registered).toBe(true);
    await page.goto(`${rig.t.url}/status`);
    await page.getByText('Acme Status').first().waitFor();
    expect(violations).toEqual([]);
    await context.close();
  });

  it('the one-tap acknowledge page cannot be framed by another site', async () => {
    const { context, page } = await newPage(rig.browser, 'desktop');
    const token = signLink(rig.t.k.ctx.linkSecret, { incidentId: (await rig.t.api('GET', '/api/v1/incidents/1')).body.incident.id, userId, action: 'ack', channel: 'email' }, rig.t.clock.now());
    // Sanity: opened directly, the page shows its button.
    await page.goto(`${rig.t.url}/actions/${token}`);
    await page.getByRole('button', { name: 'Acknowledge incident #1' }).waitFor();
    // Framed by a page of another origin (another port on this machine), the browser refuses to render it.
    const framer = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(`<iframe id="f" src="${rig.t.url}/actions/${token}" width="600" height="400"></iframe>`));
    await new Promise<void>((ok) => framer.listen(0, '127.0.0.1', ok));
    await page.goto(`http://127.0.0.1:${(framer.address() as AddressInfo).port}/`);
    framer.close();
    const framed = page.mainFrame().childFrames();
    expect(framed).toHaveLength(1);
    const text = await must(framed[0], 'framed[0]')
      .evaluate(() => document.body?.innerText ?? '')
      .catch(() => '');
    expect(text).not.toContain('Acknowledge incident');
    expect((await rig.t.api('GET', '/api/v1/incidents/1')).body.incident.status).toBe('triggered');
    await context.close();
  });
});
