import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addResponder, type Responder } from '../harness.js';
import { addUser, HAVE_CHROMIUM, newPage, signIn, startRig, type WebRig } from './support.js';
import { must } from '../../src/lib/must.js';

/**
 * Schedules in the browser. The harness clock starts Monday 2 March 2026 09:00 UTC (10:00 in
 * Berlin, the browser's zone); each page's clock is set to it so "now" agrees with the server.
 */
describe.skipIf(!HAVE_CHROMIUM)('web: schedules', () => {
  let rig: WebRig;
  let ana: Responder;
  let ben: Responder;

  beforeAll(async () => {
    rig = await startRig();
    const { t } = rig;
    await addUser(t, { email: 'maya@example.com', name: 'Maya Okafor', role: 'admin' });
    ana = await addResponder(t, { name: 'Ana Silva', email: 'ana@example.com', rules: [{ type: 'email', delayMinutes: 0 }] });
    ben = await addResponder(t, { name: 'Ben Adler', email: 'ben@example.com', rules: [{ type: 'email', delayMinutes: 0 }] });
    await addResponder(t, { name: 'Cai Wong', email: 'cai@example.com', rules: [{ type: 'email', delayMinutes: 0 }] });
  }, 120_000);
  afterAll(async () => rig?.stop());

  async function open(size: 'phone' | 'desktop' = 'desktop'): Promise<{ page: Page; close: () => Promise<void> }> {
    const { context, page } = await newPage(rig.browser, size);
    await context.clock.setFixedTime(new Date(rig.t.clock.now()));
    await signIn(page, rig.t.url, 'maya@example.com');
    return { page, close: () => context.close() };
  }

  const finalNames = (page: Page) => page.getByTestId('timeline-final').getByTestId('shift-bar').allTextContents();

  it('creates a weekly rotation of three people and shows the final schedule with the right names on the right days', async () => {
    const { page, close } = await open();
    await page.getByRole('link', { name: 'Schedules' }).first().click();
    await page.getByTestId('new-schedule').click();
    await page.getByTestId('schedule-name').fill('Primary');
    for (const name of ['Ana Silva', 'Ben Adler', 'Cai Wong']) {
      await page.getByTestId('layer-0-add-participant').click();
      await page.getByRole('option', { name: new RegExp(name) }).click();
    }
    await expect.poll(() => page.getByTestId('participant').allTextContents()).toEqual(['1.Ana Silva', '2.Ben Adler', '3.Cai Wong']);
    await page.getByTestId('layer-0-start').fill('2026-03-02T09:00');
    await page.getByTestId('schedule-save').click();
    await page.getByTestId('timeline-final').waitFor();
    expect(page.url()).toMatch(/\/schedules\/[^/]+$/);
    expect(await page.getByTestId('oncall-now').textContent()).toContain('Ana Silva');

    // Two weeks from Monday 2 March: Ana's week, then Ben's, hand-offs on Mondays at 09:00.
    await page.getByTestId('timeline-view').getByText('2 weeks').click();
    await expect.poll(() => finalNames(page)).toEqual(['Ana Silva', 'Ben Adler']);
    await expect.poll(() => page.getByTestId('final-shift').allTextContents()).toEqual(['Mon 2 Mar 09:00 – Mon 9 Mar 09:00 · Ana Silva', 'Mon 9 Mar 09:00 – Mon 16 Mar 00:00 · Ben Adler']);
    // The next fortnight: Ben until Monday 16 March 09:00, then Cai, then Ana again.
    await page.getByTestId('timeline-later').click();
    await expect.poll(() => finalNames(page)).toEqual(['Ben Adler', 'Cai Wong', 'Ana Silva']);
    expect(await page.getByTestId('final-shift').allTextContents()).toEqual([
      'Mon 16 Mar 00:00 – Mon 16 Mar 09:00 · Ben Adler',
      'Mon 16 Mar 09:00 – Mon 23 Mar 09:00 · Cai Wong',
      'Mon 23 Mar 09:00 – Mon 30 Mar 00:00 · Ana Silva',
    ]);
    // The layer row shows the same rotation.
    expect(await page.getByTestId('timeline-layer').getByTestId('shift-bar').allTextContents()).toEqual(['Ben Adler', 'Cai Wong', 'Ana Silva']);
    await close();
  });

  it('adds an override by form and shows it on the timeline', async () => {
    const { page, close } = await open();
    await page.goto(`${rig.t.url}/schedules`);
    await page.getByTestId('schedule-card').filter({ hasText: 'Primary' }).click();
    await page.getByTestId('timeline-final').waitFor();
    const form = page.getByTestId('override-form');
    await form.getByTestId('override-who').click();
    await page.getByRole('option', { name: 'Maya Okafor' }).click(); // deselect me (the default)
    await page.getByRole('option', { name: 'Cai Wong' }).click();
    await page.keyboard.press('Escape');
    await form.getByTestId('span-start').fill('2026-03-04T09:00');
    await form.getByTestId('span-end').fill('2026-03-05T09:00');
    await form.getByLabel('Note').fill('Ana is sick');
    await form.getByTestId('override-save').click();
    await expect.poll(() => page.getByTestId('timeline-overrides').getByTestId('shift-bar').allTextContents()).toEqual(['Cai Wong']);
    await expect.poll(() => finalNames(page)).toEqual(['Ana Silva', 'Cai Wong', 'Ana Silva']);
    expect(await page.getByTestId('final-shift').allTextContents()).toContain('Wed 4 Mar 09:00 – Thu 5 Mar 09:00 · Cai Wong (override)');
    await page.getByTestId('override-row').filter({ hasText: 'Ana is sick' }).waitFor();
    await close();
  });

  it('adds an override by dragging across the timeline', async () => {
    const { page, close } = await open();
    await page.goto(`${rig.t.url}/schedules/Primary`);
    const track = page.getByTestId('timeline-final').locator('.klx-tl-track');
    await track.waitFor();
    const box = must(await track.boundingBox(), 'the track box');
    // The week view starts Monday 2 March 00:00: drag from Thursday 09:00 to Thursday 17:00.
    const x = (hours: number) => box.x + (hours / (7 * 24)) * box.width;
    const y = box.y + box.height / 2;
    await page.mouse.move(x(3 * 24 + 9), y);
    await page.mouse.down();
    await page.mouse.move(x(3 * 24 + 13), y, { steps: 4 });
    await page.mouse.move(x(3 * 24 + 17), y, { steps: 4 });
    await page.mouse.up();
    const form = page.getByTestId('override-form');
    await expect.poll(() => form.getByTestId('span-start').inputValue()).toBe('2026-03-05T09:00');
    expect(await form.getByTestId('span-end').inputValue()).toBe('2026-03-05T17:00');
    await form.getByTestId('override-save').click(); // Maya (me) by default
    await expect.poll(() => page.getByTestId('timeline-overrides').getByTestId('shift-bar').allTextContents()).toEqual(['Cai Wong', 'Maya Okafor']);
    await close();
  });

  it('shows an API error in place on the override form', async () => {
    const { page, close } = await open();
    await page.goto(`${rig.t.url}/schedules/Primary`);
    const form = page.getByTestId('override-form');
    await form.getByTestId('span-start').fill('2026-03-06T09:00');
    await form.getByTestId('span-end').fill('2026-03-05T09:00');
    await form.getByTestId('override-save').click();
    await expect.poll(() => form.getByTestId('form-error').textContent()).toMatch(/end|after|before/i);
    await close();
  });

  it('highlights a gap in red', async () => {
    const r = await rig.t.api('POST', '/api/v1/schedules', {
      name: 'Daytime',
      timeZone: 'Europe/Berlin',
      layers: [
        {
          name: 'office',
          participants: [ana.id, ben.id],
          turn: { unit: 'day', count: 1 },
          handoffTime: '09:00',
          start: '2026-03-02T09:00',
          restrictions: [{ kind: 'preset', preset: 'business-hours' }],
        },
      ],
    });
    expect(r.status).toBe(201);
    const { page, close } = await open('phone');
    await page.goto(`${rig.t.url}/schedules/${r.body.schedule.id}`);
    await page.getByTestId('timeline-final').waitFor();
    // Business hours only: every evening and night is a gap, drawn in the final row and listed.
    const gaps = page.getByTestId('timeline-final').getByTestId('gap');
    await expect.poll(() => gaps.count()).toBeGreaterThanOrEqual(6);
    const bg = await gaps.first().evaluate((el) => getComputedStyle(el).backgroundImage + getComputedStyle(el).borderColor);
    expect(bg).toMatch(/gradient/);
    expect(await page.getByTestId('gap-list').textContent()).toMatch(/gaps?: nobody is on call/);
    expect(await page.getByTestId('gap-list').textContent()).toContain('Mon 2 Mar 17:00 – Tue 3 Mar 09:00');
    // On a phone the timeline scrolls sideways instead of squeezing the week.
    const sizes = await page.getByTestId('timeline-grid').evaluate((el) => [el.scrollWidth, el.clientWidth]);
    expect(sizes[0]).toBeGreaterThan(must(sizes[1], 'sizes[1]') * 2);
    await close();
  });

  it('the escalation preview with a schedule target names who is on call then', async () => {
    const p = await rig.t.api('POST', '/api/v1/escalation-policies', {
      name: 'Primary paging',
      levels: [
        { delayMinutes: 10, targets: [{ type: 'schedule', id: 'Primary' }] },
        { delayMinutes: 10, targets: [{ type: 'schedule_next', id: 'Primary' }] },
      ],
    });
    expect(p.status).toBe(201);
    const { page, close } = await open();
    await page.goto(`${rig.t.url}/escalation-policies/${p.body.escalationPolicy.id}`);
    const preview = page.getByTestId('policy-preview');
    // Ana is on call now; the backup is whoever comes on next: Cai, by Wednesday's override.
    await expect.poll(() => preview.getByTestId('preview-page').allTextContents(), { timeout: 10_000 }).toEqual(['Ana Silva by Email (email)', 'Cai Wong by Email (email)']);
    // The picker offers schedules; the list names the schedule target.
    await page.getByTestId('level-0-targets').click();
    await page.getByRole('option', { name: 'Primary: next on-call (backup)' }).waitFor();
    await page.keyboard.press('Escape');
    await page.goto(`${rig.t.url}/escalation-policies`);
    await page.getByTestId('policy-card').filter({ hasText: 'Primary paging' }).getByText('on call for Primary').waitFor();
    await close();
  });

  it('offers a swap and takes on-call now for N hours', async () => {
    const { page, close } = await open('phone');
    await page.goto(`${rig.t.url}/schedules/Primary`);
    await page.getByTestId('timeline-final').waitFor();
    // Maya holds Thursday 09:00-17:00 (the dragged override): offer it.
    const swap = page.getByTestId('swap-form');
    await swap.getByTestId('span-start').fill('2026-03-05T09:00');
    await swap.getByTestId('span-end').fill('2026-03-05T17:00');
    await swap.getByTestId('swap-offer').click();
    await expect.poll(() => page.getByTestId('swap').allTextContents()).toEqual([expect.stringContaining('Maya Okafor offers Thu 5 Mar 09:00 – Thu 5 Mar 17:00')]);
    // A span where Maya is not on call: the API's message shows in place.
    await swap.getByTestId('span-start').fill('2026-03-10T09:00');
    await swap.getByTestId('span-end').fill('2026-03-10T17:00');
    await swap.getByTestId('swap-offer').click();
    await expect.poll(() => swap.getByTestId('form-error').count()).toBe(1);

    expect(await page.getByTestId('oncall-now').textContent()).toContain('Ana Silva');
    await page.getByTestId('take-hours').fill('2');
    await page.getByTestId('take-now').click();
    await expect.poll(() => page.getByTestId('oncall-now').textContent()).toContain('Maya Okafor');
    await close();
  });
});
