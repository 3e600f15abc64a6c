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
  let scheduleId: string;
  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    rig = await startRig();
    demo = await seedDemo(rig.t);
    await rig.t.api('POST', `/api/v1/incidents/2/acknowledge`);
    await rig.t.api('POST', `/api/v1/incidents/1/acknowledge`);
    // A schedule for the schedule screens: weekdays rotate weekly; the weekend layer starts a week
    // late, so the first weekend is a gap (drawn in red); an override covers Wednesday afternoon.
    const sched = await rig.t.api('POST', '/api/v1/schedules', {
      name: 'Storage primary',
      teamId: demo.teamId,
      timeZone: 'Europe/Berlin',
      layers: [
        { name: 'Weekdays', participants: [demo.maya, demo.sam, demo.lee], turn: { unit: 'week', count: 1 }, handoffTime: '09:00', start: '2026-03-02T09:00', restrictions: [{ kind: 'preset', preset: 'weekdays' }] },
        { name: 'Weekends', participants: [demo.lee, demo.sam], turn: { unit: 'week', count: 1 }, handoffTime: '00:00', start: '2026-03-09T00:00', restrictions: [{ kind: 'preset', preset: 'weekends' }] },
      ],
    });
    if (sched.status !== 201) throw new Error(`schedule: ${JSON.stringify(sched.body)}`);
    scheduleId = sched.body.schedule.id;
    await rig.t.api('POST', `/api/v1/schedules/${scheduleId}/overrides`, { userIds: [demo.sam], start: '2026-03-04T13:00', end: '2026-03-04T20:00', note: 'Maya at the dentist' });
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

      await page.goto(`${t.url}/schedules`);
      await page.getByTestId('schedule-card').first().waitFor();
      await page.getByTestId('oncall-now').first().waitFor();
      await shot('schedule-list');

      await page.goto(`${t.url}/schedules/${scheduleId}`);
      await page.getByTestId('timeline-final').waitFor();
      if (size === 'phone') {
        await page.evaluate(() => document.querySelector('[data-testid="timeline-view"]')?.scrollIntoView({ block: 'start' }));
        await page.evaluate(() => window.scrollBy(0, -72));
      }
      await shot('schedule');
      await page.getByTestId('timeline-view').getByText('2 weeks').click();
      await page.getByTestId('timeline-final').getByTestId('shift-bar').first().waitFor();
      await page.getByTestId('timeline-final').getByTestId('shift-bar').filter({ hasText: 'Lee Chen' }).last().hover();
      await shot('schedule-2-weeks');

      await page.goto(`${t.url}/schedules/${scheduleId}/edit`);
      await page.getByTestId('layer').first().waitFor();
      await page.evaluate(() => document.querySelector('[data-testid="layer"]')?.scrollIntoView({ block: 'start' }));
      await page.evaluate(() => window.scrollBy(0, -72));
      await shot('schedule-edit');
      await context.close();
    }, 60_000);
  }

  // The war room and the internal status page (run alone with -t "war room").
  let warRoom: Promise<void> | null = null;
  const declareDemo = async () => {
    const { t } = rig;
    const token = async (id: string) => (await t.api('POST', `/api/v1/users/${id}/tokens`, { name: 'screenshots' })).body.token as string;
    const [maya, sam] = [await token(demo.maya), await token(demo.sam)];
    await t.api('POST', '/api/v1/business-services', { name: 'Orders', serviceIds: [demo.serviceId] });
    await t.api('POST', '/api/v1/business-services', { name: 'Checkout', serviceIds: [demo.serviceId] });
    const d = await t.api('POST', '/api/v1/major-incidents', { incident: '1', sev: 'SEV1', bridgeUrl: 'https://meet.example.com/orders-db' }, maya);
    if (d.status !== 201) throw new Error(`declare: ${JSON.stringify(d.body)}`);
    const id = (await t.api('GET', '/api/v1/incidents/1')).body.incident.id as string;
    await t.api('POST', `/api/v1/incidents/${id}/roles`, { role: 'comms', user: 'lee@example.com' }, maya);
    await t.api('POST', `/api/v1/incidents/${id}/chat`, { text: 'Replica lag on orders-db-2 is 40 s and climbing. Looking at the WAL sender.' }, sam);
    await t.api('POST', `/api/v1/incidents/${id}/chat`, { text: 'Failover to orders-db-3 at 10:20. Nobody deploys until I say so.', priority: true }, maya);
    await t.api('POST', `/api/v1/incidents/${id}/chat`, { text: '/task "Pause the nightly export job" @sam@example.com' }, sam);
    await t.api('POST', `/api/v1/incidents/${id}/chat`, { text: 'Export paused. Lag is dropping: 12 s.' }, sam);
    await t.api('POST', `/api/v1/incidents/${id}/status-updates`, { phase: 'identified', message: 'Order history is delayed by up to a minute; we are failing over the orders database.', businessImpact: 'New orders are accepted; order history shows late', nextUpdateInMinutes: 30 }, maya);
  };
  for (const size of ['phone', 'desktop'] as const) {
    it(`war room and internal status, ${size}`, async () => {
      const { t } = rig;
      warRoom ??= declareDemo();
      await warRoom;
      const { context, page } = await newPage(rig.browser, size);
      await context.clock.setFixedTime(new Date(t.clock.now()));
      const shot = async (name: string) => {
        await page.waitForTimeout(400);
        await page.screenshot({ path: `${OUT}${name}-${size}.png` });
      };
      await signIn(page, t.url, 'maya@example.com');
      await waitLive(page);
      await page.goto(`${t.url}/incidents/1`);
      await page.getByTestId('priority-message').first().waitFor();
      await page.getByTestId('chat-message').first().waitFor();
      await page.getByTestId('incident-manager').waitFor();
      await shot('warroom-top');
      await page.evaluate(() => document.querySelector('[data-testid="war-room"]')?.scrollIntoView({ block: 'start' }));
      await page.evaluate(() => window.scrollBy(0, -72));
      await shot('warroom');
      await page.goto(`${t.url}/internal-status`);
      await page.getByTestId('major-incident').first().waitFor();
      await shot('status-internal');
      await context.close();
    }, 60_000);
  }
});
