/**
 * Team roles and the audit trail in the web app, at 390 px (phone) and 1280 px: a team admin sees
 * "Edit" on their team's schedule and not on another team's; after they change their rotation, an
 * admin asks the schedule page "who changed this?" and reads who, when and before → after; the
 * admin area's audit screen filters the trail.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, HAVE_CHROMIUM, signIn, startRig, type WebRig } from './support.js';
import { sizedPage, type Size } from './sized.js';

async function fitsWidth(page: Page, width: number): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
}

describe.skipIf(!HAVE_CHROMIUM)('web: team roles, schedule history and the audit screen', () => {
  let rig: WebRig;
  const ids: Record<string, string> = {};
  let tomToken: string;

  const rota = (name: string, description: string) => ({
    name: `${name} rota`,
    teamId: ids[name],
    description,
    timeZone: 'Europe/Berlin',
    layers: [{ participants: [ids.tom], turn: { unit: 'week', count: 1 }, start: '2026-03-02T09:00:00Z' }],
  });

  beforeAll(async () => {
    rig = await startRig();
    const { t } = rig;
    ids.ada = await addUser(t, { email: 'ada@example.com', name: 'Ada Admin', role: 'admin' });
    ids.tom = await addUser(t, { email: 'tom@example.com', name: 'Tom Teamadmin', role: 'viewer' });
    tomToken = (await t.api('POST', `/api/v1/users/${ids.tom}/tokens`, { name: 'cli' })).body.token;
    for (const name of ['Payments', 'Search']) {
      ids[name] = (await t.api('POST', '/api/v1/teams', { name, members: [{ userId: ids.tom, ...(name === 'Payments' ? { access: 'admin' } : {}) }] })).body.team.id;
      const s = await t.api('POST', '/api/v1/schedules', rota(name, 'first'));
      if (s.status !== 201) throw new Error(JSON.stringify(s.body));
      ids[`${name} rota`] = s.body.schedule.id;
    }
  }, 120_000);
  afterAll(async () => rig?.stop());

  for (const size of ['phone', 'desktop'] as Size[]) {
    const width = size === 'phone' ? 390 : 1280;
    it(`at ${width} px: a team admin edits only their team's schedule; the schedule's history and the audit screen say who changed what`, async () => {
      const { t } = rig;
      t.clock.advance(120_000); // sign-ins are limited per minute and person
      const tom = await sizedPage(rig.browser, size);
      await signIn(tom.page, t.url, 'tom@example.com');
      await tom.page.goto(`${t.url}/schedules/${ids['Payments rota']}`);
      await tom.page.getByTestId('edit-schedule').waitFor();
      await tom.page.goto(`${t.url}/schedules/${ids['Search rota']}`);
      await tom.page.getByRole('heading', { name: 'Search rota' }).waitFor();
      expect(await tom.page.getByTestId('edit-schedule').count()).toBe(0);
      // Not a responder anywhere but Payments: no override or swap forms on Search's schedule.
      expect(await tom.page.getByTestId('schedule-actions').isVisible()).toBe(false);
      await tom.context.close();

      // Tom changes his team's rotation.
      const description = `changed at ${width}`;
      const before = (await t.api('GET', `/api/v1/schedules/${ids['Payments rota']}`)).body.schedule.description;
      expect((await t.api('PUT', `/api/v1/schedules/${ids['Payments rota']}`, rota('Payments', description), tomToken)).status).toBe(200);

      const ada = await sizedPage(rig.browser, size);
      await ada.page.context().clock.setFixedTime(new Date(t.clock.now()));
      await signIn(ada.page, t.url, 'ada@example.com');
      await ada.page.goto(`${t.url}/schedules/${ids['Payments rota']}`);
      await ada.page.getByTestId('history-toggle').click();
      const first = ada.page.getByTestId('object-history').getByTestId('audit-entry').first();
      await first.waitFor();
      expect(await first.getByTestId('audit-who').textContent()).toBe('Tom Teamadmin');
      expect(await first.getByTestId('audit-action').textContent()).toBe('schedule.update');
      const changes = await first.getByTestId('audit-changes').textContent();
      expect(changes).toContain(`description: "${before}" → "${description}"`);
      expect(await first.getByTestId('audit-when').textContent()).toMatch(/\d\d:\d\d/);
      await fitsWidth(ada.page, width);

      // The admin area's audit screen, filtered to schedule changes by Tom.
      await ada.page.goto(`${t.url}/admin`);
      await ada.page.getByTestId('admin-audit').click();
      await ada.page.getByRole('heading', { name: 'Audit trail' }).waitFor();
      await ada.page.getByTestId('audit-filter-actor').fill('tom@example.com');
      await ada.page.getByTestId('audit-filter-action').fill('schedule.');
      await ada.page.getByTestId('audit-apply').click();
      await expect.poll(async () => (await ada.page.getByTestId('audit-action').allTextContents()).join(',')).toBe(size === 'phone' ? 'schedule.update' : 'schedule.update,schedule.update');
      expect(new URL(ada.page.url()).searchParams.get('actor')).toBe('tom@example.com');
      const csv = await ada.page.getByTestId('audit-export-csv').getAttribute('href');
      expect(csv).toBe('/api/v1/audit/export?actor=tom%40example.com&action=schedule.&format=csv');
      await fitsWidth(ada.page, width);
      await ada.context.close();
    }, 60_000);
  }
});
