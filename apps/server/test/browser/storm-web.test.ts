/**
 * The phone in a storm (issue 20): twenty incidents that look alike, read on a phone at 390 px and on
 * a 1280 px desktop. The part that differs is shown, severity is never cut, filters fold behind one
 * control on a phone, "Mine" is where a responder starts, the assignee is shown, "1 incident" is
 * singular, bulk acknowledge works, and the incident page's bar (Acknowledge, Snooze, Resolve, More)
 * is within thumb reach with targets of at least 44 px; snooze, notes and add responder work.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sizedPage, type Size } from './sized.js';
import { addPagedService, addUser, HAVE_CHROMIUM, signIn, startRig, trigger, waitLive, type WebRig } from './support.js';
import { must } from '../../src/lib/must.js';

const SIZES: Size[] = ['phone', 'desktop'];

describe.skipIf(!HAVE_CHROMIUM)('web: the phone in a storm', () => {
  let rig: WebRig;
  let maya: string;
  let sam: string;
  let otherService: string;
  const storm: Record<Size, number[]> = { phone: [], desktop: [] };

  const login = async (page: Page, email: string) => {
    rig.t.clock.advance(60_000);
    await signIn(page, rig.t.url, email);
  };
  const incident = async (n: number) => (await rig.t.api('GET', `/api/v1/incidents/${n}`)).body.incident as { id: string; status: string; snoozedUntil: number | null; acknowledgedBy: string | null };

  beforeAll(async () => {
    rig = await startRig();
    maya = await addUser(rig.t, { email: 'maya@example.com', name: 'Maya Okafor', role: 'responder' });
    sam = await addUser(rig.t, { email: 'sam@example.com', name: 'Sam Lindqvist', role: 'responder' });
    // A long service name, as real ones are: on a phone it must not push the incident's age out of sight.
    const { routingKey } = await addPagedService(rig.t, { name: 'web-fleet-eu-west-1-frontends', userIds: [maya] });
    // Not Maya's: its policy pages Sam only.
    const other = await addPagedService(rig.t, { name: 'billing', userIds: [sam] });
    otherService = other.serviceId;
    await trigger(rig.t, other.routingKey, 'Invoice export slow', { dedupKey: 'billing-1', severity: 'warning' });
    for (const size of SIZES) {
      for (let k = 1; k <= 20; k++)
        await trigger(rig.t, routingKey, `Disk usage above 90% on web-${size}-${String(k).padStart(2, '0')}.prod.eu-west-1.example.internal`, { dedupKey: `${size}-${k}`, severity: 'critical' });
      await rig.t.cycle();
      storm[size] = ((await rig.t.api('GET', '/api/v1/incidents?limit=200&q=' + encodeURIComponent(`web-${size}-`))).body.incidents as { number: number }[]).map((i) => i.number);
    }
    await rig.t.cycle();
  }, 120_000);
  afterAll(async () => rig?.stop());

  for (const size of SIZES) {
    it(`${size}: the storm list: Mine by default, the differing part shown, severity whole, filters folded on a phone, bulk acknowledge`, async () => {
      const { context, page } = await sizedPage(rig.browser, size);
      await login(page, 'maya@example.com');
      await page.goto(`${rig.t.url}/incidents?q=web-${size}-`);
      await waitLive(page);
      await expect.poll(() => page.getByTestId('incident-row').count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(size === 'phone' ? 6 : 8);
      // Mine is the responder's default view: Sam's billing incident is not in it.
      expect(await page.getByTestId('view-filter').locator('input:checked').getAttribute('value')).toBe('mine');
      await expect.poll(() => page.getByTestId('incident-count').textContent()).toContain('20 incidents');
      // The part that tells them apart is shown first, in full.
      const row = page
        .locator('[data-testid=incident-row]')
        .filter({ hasText: `web-${size}-07.prod` })
        .first();
      expect(await row.getByTestId('row-distinct').textContent()).toBe(`web-${size}-07.prod.eu-west-1.example.internal`);
      // Severity is never truncated: its badge is as wide as its text.
      const sev = row.getByTestId('row-severity');
      expect(await sev.textContent()).toMatch(/critical/i);
      const cut = await sev.evaluate((el) => [...el.querySelectorAll('*'), el].some((e) => (e as HTMLElement).scrollWidth > (e as HTMLElement).clientWidth + 1));
      expect(cut).toBe(false);
      // How old it is stays in sight: the age comes before the service name, which is what gets cut.
      const age = row.getByTestId('row-age');
      expect(await age.textContent()).toMatch(/ago|just now/);
      const ageShown = await age.evaluate((el) => {
        const line = el.closest('p');
        return line !== null && el.getBoundingClientRect().right <= line.getBoundingClientRect().right + 1;
      });
      expect(ageShown).toBe(true);
      // Filters: behind one control on a phone, shown on a desktop.
      if (size === 'phone') {
        expect(await page.getByTestId('assignee-filter').isVisible()).toBe(false);
        await page.getByTestId('filters-toggle').click();
        await page.getByTestId('assignee-filter').waitFor({ state: 'visible' });
      } else {
        expect(await page.getByTestId('assignee-filter').isVisible()).toBe(true);
        expect(await page.getByTestId('filters-toggle').count()).toBe(0);
      }
      // Bulk: select three, acknowledge them at once.
      await page.getByTestId('select-mode').click();
      const picks = page.getByTestId('incident-row');
      const numbers: number[] = [];
      for (let k = 0; k < 3; k++) {
        const r = picks.nth(k);
        numbers.push(Number(await r.getAttribute('data-number')));
        if (size === 'phone') await r.tap();
        else await r.click();
      }
      expect(await page.getByTestId('bulk-count').textContent()).toBe('3 selected');
      for (const id of ['bulk-ack', 'bulk-snooze', 'bulk-resolve', 'bulk-cancel']) expect(must(await page.getByTestId(id).boundingBox(), `the ${id} box`).height, id).toBeGreaterThanOrEqual(44);
      // Every label whole: none cut at 390 px (Snooze and Resolve were, at 18 px).
      for (const id of ['bulk-ack', 'bulk-snooze', 'bulk-resolve']) {
        const label = page.getByTestId(id).locator('.mantine-Button-label');
        expect(await label.evaluate((el) => el.scrollWidth <= el.clientWidth), `${id} label cut`).toBe(true);
      }
      // Within thumb reach: the bar is in the bottom part of the screen.
      const vh = must(page.viewportSize(), 'page.viewportSize()').height;
      expect(must(await page.getByTestId('bulk-ack').boundingBox(), 'the bulk-ack box').y).toBeGreaterThan(vh / 2);
      expect(page.url()).toContain('/incidents?'); // picking a row never opened it
      await page.getByTestId('bulk-ack').click();
      for (const n of numbers) await expect.poll(async () => (await incident(n)).acknowledgedBy, { timeout: 10_000 }).toBe(maya);
      await page.getByTestId('bulk-bar').waitFor({ state: 'detached' });
      // The assignee is shown on the row once acknowledged.
      await expect.poll(() => page.locator(`[data-testid=incident-row][data-number="${numbers[0]}"]`).getByTestId('row-assignee').textContent(), { timeout: 10_000 }).toContain('Maya Okafor');
      // Everyone: Sam's billing incident, one of them: "1 incident".
      await page.goto(`${rig.t.url}/incidents?view=all&service=${otherService}`);
      await expect.poll(() => page.getByTestId('incident-count').textContent(), { timeout: 10_000 }).toBe('1 incident');
      // A drill-down from a report lists exactly its incidents, Maya's or not.
      const billing = (await rig.t.api('GET', `/api/v1/incidents?service=${otherService}`)).body.incidents[0].id as string;
      await page.goto(`${rig.t.url}/incidents?report=Breaches&ids=${billing}`);
      await expect.poll(() => page.getByTestId('incident-count').textContent(), { timeout: 10_000 }).toBe('1 incident');
      await page.goto(`${rig.t.url}/incidents?service=${otherService}`);
      await expect.poll(() => page.getByTestId('incident-count').textContent(), { timeout: 10_000 }).toBe('0 incidents');
      await page.getByText('All quiet: nothing is open.').waitFor();
      await context.close();
    });

    it(`${size}: the incident page's bar: Acknowledge, Snooze, Resolve, More at 44 px or more, within thumb reach; snooze, note, add responder`, async () => {
      const n = must(storm[size][10], 'storm[size][10]');
      const { context, page } = await sizedPage(rig.browser, size);
      await login(page, 'maya@example.com');
      await page.goto(`${rig.t.url}/incidents/${n}`);
      await page.getByTestId('incident-page').waitFor();
      await waitLive(page);
      const ids = ['ack-button', 'snooze-button', 'resolve-button', 'more-button'];
      const boxes = await Promise.all(ids.map(async (id) => must(await page.getByTestId('action-bar').getByTestId(id).boundingBox(), `the ${id} box`)));
      for (const [k, b] of boxes.entries()) expect(b.height, ids[k]).toBeGreaterThanOrEqual(44);
      const vh = must(page.viewportSize(), 'page.viewportSize()').height;
      if (size === 'phone') for (const b of boxes) expect(b.y + b.height).toBeLessThanOrEqual(vh);
      if (size === 'phone') expect(must(boxes[0], 'boxes[0]').y).toBeGreaterThan(vh / 2);
      // Snooze for 15 minutes.
      await page.getByTestId('snooze-button').click();
      expect(must(await page.getByTestId('snooze-15').boundingBox(), 'the snooze-15 box').height).toBeGreaterThanOrEqual(44);
      await page.getByTestId('snooze-15').click();
      await expect.poll(async () => (await incident(n)).snoozedUntil, { timeout: 10_000 }).toBe(rig.t.clock.now() + 15 * 60_000);
      await page.getByTestId('snoozed-until').waitFor();
      await page.getByTestId('timeline').locator('[data-type="incident.snoozed"]').waitFor();
      // More: a note and a responder.
      await page.getByTestId('more-button').click();
      await page.getByTestId('note-text').fill(`Cleared /var/log on ${size}`);
      await page.getByTestId('note-add').click();
      await expect
        .poll(
          async () =>
            ((await rig.t.api('GET', `/api/v1/incidents/${n}/timeline`)).body.timeline as { type: string; message: string }[]).some(
              (e) => e.type === 'note' && e.message === `Cleared /var/log on ${size}`,
            ),
          { timeout: 10_000 },
        )
        .toBe(true);
      await page.getByTestId('responder-select').click();
      await page.getByRole('option', { name: 'Sam Lindqvist' }).click();
      await page.getByTestId('responder-add').click();
      await expect
        .poll(
          async () =>
            ((await rig.t.api('GET', `/api/v1/incidents/${n}/timeline`)).body.timeline as { type: string; data: { userId?: string } }[]).some(
              (e) => e.type === 'responder.added' && e.data.userId === sam,
            ),
          { timeout: 10_000 },
        )
        .toBe(true);
      await page.keyboard.press('Escape');
      // The snooze ends by the clock: triggered again.
      await rig.t.advance(15 * 60_000);
      await expect.poll(async () => (await incident(n)).status, { timeout: 10_000 }).toBe('triggered');
      await expect.poll(() => page.getByTestId('ack-button').getAttribute('data-state'), { timeout: 10_000 }).toBe('triggered');
      await context.close();
    });
  }
});
