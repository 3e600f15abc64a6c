/**
 * The reports section in the browser against the real server: figures computed from incidents with
 * known acknowledge and resolve times (fake clock), charts drawn, filters kept in the URL, and every
 * figure drilling down to exactly the incidents behind it on the incident list.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addResponder, type Responder } from '../harness.js';
import { addUser, HAVE_CHROMIUM, newPage, signIn, startRig, type WebRig } from './support.js';
import { must } from '../../src/lib/must.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const OUT = fileURLToPath(new URL('../../../../docs/screenshots/', import.meta.url));
const SCREENSHOTS = process.env.KLAXON_SCREENSHOTS === '1';

/** A page whose clock reads the server's fake time. */
async function pageAt(rig: WebRig, size: 'phone' | 'desktop', viewport?: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page }> {
  const p = await newPage(rig.browser, size);
  if (viewport) await p.page.setViewportSize(viewport);
  await p.context.clock.setFixedTime(new Date(rig.t.clock.now()));
  return p;
}

/** Picks an option of a Mantine Select opened by clicking the element with `testId`. */
async function choose(page: Page, testId: string, option: string): Promise<void> {
  await page.getByTestId(testId).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

/** The incident numbers the list shows, once it has settled on `count` rows. */
async function listed(page: Page, count: number): Promise<number[]> {
  await page.getByTestId('report-chip').waitFor();
  await expect.poll(() => page.getByTestId('incident-row').count(), { timeout: 10_000 }).toBe(count);
  const nums = await page.getByTestId('incident-row').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-number'))));
  return nums.sort((a, b) => a - b);
}

const figure = (page: Page, id: string) => page.getByTestId(`${id}-value`);

describe.skipIf(!HAVE_CHROMIUM)('web: reports with charts, filters in the URL and drill-down to incidents', () => {
  let rig: WebRig;
  let maya: Responder;
  let sre: string;
  let searchId: string;

  /** Opens an incident; after `ackMin` Maya acknowledges it (unless null); it is resolved `resolveMin` after it opened. */
  async function incident(service: string, title: string, severity: string, ackMin: number | null, resolveMin: number): Promise<number> {
    const { t } = rig;
    const r = await t.api('POST', '/api/v1/incidents', { service, title, severity });
    if (r.status !== 201) throw new Error(JSON.stringify(r.body));
    const n = r.body.incident.number as number;
    await t.cycle();
    if (ackMin !== null) {
      await t.advance(ackMin * MIN);
      expect((await t.api('POST', `/api/v1/incidents/${n}/acknowledge`, undefined, maya.token)).status).toBe(200);
    }
    await t.advance((resolveMin - (ackMin ?? 0)) * MIN);
    expect((await t.api('POST', `/api/v1/incidents/${n}/resolve`)).status).toBe(200);
    await t.advance(HOUR);
    return n;
  }

  beforeAll(async () => {
    rig = await startRig();
    const { t } = rig;
    await addUser(t, { email: 'ana@example.com', name: 'Ana Ruiz', role: 'admin' });
    maya = await addResponder(t, { name: 'Maya Okafor', email: 'maya@example.com', rules: [{ type: 'email', delayMinutes: 0 }] });
    sre = (await t.api('POST', '/api/v1/teams', { name: 'SRE', members: [{ userId: maya.id }] })).body.team.id;
    const web = (await t.api('POST', '/api/v1/teams', { name: 'Web', members: [{ userId: maya.id }] })).body.team.id;
    const policy = (await t.api('POST', '/api/v1/escalation-policies', { name: 'Maya first', levels: [{ delayMinutes: 10, targets: [{ type: 'user', id: maya.id }] }] })).body.escalationPolicy.id;
    expect((await t.api('POST', '/api/v1/services', { name: 'checkout', escalationPolicyId: policy, teamId: sre })).status).toBe(201);
    const search = await t.api('POST', '/api/v1/services', { name: 'search', escalationPolicyId: policy, teamId: web });
    expect(search.status).toBe(201);
    searchId = search.body.service.id;
    // Acknowledged after 4, 10 and 2 min; #4 resolved without anyone acknowledging it.
    await incident('checkout', 'Checkout payments time out', 'critical', 4, 30); // 1 (SRE)
    await incident('checkout', 'Checkout answers 502', 'critical', 10, 20); // 2 (SRE)
    await incident('search', 'Search is slow', 'warning', 2, 12); // 3 (Web)
    await incident('search', 'Search index lags', 'info', null, 5); // 4 (Web)
  }, 180_000);
  afterAll(async () => rig?.stop());

  it('shows MTTA and counts from the incidents, draws charts, narrows by team in the URL, and drills down to exactly the incidents behind a figure', async () => {
    const { t } = rig;
    const { page } = await pageAt(rig, 'desktop');
    await signIn(page, t.url, 'ana@example.com');
    await page.goto(`${t.url}/reports`);

    // All four: MTTA (4 + 10 + 2) / 3 = 5 min 20 s, p90 10 min; MTTR (30 + 20 + 12 + 5) / 4 = 16 min 45 s.
    await expect.poll(() => figure(page, 'fig-incidents').textContent(), { timeout: 15_000 }).toBe('4');
    expect(await figure(page, 'fig-mtta').textContent()).toBe('5 min');
    expect(await page.getByTestId('fig-mtta').textContent()).toContain('p90 10 min');
    expect(await figure(page, 'fig-mttr').textContent()).toBe('17 min');
    expect(await figure(page, 'fig-no-action').textContent()).toBe('1');
    // A chart is drawn: an SVG with a bar for this week's incidents.
    await page.locator('[data-testid="chart-trend-incidents"] svg path.recharts-rectangle').first().waitFor();
    expect(await page.locator('[data-testid="chart-trend-times"] svg').count()).toBeGreaterThan(0);
    // Week over week: this week's 4 incidents against none the week before.
    expect(await page.getByTestId('trends-table').locator('tbody tr').first().textContent()).toContain('2026-03-02');

    // Narrow to team SRE: the filter goes into the URL and the figures change (MTTA (4 + 10) / 2 = 7 min).
    await choose(page, 'filter-team', 'SRE');
    await expect.poll(() => new URL(page.url()).searchParams.get('team')).toBe(sre);
    await expect.poll(() => figure(page, 'fig-incidents').textContent()).toBe('2');
    expect(await figure(page, 'fig-mtta').textContent()).toBe('7 min');
    const shared = page.url();

    // The MTTA figure drills down to the two acknowledged SRE incidents, with a removable chip.
    await page.getByTestId('fig-mtta').click();
    await page.waitForURL(/\/incidents\?/);
    expect(await listed(page, 2)).toEqual([1, 2]);
    expect(await page.getByTestId('report-chip').textContent()).toContain('MTTA');
    await page.getByRole('button', { name: 'Remove the report filter' }).click();
    await expect.poll(() => page.getByTestId('report-chip').count()).toBe(0);
    expect(new URL(page.url()).searchParams.get('since')).toBeNull();

    // The shared link opens the same view; "resolved without action" across teams is #4 alone.
    await page.goto(shared);
    await expect.poll(() => figure(page, 'fig-mtta').textContent(), { timeout: 10_000 }).toBe('7 min');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => figure(page, 'fig-incidents').textContent()).toBe('4');
    await page.getByTestId('fig-no-action').click();
    expect(await listed(page, 1)).toEqual([4]);
  });

  it("aggregates by service: clicking a bar lists that service's incidents; the table exports CSV through the server", async () => {
    const { t } = rig;
    const { page } = await pageAt(rig, 'desktop');
    await signIn(page, t.url, 'ana@example.com');
    await page.goto(`${t.url}/reports/aggregates?by=service`);
    const table = page.getByTestId('aggregates-table');
    await table.locator('tbody tr').first().waitFor();
    expect(await table.locator('tbody tr').allTextContents()).toEqual([expect.stringMatching(/^checkout2/), expect.stringMatching(/^search2/), expect.stringMatching(/^All4/)]);
    const csv = await page.getByTestId('export-csv-rows').getAttribute('href');
    expect(csv).toContain('format=csv');
    const res = await page.request.get(`${t.url}${csv}`);
    expect(res.status()).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/^key,incidents,/);
    expect(text).toContain(',checkout\r\n');
    // The first bar is checkout's.
    await page.locator('[data-testid="chart-aggregates"] path.recharts-rectangle').first().click();
    await page.waitForURL(/\/incidents\?/);
    expect(await listed(page, 2)).toEqual([1, 2]);
  });

  it('SLA: an admin sets a target in place (validated like the API), attainment and breaches follow, and the breach figure lists the breaching incident', async () => {
    const { t } = rig;
    const { page } = await pageAt(rig, 'desktop');
    await signIn(page, t.url, 'ana@example.com');
    await page.goto(`${t.url}/reports/sla`);
    await page.getByTestId('target-form').waitFor();
    await page.getByTestId('target-save').click();
    await page.getByTestId('target-form').getByText('Pick a severity').waitFor();
    await choose(page, 'target-severity', 'critical');
    await page.getByTestId('target-ack').fill('5');
    await page.getByTestId('target-save').click();
    await page.getByTestId('targets-table').getByText('critical').waitFor();
    // #1 acknowledged in 4 min meets 5 min; #2 in 10 min breaches it.
    await expect.poll(() => figure(page, 'sla-ack').textContent(), { timeout: 10_000 }).toBe('50%');
    expect(await page.getByTestId('breaches-table').locator('tbody tr').count()).toBe(1);
    expect(await page.getByTestId('breaches-table').textContent()).toContain('#2');
    await page.locator('[data-testid="chart-sla"] svg').first().waitFor();
    await page.getByTestId('sla-ack').click();
    expect(await listed(page, 1)).toEqual([2]);
  });

  it('weekly summary subscribers: add and remove', async () => {
    const { t } = rig;
    const { page } = await pageAt(rig, 'desktop');
    await signIn(page, t.url, 'ana@example.com');
    await page.goto(`${t.url}/reports/weekly?team=${sre}`);
    await page.getByTestId('subscribers-table-empty').waitFor();
    await choose(page, 'subscriber-user', 'Maya Okafor');
    await page.getByTestId('subscriber-add').click();
    await page.getByTestId('subscribers-table').getByText('maya@example.com').waitFor();
    expect((await t.api('GET', `/api/v1/teams/${sre}/report-subscribers`)).body.subscribers.map((s: { id: string }) => s.id)).toEqual([maya.id]);
    await page.getByRole('button', { name: 'Unsubscribe Maya Okafor' }).click();
    await page.getByTestId('subscribers-table-empty').waitFor();
    expect((await t.api('GET', `/api/v1/teams/${sre}/report-subscribers`)).body.subscribers).toEqual([]);
  });

  it('fits a 390 px phone: no sideways scrolling of the page, charts within the screen, filters behind a button', async () => {
    const { t } = rig;
    const { page } = await pageAt(rig, 'phone', { width: 390, height: 844 });
    await signIn(page, t.url, 'ana@example.com');
    for (const [path, chart] of [
      ['/reports', 'chart-trend-incidents'],
      ['/reports/aggregates?by=service', 'chart-aggregates'],
      ['/reports/shifts', 'chart-hours'],
    ] as const) {
      await page.goto(`${t.url}${path}`);
      const svg = page.locator(`[data-testid="${chart}"] svg`).first();
      await svg.waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      const box = must(await svg.boundingBox(), 'the svg box');
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(390);
    }
    const bar = page.getByTestId('report-filters');
    expect(must(await bar.boundingBox(), 'the bar box').height).toBeLessThan(80);
    await page.getByTestId('filters-toggle').click();
    await expect.poll(async () => must(await bar.boundingBox(), 'the bar box').height).toBeGreaterThan(250);
  });

  it.skipIf(!SCREENSHOTS)('screenshots of the reports at phone and desktop width', async () => {
    const { t } = rig;
    mkdirSync(OUT, { recursive: true });
    expect((await t.api('PUT', '/api/v1/reports/sla-targets', { severity: 'critical', ackWithinMinutes: 5, resolveWithinMinutes: 25 })).status).toBe(200);
    // Three more weeks of history, some of it in the evening and at night (Berlin), so the charts have a shape.
    const weeks: [number, [string, string, string, number | null, number][]][] = [
      [
        7 * 24 * HOUR + 9 * HOUR,
        [
          ['checkout', 'Checkout latency above 2 s', 'critical', 3, 18],
          ['search', 'Search 5xx above 1%', 'error', 6, 40],
          ['checkout', 'Card payments declined', 'critical', 12, 55],
        ],
      ],
      [
        6 * 24 * HOUR + 2 * HOUR,
        [
          ['search', 'Search index lags', 'warning', 1, 8],
          ['checkout', 'Checkout pods restarting', 'critical', 4, 22],
        ],
      ],
      [
        7 * 24 * HOUR + 11 * HOUR,
        [
          ['checkout', 'Checkout answers 502', 'critical', 2, 15],
          ['search', 'Search is slow', 'warning', null, 6],
          ['search', 'Search cluster yellow', 'error', 8, 30],
          ['checkout', 'Payments provider timeouts', 'critical', 6, 24],
        ],
      ],
    ];
    for (const [gap, list] of weeks) {
      await t.advance(gap);
      for (const [service, title, severity, ack, resolve] of list) await incident(service, title, severity, ack, resolve);
    }
    // Alerts through PagerDuty on search: a disk alert that resolves and fires again (flapping), and a burst grouped into one incident.
    const key = (await t.api('POST', `/api/v1/services/${searchId}/integrations`, { name: 'pagerduty', kind: 'pagerduty' })).body.integration.key as string;
    const pd = async (action: 'trigger' | 'resolve', dedupKey: string, summary: string) => {
      const res = await fetch(`${t.url}/v2/enqueue`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ routing_key: key, event_action: action, dedup_key: dedupKey, payload: { summary, source: 'search-3', severity: 'warning' } }),
      });
      expect(res.status).toBe(202);
    };
    for (let k = 0; k < 3; k++) {
      await pd('trigger', 'disk-search-3', 'Disk 91% full on search-3');
      await t.advance(6 * MIN);
      await pd('resolve', 'disk-search-3', 'Disk 91% full on search-3');
      await t.advance(12 * MIN);
    }
    for (const node of ['search-1', 'search-2', 'search-4', 'search-5']) await pd('trigger', `heap-${node}`, `JVM heap above 90% on ${node}`);
    await t.advance(3 * MIN);
    for (const i of (await t.api('GET', '/api/v1/incidents?status=triggered')).body.incidents as { number: number }[])
      expect((await t.api('POST', `/api/v1/incidents/${i.number}/acknowledge`, undefined, maya.token)).status).toBe(200);
    await t.advance(HOUR);
    expect((await t.api('POST', `/api/v1/teams/${sre}/report-subscribers`, { userId: maya.id })).status).toBe(204);
    for (const [size, viewport] of [
      ['phone', { width: 390, height: 844 }],
      ['desktop', { width: 1280, height: 800 }],
    ] as const) {
      const { page } = await pageAt(rig, size, viewport);
      const shot = async (name: string, scrollTo?: string) => {
        if (scrollTo) await page.getByTestId(scrollTo).evaluate((e) => e.scrollIntoView({ block: 'start' }));
        else await page.evaluate(() => window.scrollTo(0, 0));
        await page.waitForTimeout(600);
        await page.screenshot({ path: `${OUT}${name}-${size}.png` });
      };
      await signIn(page, t.url, 'ana@example.com');
      await page.goto(`${t.url}/reports`);
      await page.locator('[data-testid="chart-trend-incidents"] svg').first().waitFor();
      await shot('reports-overview');
      await shot('reports-overview-trends', 'trends');
      await page.goto(`${t.url}/reports/sla`);
      await page.getByTestId('breaches-table').waitFor();
      await shot('reports-sla');
      await shot('reports-sla-breaches', 'sla-breaches');
      await page.goto(`${t.url}/reports/aggregates?by=service`);
      await page.locator('[data-testid="chart-aggregates"] svg').first().waitFor();
      await shot('reports-aggregates', size === 'phone' ? 'aggregates' : undefined);
      await page.goto(`${t.url}/reports/shifts`);
      await page.getByTestId('shift-pages').waitFor();
      await shot('reports-shifts', size === 'phone' ? 'shift-pages' : undefined);
      await page.goto(`${t.url}/reports/noise`);
      await page.getByTestId('noise-services').waitFor();
      await shot('reports-noise');
      await page.goto(`${t.url}/reports/weekly?team=${sre}`);
      await page.getByTestId('subscribers-table').waitFor();
      await shot('reports-weekly');
      await page.goto(`${t.url}/reports/noise`);
      await page.getByTestId('noise-services').waitFor();
      if (size === 'phone') {
        await page.getByTestId('filters-toggle').click();
        await page.getByTestId('filter-team').waitFor({ state: 'visible' });
        await shot('reports-filters');
      }
      await page.goto(`${t.url}/reports`);
      await page.getByTestId('fig-mtta').click();
      await page.getByTestId('report-chip').waitFor();
      await shot('reports-drill-down');
    }
  });
});
