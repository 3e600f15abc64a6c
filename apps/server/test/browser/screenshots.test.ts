/**
 * Screenshots of the main screens at phone (390x844) and desktop (1440x900) widths, written to
 * docs/screenshots/. Not part of the normal run (the images would change on every run): take them
 * with `KLAXON_SCREENSHOTS=1 npx vitest run test/browser/screenshots.test.ts` in apps/server, or
 * `npm run screenshots -w apps/web`.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { seedDemo, type Demo } from './seed.js';
import { HAVE_CHROMIUM, newPage, signIn, startRig, waitLive, type WebRig } from './support.js';

const OUT = fileURLToPath(new URL('../../../../docs/screenshots/', import.meta.url));
const WANTED = process.env.KLAXON_SCREENSHOTS === '1';
if (!WANTED) console.log('Screenshots: SKIPPED (set KLAXON_SCREENSHOTS=1 to write docs/screenshots/*.png)');

describe.skipIf(!HAVE_CHROMIUM || !WANTED)('web: screenshots of the main screens', () => {
  let rig: WebRig;
  let demo: Demo;
  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    rig = await startRig();
    demo = await seedDemo(rig.t);
    await rig.t.api('POST', `/api/v1/incidents/2/acknowledge`);
    await rig.t.api('POST', `/api/v1/incidents/1/acknowledge`);
  }, 120_000);
  afterAll(async () => rig?.stop());

  for (const size of ['phone', 'desktop'] as const) {
    it(`${size}`, async () => {
      const { t } = rig;
      const { context, page } = await newPage(rig.browser, size);
      // The browser's clock shows the harness's fake time, so "12 min ago" reads as it would live.
      await context.clock.setFixedTime(new Date(t.clock.now()));
      const shot = async (name: string, p: Page = page) => {
        await p.waitForTimeout(400);
        await p.screenshot({ path: `${OUT}${name}-${size}.png` });
      };

      await page.goto(`${t.url}/`);
      await page.locator('input[name=email]').fill('maya@example.com');
      await shot('sign-in');

      const setup = await context.newPage();
      await setup.route('**/api/v1/setup', (r) => r.fulfill({ json: { needed: true } }));
      await setup.goto(`${t.url}/`);
      await setup.getByText('Create administrator').waitFor();
      await shot('setup', setup);
      await setup.close();

      await signIn(page, t.url, 'maya@example.com');
      await waitLive(page);
      await page.getByTestId('incident-row').first().waitFor();
      await shot('incidents');

      await page.getByTestId('incident-row').filter({ hasText: 'Autovacuum' }).click();
      await page.getByTestId('timeline').waitFor();
      await shot('incident');

      await page.goto(`${t.url}/escalation-policies/${demo.policyId}`);
      await page.getByTestId('preview-page').first().waitFor();
      await shot('escalation-policy');

      await page.goto(`${t.url}/services/${demo.serviceId}`);
      await page.getByTestId('integration-name').fill(`Prometheus ${size}`);
      await page.getByTestId('create-integration').click();
      await page.getByTestId('integration-key-panel').waitFor();
      await page.getByTestId('integration-key-panel').scrollIntoViewIfNeeded();
      await page.evaluate(() => document.querySelector('[data-testid="integration-key-panel"]')?.scrollIntoView({ block: 'start' }));
      await page.evaluate(() => window.scrollBy(0, -80));
      await shot('integration-key');

      await page.goto(`${t.url}/people/me`);
      await page.getByTestId('contact-method').first().waitFor();
      await shot('people-me');

      await page.goto(`${t.url}/services`);
      await page.getByTestId('service-card').first().waitFor();
      await shot('services');
      await context.close();
    }, 60_000);
  }
});
