import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, HAVE_CHROMIUM, newPage, signIn, startRig, type WebRig } from './support.js';

const OUT = fileURLToPath(new URL('../../../../docs/screenshots/', import.meta.url));
/** docs/screenshots/ is written only when asked: KLAXON_SCREENSHOTS=1 npx vitest run <this file>. */
const SCREENSHOTS = process.env.KLAXON_SCREENSHOTS === '1';

describe.skipIf(!HAVE_CHROMIUM)('web: event rules (390 and 1280 px)', () => {
  let rig: WebRig;
  let webIntegration: { id: string; key: string };
  beforeAll(async () => {
    rig = await startRig();
    const { t } = rig;
    await addUser(t, { email: 'maya@example.com', name: 'Maya Okafor', role: 'admin' });
    await t.api('POST', '/api/v1/services', { name: 'db' });
    const web = (await t.api('POST', '/api/v1/services', { name: 'web' })).body.service.id;
    const i = (await t.api('POST', `/api/v1/services/${web}/integrations`, { name: 'monitoring', kind: 'generic' })).body.integration;
    webIntegration = { id: i.id, key: i.key };
  });
  afterAll(async () => rig?.stop());

  const rulesNow = async () => (await rig.t.api('GET', '/api/v1/event-rules')).body.rules as { id: string; name: string; integrationId: string | null; stats: { failed: number } }[];

  for (const [size, width] of [
    ['phone', 390],
    ['desktop', 1280],
  ] as const) {
    it(`an admin creates a rule (compile error inline), tests a payload and sees it match, reorders, deletes with undo, sees failures counted (${width} px)`, async () => {
      const { t } = rig;
      for (const r of await rulesNow()) await t.api('DELETE', `/api/v1/event-rules/${r.id}`);
      const { context, page } = await newPage(rig.browser, size);
      if (size === 'desktop') await page.setViewportSize({ width: 1280, height: 900 });
      await signIn(page, t.url, 'maya@example.com');
      await page.goto(`${t.url}/admin`);
      await page.getByTestId('admin-event-rules').click();
      await page.getByRole('heading', { name: 'Event rules' }).waitFor();

      // A new global rule; a condition that does not compile shows the API's message under the field.
      const global = page.locator('[data-testid=rule-set][data-scope=global]');
      await global.getByTestId('add-rule').click();
      const form = page.getByTestId('rule-form');
      await form.getByTestId('rule-name').fill('Database team');
      await form.getByTestId('rule-condition').fill('labels.team ==');
      await form.getByTestId('save-rule').click();
      await expect.poll(() => form.textContent()).toContain('The condition does not compile');
      expect(await rulesNow()).toEqual([]);
      await form.getByTestId('rule-condition').fill('labels.team == "db"');
      await form.getByTestId('rule-route').click();
      await page.getByRole('option', { name: 'db', exact: true }).click();
      await form.getByTestId('rule-severity').click();
      await page.getByRole('option', { name: 'critical' }).click();
      await form.getByTestId('save-rule').click();
      await form.waitFor({ state: 'detached' });
      const card = global.getByTestId('event-rule').filter({ hasText: 'Database team' });
      await expect.poll(() => card.textContent()).toContain('route to db · severity critical');

      // The tester: the payload on the web integration matches and goes to db.
      const tester = page.getByTestId('rule-tester');
      await tester.getByTestId('tester-integration').click();
      await page.getByRole('option', { name: /web · monitoring/ }).click();
      await tester.getByTestId('tester-payload').fill(JSON.stringify({ summary: 'Replication lag on db-2', fields: { team: 'db' } }));
      await tester.getByTestId('run-test').click();
      const tested = tester.getByTestId('tested-event');
      await expect.poll(() => tested.getByTestId('tested-result').textContent()).toBe('Alert: pages');
      expect(await tested.getByTestId('tested-service').textContent()).toContain('Service: db');
      expect(await tested.locator('[data-testid=tested-rule][data-result=matched]').textContent()).toContain('Database team');
      await page.evaluate(() => window.scrollTo(0, 0));
      if (SCREENSHOTS) await page.screenshot({ path: `${OUT}event-rules-${width}.png`, fullPage: true });
      // A payload from another team does not match and stays on web.
      await tester.getByTestId('tester-payload').fill(JSON.stringify({ summary: 'Slow pages', fields: { team: 'web' } }));
      await tester.getByTestId('run-test').click();
      await expect.poll(() => tested.getByTestId('tested-service').textContent()).toContain('Service: web');
      expect(await tested.locator('[data-testid=tested-rule][data-result=not_matched]').count()).toBe(1);
      // Not JSON: said under the field, nothing sent.
      await tester.getByTestId('tester-payload').fill('{nope');
      await tester.getByTestId('run-test').click();
      await expect.poll(() => tester.textContent()).toContain('The payload is not JSON');

      // A second global rule, then moved above the first.
      await global.getByTestId('add-rule').click();
      await form.getByTestId('rule-name').fill('Warnings are low urgency');
      await form.getByTestId('rule-condition').fill('severity == "warning"');
      await form.getByTestId('rule-urgency').click();
      await page.getByRole('option', { name: 'low' }).click();
      await form.getByTestId('rule-priority').click();
      await page.getByRole('option', { name: 'P3' }).click();
      await form.getByTestId('save-rule').click();
      await form.waitFor({ state: 'detached' });
      await expect.poll(async () => (await rulesNow()).map((r) => r.name)).toEqual(['Database team', 'Warnings are low urgency']);
      await page.getByRole('button', { name: 'Move Warnings are low urgency up' }).click();
      await expect.poll(async () => (await rulesNow()).map((r) => r.name)).toEqual(['Warnings are low urgency', 'Database team']);
      await expect.poll(async () => (await global.getByTestId('event-rule').first().textContent()) ?? '').toContain('1. Warnings are low urgency');

      // Delete, then Undo puts it back in its place; no native dialog.
      page.on('dialog', () => {
        throw new Error('no native dialogs');
      });
      await global.getByTestId('event-rule').filter({ hasText: 'Database team' }).getByTestId('delete-rule').click();
      await expect.poll(async () => (await rulesNow()).map((r) => r.name)).toEqual(['Warnings are low urgency']);
      await page.getByTestId('undo-delete-rule').click();
      await expect.poll(async () => (await rulesNow()).map((r) => r.name)).toEqual(['Warnings are low urgency', 'Database team']);
      await expect.poll(() => global.getByTestId('event-rule').count()).toBe(2);

      // A rule on the integration that fails at evaluation (no such label): counted and shown, the event still arrives.
      await t.api('POST', '/api/v1/event-rules', { integrationId: webIntegration.id, name: 'Needs region', condition: 'labels.region == "eu"' });
      const res = await fetch(`${t.url}/integrations/v1/generic/${webIntegration.key}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ summary: `no region ${size}`, dedup_key: `nr-${size}` }),
      });
      expect(res.status).toBeLessThan(300);
      await page.reload();
      const own = page.locator(`[data-testid=rule-set][data-scope="${webIntegration.id}"]`);
      const failing = own.getByTestId('event-rule').filter({ hasText: 'Needs region' });
      await expect.poll(() => failing.getByTestId('rule-failed').textContent()).toBe('1 failed');
      expect(await failing.getByTestId('rule-last-error').textContent()).toMatch(/region/);
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);

      // A warning through the integration: the rule's urgency and priority are the incident's, shown on its page.
      const warn = await fetch(`${t.url}/integrations/v1/generic/${webIntegration.key}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ summary: `Queue slow ${size}`, dedup_key: `qs-${size}`, severity: 'warning', fields: { region: 'eu' } }),
      });
      expect(warn.status).toBe(202);
      await t.cycle();
      const inc = (await t.api('GET', '/api/v1/incidents?limit=50')).body.incidents.find((i: { title: string }) => i.title === `Queue slow ${size}`);
      expect(inc).toMatchObject({ urgency: 'low', priority: 'P3' });
      await page.goto(`${t.url}/incidents/${inc.number}`);
      await expect.poll(() => page.getByTestId('incident-priority').textContent()).toBe('P3');
      expect(await page.getByTestId('incident-urgency').textContent()).toBe('Low urgency');
      await context.close();
    });
  }
});
