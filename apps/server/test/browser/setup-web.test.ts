/**
 * The first run and the setup checklist on a fresh database of a server with no email, SMS or
 * Slack configured; the plain message where a contact method cannot be verified; the admin area's
 * migration screen with the last import's report and the last comparison's differences highlighted.
 * At 390 px (phone) and 1280 px (desktop).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM } from '../../src/auth/actor.js';
import { diffOnCall, diffPaging, formatCompare, type CompareResult } from '../../src/migrate/compare.js';
import { applyImport } from '../../src/migrate/run.js';
import { recordRun } from '../../src/migrate/store.js';
import type { ImportResult } from '../../src/migrate/types.js';
import { startTestKlaxon, type TestKlaxon } from '../harness.js';
import { sizedPage } from './sized.js';
import { addUser, ensureWebBuilt, HAVE_CHROMIUM, launchBrowser, signIn, startRig, type WebRig } from './support.js';
import { must } from '../../src/lib/must.js';

const SIZES = ['phone', 'desktop'] as const;
const HOUR = 3600_000;

describe.skipIf(!HAVE_CHROMIUM)('web: first run on a server without email, the setup checklist, the unconfigured-email message', () => {
  let browser: Browser;
  beforeAll(async () => {
    ensureWebBuilt();
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => browser?.close());

  for (const size of SIZES) {
    it(`${size}: first-run setup lands on the checklist, which shows the channels and links every step to its screen`, async () => {
      const t: TestKlaxon = await startTestKlaxon('sqlite', { smtp: undefined, twilio: undefined, slack: undefined });
      try {
        // A fresh database: no users at all (the harness made an admin for its own API calls).
        await t.k.ctx.db.kysely.deleteFrom('users').execute();
        const { context, page } = await sizedPage(browser, size);
        await page.goto(`${t.url}/`);
        await page.getByText('Create administrator').waitFor();
        await page.locator('input[name=name]').fill('Rosa Admin');
        await page.locator('input[name=email]').fill('rosa@example.com');
        await page.locator('input[name=password]').fill('correct horse battery');
        await page.getByRole('button', { name: 'Create administrator' }).click();
        await page.getByTestId('setup-checklist').waitFor();
        expect(new URL(page.url()).pathname).toBe('/setup');

        const channels = page.getByTestId('channel');
        await expect.poll(() => channels.count()).toBe(12);
        const state = await channels.evaluateAll((els) => els.map((e) => [e.getAttribute('data-channel'), e.getAttribute('data-configured')]));
        expect(Object.fromEntries(state)).toEqual({
          email: 'false',
          sms: 'false',
          voice: 'false',
          slack: 'false',
          push: 'true',
          mattermost: 'false',
          discord: 'false',
          matrix: 'false',
          ntfy: 'true',
          pushover: 'false',
          telegram: 'false',
          whatsapp: 'false',
        });
        expect(await page.locator('[data-channel=email]').textContent()).toContain('KLAXON_SMTP_URL');

        const steps = page.getByTestId('setup-step');
        const done = await steps.evaluateAll((els) => els.map((e) => [e.getAttribute('data-step'), e.getAttribute('data-done')]));
        expect(done).toEqual([
          ['channels', 'false'],
          ['people', 'false'],
          ['schedule', 'false'],
          ['policy', 'false'],
          ['service', 'false'],
        ]);
        expect(await page.locator('[data-step=channels]').textContent()).toContain('Nothing but push (web push, ntfy) is configured');
        const links = await page.getByTestId('step-link').evaluateAll((els) => els.map((e) => e.getAttribute('href')));
        expect(links).toEqual(['/people/users', '/schedules', '/escalation-policies', '/services']);
        await page.locator('[data-step=service]').getByTestId('step-link').click();
        await page.getByRole('heading', { name: 'Services' }).waitFor();

        // The incident list tells an admin that setup is not finished.
        await page.goto(`${t.url}/incidents`);
        await page.getByTestId('setup-banner').waitFor();

        // Email cannot send here: adding an address says so plainly instead of asking for a code.
        await page.goto(`${t.url}/people/me`);
        await page.getByTestId('method-address').fill('rosa.home@example.com');
        const before = page.locator('form').getByTestId('channel-unconfigured');
        await before.waitFor();
        expect(await before.textContent()).toContain('Email is not configured on this server');
        await page.getByTestId('method-name').fill('Home email');
        await page.getByTestId('add-method').click();
        const card = page.getByTestId('contact-method').filter({ hasText: 'Home email' });
        await card.waitFor();
        const msg = card.getByTestId('channel-unconfigured');
        await msg.waitFor();
        const text = must(await msg.textContent(), 'the msg text');
        expect(text).toContain('Email is not configured on this server');
        expect(text).toContain('No code was sent to rosa.home@example.com');
        expect(text).toContain('KLAXON_SMTP_URL');
        expect(text).not.toContain('we sent');
        expect(await card.getByTestId('verify-code').count()).toBe(0);
        await context.close();
      } finally {
        await t.stop();
      }
    });
  }
});

describe.skipIf(!HAVE_CHROMIUM)('web: the admin area shows the last import and the last comparison, differences highlighted', () => {
  let rig: WebRig;
  beforeAll(async () => {
    rig = await startRig();
    await addUser(rig.t, { email: 'ada@example.com', name: 'Ada Admin', role: 'admin' });
  }, 120_000);
  afterAll(async () => rig?.stop());

  it('empty state when nothing was imported', async () => {
    for (const size of SIZES) {
      const { context, page } = await sizedPage(rig.browser, size);
      await signIn(page, rig.t.url, 'ada@example.com');
      await page.getByTestId('user-menu').click();
      await page.getByTestId('menu-admin').click();
      await page.getByTestId('admin-migration').click();
      await page.getByTestId('migration-empty').waitFor();
      expect(await page.getByTestId('last-compare').count()).toBe(0);
      await context.close();
    }
  });

  it('after an import and a comparison: the report as Markdown, each differing interval and level highlighted', async () => {
    const { t } = rig;
    const now = t.clock.now();
    // The import, through the real apply path: it keeps the report for the admin area.
    const imported: ImportResult = {
      maintenance: [],
      source: 'opsgenie',
      url: 'https://api.opsgenie.example',
      config: { version: 1, users: [{ email: 'erin@example.com', name: 'Erin Example' }] } as ImportResult['config'],
      counts: { users: 1, schedules: 1 },
      items: [{ severity: 'not-imported', kind: 'schedule', name: 'Weekend follow-the-sun', id: 'sch-9', why: 'a time restriction Klaxon has no equivalent for', instead: 'not imported' }],
      senders: [],
    };
    await applyImport(t.k.ctx, SYSTEM, imported, { dryRun: false, trustContacts: false });

    // A comparison as `klaxon compare` keeps it (compareWithSource's recordRun), from the real diff functions.
    const span = { from: now, to: now + 48 * HOUR };
    const result: CompareResult = {
      source: 'opsgenie',
      url: 'https://api.opsgenie.example',
      from: span.from,
      to: span.to,
      at: now,
      schedules: [
        {
          schedule: 'Primary',
          source: { name: 'Primary', id: 's1' },
          inKlaxon: true,
          notes: [],
          differences: diffOnCall(
            'Primary',
            [{ start: now, end: now + 48 * HOUR, emails: ['erin@example.com'] }],
            [
              { start: now, end: now + 24 * HOUR, emails: ['erin@example.com'] },
              { start: now + 24 * HOUR, end: now + 48 * HOUR, emails: ['sam@example.com'] },
            ],
            span,
          ),
        },
        {
          schedule: 'Secondary',
          source: { name: 'Secondary', id: 's2' },
          inKlaxon: true,
          notes: [],
          differences: diffOnCall('Secondary', [{ start: now, end: now + 48 * HOUR, emails: ['lee@example.com'] }], [{ start: now, end: now + 48 * HOUR, emails: ['lee@example.com'] }], span),
        },
      ],
      services: [
        {
          service: 'checkout',
          source: { name: 'checkout', id: 'x1' },
          inKlaxon: true,
          levels: [
            { level: 1, source: ['erin@example.com'], klaxon: ['erin@example.com'] },
            { level: 2, source: ['lee@example.com'], klaxon: [] },
          ],
          differences: diffPaging('checkout', [{ emails: ['erin@example.com'] }, { emails: ['lee@example.com'] }], [{ emails: ['erin@example.com'] }, { emails: [] }]),
        },
      ],
      differences: 2,
    };
    expect(must(result.schedules[0], 'result.schedules[0]').differences).toHaveLength(1);
    expect(must(result.services[0], 'result.services[0]').differences).toHaveLength(1);
    await recordRun(t.k.ctx.db.kysely, { kind: 'compare', source: 'opsgenie', sourceUrl: result.url, createdAt: now, differences: result.differences, summary: result, report: formatCompare(result) });

    for (const size of SIZES) {
      const { context, page } = await sizedPage(rig.browser, size);
      await signIn(page, t.url, 'ada@example.com');
      await page.goto(`${t.url}/admin/migration`);
      await page.getByTestId('last-compare').waitFor();
      expect(await page.getByTestId('compare-differences').textContent()).toBe('2 differ');

      // Primary: one differing span (the second day), highlighted, naming both sides.
      const primary = page.locator('[data-testid=compare-schedule][data-name=Primary]');
      const diffs = primary.getByTestId('oncall-diff');
      expect(await diffs.count()).toBe(1);
      expect(await diffs.first().getAttribute('class')).toContain('klx-diff');
      const diffText = must(await diffs.first().textContent(), 'the diffs.first() text');
      expect(diffText).toContain('2026-03-03 09:00Z → 2026-03-04 09:00Z');
      expect(diffText).toContain('opsgenie: erin@example.com');
      expect(diffText).toContain('Klaxon: sam@example.com');
      const bg = await diffs.first().evaluate((e) => getComputedStyle(e).backgroundColor);
      expect(bg).not.toBe('rgba(0, 0, 0, 0)');
      expect(await page.locator('[data-testid=compare-schedule][data-name=Secondary]').getAttribute('data-match')).toBe('true');
      expect(await page.locator('[data-testid=compare-schedule][data-name=Secondary]').getByTestId('oncall-diff').count()).toBe(0);

      // checkout: level 2 differs (highlighted), level 1 does not.
      const rows = page.locator('[data-testid=compare-service][data-name=checkout]').getByTestId('level-row');
      expect(await rows.evaluateAll((els) => els.map((e) => [e.getAttribute('data-level'), e.getAttribute('data-differs'), e.className.includes('klx-diff-row')]))).toEqual([
        ['1', 'false', false],
        ['2', 'true', true],
      ]);
      expect(await rows.nth(1).textContent()).toContain('nobody');

      // The import's report, rendered as Markdown (headings, not raw #).
      const report = page.getByTestId('import-report');
      await report.waitFor();
      expect(await report.locator('h1, h2, h3').count()).toBeGreaterThan(0);
      expect(await report.textContent()).toContain('Weekend follow-the-sun');
      expect(await report.textContent()).not.toMatch(/^#/m);
      expect(await page.getByTestId('import-counts').textContent()).toContain('users: 1');

      // Readable on a phone: nothing wider than the screen.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await context.close();
    }
  });
});
