import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, HAVE_CHROMIUM, newPage, signIn, startRig, type WebRig } from './support.js';
import { must } from '../../src/lib/must.js';

describe.skipIf(!HAVE_CHROMIUM)('web: heartbeats on the service page (390 and 1280 px)', () => {
  let rig: WebRig;
  let serviceId: string;
  beforeAll(async () => {
    rig = await startRig();
    await addUser(rig.t, { email: 'maya@example.com', name: 'Maya Okafor', role: 'admin' });
    await addUser(rig.t, { email: 'vic@example.com', name: 'Vic Viewer', role: 'viewer' });
    serviceId = (await rig.t.api('POST', '/api/v1/services', { name: 'backups' })).body.service.id;
  });
  afterAll(async () => rig?.stop());

  for (const size of ['phone', 'desktop'] as const) {
    it(`an admin adds a heartbeat, copies its URL shown once, sees it check in, edits and deletes it (${size})`, async () => {
      const { t } = rig;
      const { context, page } = await newPage(rig.browser, size);
      if (size === 'desktop') await page.setViewportSize({ width: 1280, height: 900 });
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.url });
      await signIn(page, t.url, 'maya@example.com');
      await page.goto(`${t.url}/services/${serviceId}`);
      const name = `nightly-${size}`;
      await page.getByTestId('heartbeat-name').fill(name);
      await page.getByTestId('heartbeat-interval').fill('1500');
      await page.getByTestId('heartbeat-grace').fill('60');
      await page.getByTestId('save-heartbeat').click();
      const panel = page.getByTestId('heartbeat-url-panel');
      await panel.waitFor();
      const url = must(await panel.getByTestId('heartbeat-url').textContent(), 'the heartbeat-url text').trim();
      expect(url).toMatch(/\/heartbeats\/v1\/[A-Za-z0-9]{20,}$/);
      // Copy button puts the URL on the clipboard.
      await panel.getByRole('button', { name: /copy/i }).first().click();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);
      const row = page.getByTestId('heartbeat').filter({ hasText: name });
      await expect.poll(() => row.getByTestId('heartbeat-state').textContent()).toBe('No check-in yet');
      expect(await row.textContent()).toContain('every 25 h + 1 h grace');
      // No sideways scrolling at this width.
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      await panel.getByRole('button', { name: 'I have copied it' }).click();
      await panel.waitFor({ state: 'detached' });
      expect(await page.getByText(url).count()).toBe(0); // shown once

      expect((await fetch(url.replace(/^https?:\/\/[^/]+/, t.url), { method: 'POST' })).status).toBe(202);
      await page.reload();
      await expect.poll(() => row.getByTestId('heartbeat-state').textContent()).toBe('OK');
      expect(await row.getByTestId('heartbeat-last').textContent()).toMatch(/^Last check-in: .+\(/);

      await row.getByTestId('edit-heartbeat').click();
      await row.getByTestId('heartbeat-interval').fill('60');
      await row.getByTestId('save-heartbeat').click();
      await expect.poll(async () => (await t.api('GET', `/api/v1/services/${serviceId}/heartbeats`)).body.heartbeats.find((h: { name: string }) => h.name === name)?.intervalMinutes).toBe(60);
      await expect.poll(() => row.textContent()).toContain('every 1 h + 1 h grace');

      page.once('dialog', (d) => void d.accept());
      await row.getByRole('button', { name: 'Delete' }).click();
      await row.waitFor({ state: 'detached' });
      expect((await t.api('GET', `/api/v1/services/${serviceId}/heartbeats`)).body.heartbeats.some((h: { name: string }) => h.name === name)).toBe(false);
      await context.close();
    });
  }

  it('a viewer sees state and last check-in but no add, edit or delete', async () => {
    const { t } = rig;
    await t.api('POST', `/api/v1/services/${serviceId}/heartbeats`, { name: 'etl', intervalMinutes: 30 });
    const { context, page } = await newPage(rig.browser, 'phone');
    await signIn(page, t.url, 'vic@example.com');
    await page.goto(`${t.url}/services/${serviceId}`);
    const row = page.getByTestId('heartbeat').filter({ hasText: 'etl' });
    await expect.poll(() => row.getByTestId('heartbeat-state').textContent()).toBe('No check-in yet');
    expect(await row.getByTestId('heartbeat-last').textContent()).toBe('Last check-in: never');
    expect(await page.getByTestId('heartbeat-form').count()).toBe(0);
    expect(await page.getByTestId('edit-heartbeat').count()).toBe(0);
    await context.close();
  });
});
