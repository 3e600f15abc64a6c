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
import { diffOnCall, diffPaging, formatCompare, type CompareResult } from '../../src/migrate/compare.js';
import { renderReport } from '../../src/migrate/report.js';
import { recordRun } from '../../src/migrate/store.js';
import type { ImportResult } from '../../src/migrate/types.js';
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
        {
          name: 'Weekdays',
          participants: [demo.maya, demo.sam, demo.lee],
          turn: { unit: 'week', count: 1 },
          handoffTime: '09:00',
          start: '2026-03-02T09:00',
          restrictions: [{ kind: 'preset', preset: 'weekdays' }],
        },
        {
          name: 'Weekends',
          participants: [demo.lee, demo.sam],
          turn: { unit: 'week', count: 1 },
          handoffTime: '00:00',
          start: '2026-03-09T00:00',
          restrictions: [{ kind: 'preset', preset: 'weekends' }],
        },
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
    await t.api(
      'POST',
      `/api/v1/incidents/${id}/status-updates`,
      {
        phase: 'identified',
        message: 'Order history is delayed by up to a minute; we are failing over the orders database.',
        businessImpact: 'New orders are accepted; order history shows late',
        nextUpdateInMinutes: 30,
      },
      maya,
    );
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
  // The safeguards of issue 20 and the admin area (run alone with -t "safeguards").
  let migration: Promise<void> | null = null;
  const migrationDemo = async () => {
    const { t } = rig;
    const now = t.clock.now();
    const H = 3600_000;
    const imported: ImportResult = {
      maintenance: [],
      source: 'opsgenie',
      url: 'https://api.opsgenie.example',
      config: {
        version: 1,
        users: [{ email: 'maya@example.com', name: 'Maya Okafor' }],
        schedules: [{ name: 'Storage primary', timeZone: 'Europe/Berlin', layers: [] }],
      } as unknown as ImportResult['config'],
      counts: { users: 3, teams: 1, schedules: 2, 'escalation policies': 1, services: 2, integrations: 2 },
      items: [
        { severity: 'not-imported', kind: 'schedule', name: 'Weekend follow-the-sun', id: 'P7X2K9', why: 'a time-of-day restriction that crosses midnight in two zones', instead: 'not imported' },
        { severity: 'changed', kind: 'escalation rule', name: 'Storage on-call, rule 3', id: 'R44', why: 'notifies "all members, round-robin"', instead: 'pages every member of team Storage' },
      ],
      senders: [
        {
          source: { name: 'Prometheus', id: 'I9', type: 'Prometheus' },
          service: 'orders-db',
          integration: 'prometheus',
          instruction: 'Alertmanager: set url: to https://klaxon.example.com/v2/enqueue and routing_key: to the new key',
        },
      ],
    };
    await recordRun(t.k.ctx.db.kysely, {
      kind: 'import',
      source: 'opsgenie',
      sourceUrl: imported.url,
      createdAt: now - 2 * 24 * H,
      differences: imported.items.length,
      summary: { counts: imported.counts, items: imported.items, senders: imported.senders, changes: [], trustContacts: false },
      report: renderReport(imported, { at: now - 2 * 24 * H }),
    });
    const span = { from: now, to: now + 7 * 24 * H };
    const result: CompareResult = {
      source: 'opsgenie',
      url: imported.url,
      from: span.from,
      to: span.to,
      at: now,
      schedules: [
        {
          schedule: 'Storage primary',
          source: { name: 'Storage primary', id: 'S1' },
          inKlaxon: true,
          notes: [],
          differences: diffOnCall(
            'Storage primary',
            [{ start: now, end: now + 7 * 24 * H, emails: ['maya@example.com'] }],
            [
              { start: now, end: now + 5 * 24 * H, emails: ['maya@example.com'] },
              { start: now + 5 * 24 * H, end: now + 7 * 24 * H, emails: [] },
            ],
            span,
          ),
        },
        { schedule: 'Storage secondary', source: { name: 'Storage secondary', id: 'S2' }, inKlaxon: true, notes: [], differences: [] },
      ],
      services: [
        {
          service: 'orders-db',
          source: { name: 'orders-db', id: 'X1' },
          inKlaxon: true,
          levels: [
            { level: 1, source: ['maya@example.com'], klaxon: ['maya@example.com'] },
            { level: 2, source: ['lee@example.com', 'sam@example.com'], klaxon: ['sam@example.com'] },
          ],
          differences: diffPaging(
            'orders-db',
            [{ emails: ['maya@example.com'] }, { emails: ['lee@example.com', 'sam@example.com'] }],
            [{ emails: ['maya@example.com'] }, { emails: ['sam@example.com'] }],
          ),
        },
      ],
      differences: 2,
    };
    await recordRun(t.k.ctx.db.kysely, { kind: 'compare', source: 'opsgenie', sourceUrl: result.url, createdAt: now, differences: result.differences, summary: result, report: formatCompare(result) });
  };
  for (const size of ['phone', 'desktop'] as const) {
    it(`safeguards, setup checklist and admin area, ${size}`, async () => {
      const { t } = rig;
      migration ??= migrationDemo();
      await migration;
      const { context, page } = await newPage(rig.browser, size);
      await context.clock.setFixedTime(new Date(t.clock.now()));
      const shot = async (name: string) => {
        await page.waitForTimeout(400);
        await page.screenshot({ path: `${OUT}${name}-${size}.png` });
      };
      await signIn(page, t.url, 'maya@example.com');
      await waitLive(page);
      // A fresh incident for each size, so the other screens keep their incidents.
      const opened = await t.api('POST', '/api/v1/incidents', { service: 'checkout-api', title: 'Checkout p99 latency above 2 s', severity: 'error' });
      const n = opened.body.incident.number as number;
      await page.goto(`${t.url}/incidents/${n}`);
      await page.getByTestId('timeline').waitFor();
      await page.getByTestId('declare-major').click();
      await page.getByTestId('declare-paged').waitFor();
      await shot('incident-declare-confirm');
      await page.getByTestId('declare-cancel').click();
      await page.getByTestId('ack-button').click();
      await page.getByTestId('resolve-button').click();
      await page.getByTestId('resolved-toast').waitFor();
      await shot('incident-resolved-undo');
      await page.getByTestId('reopen-button').click();
      await page.getByTestId('reopen-confirm').waitFor();
      await shot('incident-reopen');
      await page.keyboard.press('Escape');

      await page.goto(`${t.url}/services`);
      await page.getByRole('button', { name: 'New service' }).click();
      await page.getByTestId('service-pages').waitFor();
      await shot('new-service');
      await page.keyboard.press('Escape');

      await page.goto(`${t.url}/setup`);
      await page.getByTestId('setup-checklist').waitFor();
      await shot('setup-checklist');

      await page.goto(`${t.url}/admin/migration`);
      await page.getByTestId('last-compare').waitFor();
      await page.getByTestId('import-report').waitFor();
      await shot('admin-migration');
      await context.close();
    }, 60_000);
  }
});
