/**
 * The postmortem screens in the browser: from a resolved incident to a published postmortem with
 * action items, against the real server. The browser's clock is the harness's fake clock, so "due"
 * and "overdue" are decided at a known time.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, HAVE_CHROMIUM, newPage, signIn, startRig, type WebRig } from './support.js';

const MIN = 60_000;
/** How long a poll waits for the page to catch up (a loaded machine is slow; nothing here waits on time). */
const WAIT = { timeout: 15_000 };
const OUT = fileURLToPath(new URL('../../../../docs/screenshots/', import.meta.url));
const SCREENSHOTS = process.env.KLAXON_SCREENSHOTS === '1';

/** Picks an option of a Mantine Select opened by clicking the element with `testId`. */
async function choose(page: Page, testId: string, option: string): Promise<void> {
  await page.getByTestId(testId).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

/** A page whose clock reads the server's fake time. */
async function pageAt(rig: WebRig, size: 'phone' | 'desktop', viewport?: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page }> {
  const p = await newPage(rig.browser, size);
  if (viewport) await p.page.setViewportSize(viewport);
  await p.context.clock.setFixedTime(new Date(rig.t.clock.now()));
  return p;
}

describe.skipIf(!HAVE_CHROMIUM)('web: postmortems and action items', () => {
  let rig: WebRig;
  let maya: string;
  let sam: string;
  let sre: string;
  let web: string;
  let mayaToken: string;

  /** Opens an incident on checkout and has Maya acknowledge it after 4 min; returns its number. */
  async function acknowledgedIncident(title: string): Promise<number> {
    const { t } = rig;
    const inc = await t.api('POST', '/api/v1/incidents', { service: 'checkout', title, severity: 'critical' });
    if (inc.status !== 201) throw new Error(JSON.stringify(inc.body));
    const n = inc.body.incident.number as number;
    await t.cycle();
    await t.advance(4 * MIN);
    expect((await t.api('POST', `/api/v1/incidents/${n}/acknowledge`, undefined, mayaToken)).status).toBe(200);
    return n;
  }

  /** Maya resolves the incident 26 min later (30 min after it opened). */
  async function resolve(n: number): Promise<void> {
    await rig.t.advance(26 * MIN);
    expect((await rig.t.api('POST', `/api/v1/incidents/${n}/resolve`, undefined, mayaToken)).status).toBe(200);
  }

  /** An incident acknowledged after 4 min and resolved after 30 min. */
  async function resolvedIncident(title: string): Promise<number> {
    const n = await acknowledgedIncident(title);
    await resolve(n);
    return n;
  }

  beforeAll(async () => {
    rig = await startRig();
    const { t } = rig;
    maya = await addUser(t, { email: 'maya@example.com', name: 'Maya Okafor', role: 'responder' });
    sam = await addUser(t, { email: 'sam@example.com', name: 'Sam Lee', role: 'responder' });
    mayaToken = (await t.api('POST', `/api/v1/users/${maya}/tokens`, { name: 'test' })).body.token;
    sre = (await t.api('POST', '/api/v1/teams', { name: 'SRE', members: [{ userId: maya }] })).body.team.id;
    web = (await t.api('POST', '/api/v1/teams', { name: 'Web', members: [] })).body.team.id;
    const policy = await t.api('POST', '/api/v1/escalation-policies', { name: 'SRE', levels: [{ delayMinutes: 10, targets: [{ type: 'user', id: maya }] }] });
    expect((await t.api('POST', '/api/v1/services', { name: 'checkout', escalationPolicyId: policy.body.escalationPolicy.id, teamId: sre })).status).toBe(201);
  }, 120_000);
  afterAll(async () => rig?.stop());

  it('drafts the postmortem from a resolved incident, edits it in Markdown, adds action items, reviews, publishes and exports it', async () => {
    const { t } = rig;
    const n = await acknowledgedIncident('Checkout payments time out');
    const { context, page } = await pageAt(rig, 'desktop');
    await signIn(page, t.url, 'maya@example.com');

    // An open incident has no postmortem button (the severity control shows the page has loaded).
    await page.goto(`${t.url}/incidents/${n}`);
    await page.getByTestId('severity-select').waitFor();
    expect(await page.getByTestId('postmortem-button').count()).toBe(0);
    // Resolved (through the API, 30 min after it opened), it has one.
    await resolve(n);
    await context.clock.setFixedTime(new Date(t.clock.now()));
    await page.reload();
    await page.getByTestId('incident-page').waitFor();
    await page.getByTestId('postmortem-button').click();
    await page.getByTestId('postmortem-editor').waitFor();
    const pm = (await t.api('GET', `/api/v1/postmortems/${(await t.api('GET', `/api/v1/incidents/${n}`)).body.incident.id}`)).body.postmortem;
    expect(page.url()).toBe(`${t.url}/postmortems/${pm.id}`);

    // The generated draft: measures, key events with who did it, the timeline as a table.
    const facts = page.getByTestId('postmortem-facts');
    await expect.poll(() => facts.textContent(), WAIT).toContain('Time to acknowledge4 min');
    expect(await facts.textContent()).toContain('Time to resolve30 min');
    await page.getByTestId('key-events').getByText('Acknowledged by Maya Okafor', { exact: false }).first().waitFor();
    await facts.getByText('Who did what').waitFor();
    const tl = page.getByTestId('preview-timeline');
    await tl.locator('table').waitFor();
    expect(await tl.locator('td', { hasText: 'Resolved by Maya Okafor' }).count()).toBe(1);
    expect(await page.getByTestId('postmortem-state').textContent()).toBe('Draft');

    // Edit the root cause in Markdown, preview it, save; it is kept after a reload.
    await page.getByTestId('edit-rootCause').click();
    // The prompt is a placeholder, not text in the draft.
    expect(await page.getByTestId('input-rootCause').inputValue()).toBe('');
    expect(await page.getByTestId('input-rootCause').getAttribute('placeholder')).toBe('What caused it?');
    const rootCause = 'The **payments** pool ran out of connections after [deploy 812](https://ci.example.com/812).\n\n- pool size 10\n- no alert on saturation\n\n<script>window.pwned = 1</script>';
    await page.getByTestId('input-rootCause').fill(rootCause);
    await page.getByTestId('section-rootCause').getByText('unsaved').waitFor();
    await page.getByTestId('section-mode-rootCause').locator('label', { hasText: 'Preview' }).click();
    const preview = page.getByTestId('preview-rootCause');
    await preview.locator('strong', { hasText: 'payments' }).waitFor();
    expect(await preview.locator('a').getAttribute('href')).toBe('https://ci.example.com/812');
    expect(await preview.locator('script').count()).toBe(0);
    expect(await preview.textContent()).toContain('<script>window.pwned = 1</script>');
    // An empty title is refused in place, as the API would.
    await page.getByTestId('postmortem-title').fill('  ');
    await page.getByTestId('save-postmortem').click();
    await page.getByTestId('postmortem-form').getByText('required').waitFor();
    await page.getByTestId('postmortem-title').fill('Checkout payments outage');
    await page.getByTestId('save-postmortem').click();
    await page.getByTestId('save-postmortem').waitFor({ state: 'detached' });
    const saved = (await t.api('GET', `/api/v1/postmortems/${pm.id}`)).body.postmortem;
    expect(saved.sections.rootCause).toBe(rootCause);
    expect(saved.title).toBe('Checkout payments outage');
    await page.reload();
    await page.getByTestId('preview-rootCause').locator('strong', { hasText: 'payments' }).waitFor();
    expect(await page.getByTestId('preview-rootCause').locator('li').allTextContents()).toEqual(['pool size 10', 'no alert on saturation']);
    expect(await page.getByTestId('postmortem-title-text').textContent()).toBe('Checkout payments outage');
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();

    // The API's refusal shows in place: a reviewer published it meanwhile, so this save is refused.
    await page.getByTestId('edit-wentWell').click();
    await page.getByTestId('input-wentWell').fill('Paged within a minute.');
    expect((await t.api('POST', `/api/v1/postmortems/${pm.id}/state`, { state: 'in_review' })).status).toBe(200);
    expect((await t.api('POST', `/api/v1/postmortems/${pm.id}/state`, { state: 'published' })).status).toBe(200);
    await page.getByTestId('save-postmortem').click();
    await page.getByTestId('form-error').getByText('A published postmortem is read-only; move it back to review to edit it').waitFor();
    expect((await t.api('GET', `/api/v1/postmortems/${pm.id}`)).body.postmortem.sections.wentWell).toBe('');
    expect((await t.api('POST', `/api/v1/postmortems/${pm.id}/state`, { state: 'in_review' })).status).toBe(200);
    expect((await t.api('POST', `/api/v1/postmortems/${pm.id}/state`, { state: 'draft' })).status).toBe(200);
    await page.getByRole('button', { name: 'Discard' }).click();
    await page.reload();
    await page.getByTestId('postmortem-editor').waitFor();
    expect(await page.getByTestId('postmortem-state').textContent()).toBe('Draft');

    // Action items: one due in two days, one already overdue (the fake clock reads 2026-03-02 09:30 UTC).
    const add = page.getByTestId('add-action-item');
    await add.getByRole('button', { name: 'Add action item' }).click();
    await add.getByText('required').waitFor();
    await add.getByLabel('What needs doing').fill('Add a circuit breaker to payments');
    await choose(page, 'item-owner-select', 'Maya Okafor');
    await add.getByLabel('Due date').fill('2026-03-04');
    await add.getByRole('button', { name: 'Add action item' }).click();
    await page.getByTestId('action-item').filter({ hasText: 'Add a circuit breaker to payments' }).waitFor();
    await add.getByLabel('What needs doing').fill('Alert on connection pool saturation');
    await choose(page, 'item-owner-select', 'Maya Okafor');
    await add.getByLabel('Due date').fill('2026-03-01');
    await add.getByRole('button', { name: 'Add action item' }).click();
    const overdueItem = page.getByTestId('action-item').filter({ hasText: 'Alert on connection pool saturation' });
    await overdueItem.waitFor();
    expect(await overdueItem.getByTestId('item-due').getAttribute('data-overdue')).toBe('true');
    const breaker = page.getByTestId('action-item').filter({ hasText: 'Add a circuit breaker to payments' });
    expect(await breaker.getByTestId('item-due').getAttribute('data-overdue')).toBe('false');
    expect(await overdueItem.getAttribute('data-overdue')).toBe('true');
    expect(await breaker.getAttribute('data-overdue')).toBe('false');
    expect(await breaker.getByTestId('item-owner').textContent()).toBe('Maya Okafor');
    const items = (await t.api('GET', `/api/v1/postmortems/${pm.id}`)).body.postmortem.actionItems;
    expect(items.map((i: { title: string; ownerId: string }) => [i.title, i.ownerId])).toEqual([
      ['Add a circuit breaker to payments', maya],
      ['Alert on connection pool saturation', maya],
    ]);
    // Due 09:00 Berlin time on the chosen day.
    expect(items[0].dueAt).toBe(Date.parse('2026-03-04T08:00:00Z'));

    // Change an item: Sam takes it over.
    await overdueItem.getByTestId('item-edit').click();
    const edit = page.getByTestId('edit-action-item');
    expect(await edit.getByLabel('Due date').inputValue()).toBe('2026-03-01');
    await edit.getByTestId('item-owner-select').click();
    await page.getByRole('option', { name: 'Sam Lee', exact: true }).click();
    await edit.getByTestId('item-save').click();
    await edit.waitFor({ state: 'detached' });
    await expect.poll(() => overdueItem.getByTestId('item-owner').textContent(), WAIT).toBe('Sam Lee');
    expect((await t.api('GET', `/api/v1/postmortems/${pm.id}`)).body.postmortem.actionItems[1]).toMatchObject({
      title: 'Alert on connection pool saturation',
      ownerId: sam,
      dueAt: Date.parse('2026-03-01T08:00:00Z'),
    });

    // Hand one over to problem management: a bad link is refused in place, a good one is shown.
    await breaker.getByTestId('handover').click();
    const form = page.getByTestId('handover-form');
    await form.getByLabel('Tracker link (optional)').fill('ftp://tracker.example.com/PRB-1');
    await form.getByTestId('handover-submit').click();
    await form.getByText('must start with http:// or https://').waitFor();
    await form.getByLabel('Tracker link (optional)').fill('https://tracker.example.com/PRB-1');
    await form.getByTestId('handover-submit').click();
    await breaker.getByTestId('problem-record').waitFor();
    expect(await breaker.getByTestId('problem-link').getAttribute('href')).toBe('https://tracker.example.com/PRB-1');
    expect(await breaker.getByTestId('handover').count()).toBe(0);

    // The team's open action items: both, soonest due first, the overdue one highlighted; another team has none.
    await page.getByRole('link', { name: '← Postmortems' }).click();
    await page.getByTestId('postmortem-card').filter({ hasText: 'Checkout payments outage' }).waitFor();
    await page.getByRole('tab', { name: 'Open action items' }).click();
    await choose(page, 'action-items-team', 'SRE');
    await expect.poll(() => page.url(), WAIT).toContain(`team=${sre}`);
    const open = page.getByTestId('open-action-item');
    await expect.poll(() => open.count(), WAIT).toBe(2);
    expect(await open.nth(0).textContent()).toContain('Alert on connection pool saturation');
    expect(await open.nth(0).getAttribute('data-overdue')).toBe('true');
    expect(await open.nth(1).getAttribute('data-overdue')).toBe('false');
    expect(await open.nth(1).getByTestId('item-owner').textContent()).toBe('Maya Okafor');
    await page.getByTestId('overdue-count').getByText('1 overdue action item').waitFor();
    await page.goto(`${t.url}/postmortems/action-items?team=${web}`);
    await page.getByText('No open action items for this team.').waitFor();
    expect(await open.count()).toBe(0);

    // Done items leave the open list.
    await page.goto(`${t.url}/postmortems/action-items?team=${sre}`);
    await expect.poll(() => open.count(), WAIT).toBe(2);
    await open.nth(0).getByTestId('open-item-state').click();
    await page.getByRole('option', { name: 'Done', exact: true }).click();
    await expect.poll(() => open.count(), WAIT).toBe(1);
    expect(await open.nth(0).textContent()).toContain('Add a circuit breaker to payments');

    // Review: draft -> in review -> published; published is read-only.
    await open.nth(0).getByRole('link', { name: 'Checkout payments outage' }).click();
    await page.getByTestId('postmortem-editor').waitFor();
    await page.getByTestId('move-in_review').click();
    await expect.poll(() => page.getByTestId('postmortem-state').textContent(), WAIT).toBe('In review');
    await page.getByTestId('move-published').click();
    await expect.poll(() => page.getByTestId('postmortem-state').textContent(), WAIT).toBe('Published');
    await page.getByTestId('published-note').waitFor();
    expect(await page.getByTestId('edit-rootCause').count()).toBe(0);
    expect((await t.api('GET', `/api/v1/postmortems/${pm.id}`)).body.postmortem.state).toBe('published');

    // Export: the downloaded Markdown has the root cause and the action items.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-markdown').click()]);
    expect(download.suggestedFilename()).toBe(`postmortem-incident-${n}.md`);
    const md = readFileSync(await download.path(), 'utf8');
    expect(md).toContain('# Checkout payments outage');
    expect(md).toContain('_State: published_');
    expect(md).toContain(`## Root cause\n\n${rootCause}`);
    expect(md).toContain('- [ ] Add a circuit breaker to payments — Maya Okafor, due 2026-03-04 (open) [problem](https://tracker.example.com/PRB-1)');
    expect(md).toContain('- [x] Alert on connection pool saturation — Sam Lee, due 2026-03-01 (done)');

    // The incident page now opens the existing postmortem.
    await page.goto(`${t.url}/incidents/${n}`);
    await page.getByTestId('incident-postmortem').getByText('Published').waitFor();
    await page.getByTestId('postmortem-button').click();
    await expect.poll(() => page.url(), WAIT).toBe(`${t.url}/postmortems/${pm.id}`);
    await context.close();
  }, 120_000);

  it('on a phone: the button, the editor and the open items fit the screen; a stakeholder reads but cannot edit', async () => {
    const { t } = rig;
    const n = await resolvedIncident('Search index lagging');
    // A problem tracker configured on the server fills in the link of a hand-over.
    await t.k.ctx.db.kysely.insertInto('settings').values({ key: 'problem_tracker_url', value: 'https://tracker.example.com/new?title={title}' }).execute();
    const { context, page } = await pageAt(rig, 'phone');
    await signIn(page, t.url, 'maya@example.com');
    await page.goto(`${t.url}/incidents/${n}`);
    await page.getByTestId('postmortem-button').click();
    await page.getByTestId('postmortem-editor').waitFor();
    await page.getByTestId('preview-timeline').locator('table').waitFor();
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(await overflow()).toBeLessThanOrEqual(0);
    const add = page.getByTestId('add-action-item');
    await add.getByLabel('What needs doing').fill('Rebuild the index nightly');
    await add.getByRole('button', { name: 'Add action item' }).click();
    const item = page.getByTestId('action-item').filter({ hasText: 'Rebuild the index nightly' });
    await item.waitFor();
    await item.getByTestId('handover').click();
    await page.getByTestId('handover-submit').click();
    await item.getByTestId('problem-record').waitFor();
    expect(await item.getByTestId('problem-link').getAttribute('href')).toBe('https://tracker.example.com/new?title=Rebuild%20the%20index%20nightly');
    expect(await overflow()).toBeLessThanOrEqual(0);
    // People > Teams leads to a team's open action items.
    await page.goto(`${t.url}/people/teams`);
    await page.getByTestId('team-card').filter({ hasText: 'SRE' }).getByTestId('team-action-items').click();
    await expect.poll(() => page.url(), WAIT).toBe(`${t.url}/postmortems/action-items?team=${sre}`);
    await page.getByTestId('open-action-item').filter({ hasText: 'Rebuild the index nightly' }).waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await context.close();

    await addUser(t, { email: 'ola@example.com', name: 'Ola Stakeholder', role: 'stakeholder' });
    const ola = await pageAt(rig, 'phone');
    await signIn(ola.page, t.url, 'ola@example.com');
    await ola.page.goto(`${t.url}/incidents/${n}`);
    await ola.page.getByTestId('postmortem-button').click();
    await ola.page.getByTestId('postmortem-editor').waitFor();
    await ola.page.getByTestId('preview-summary').waitFor();
    expect(await ola.page.getByTestId('edit-summary').count()).toBe(0);
    expect(await ola.page.getByTestId('add-action-item').count()).toBe(0);
    expect(await ola.page.getByTestId('move-in_review').count()).toBe(0);
    await ola.page.getByTestId('export-markdown').waitFor();
    await ola.context.close();
  }, 120_000);

  it.skipIf(!SCREENSHOTS)(
    'screenshots at phone and desktop widths',
    async () => {
      const { t } = rig;
      mkdirSync(OUT, { recursive: true });
      const n = await resolvedIncident('Checkout latency above 2 s');
      const inc = (await t.api('GET', `/api/v1/incidents/${n}`)).body.incident;
      await t.api('POST', `/api/v1/incidents/${n}/postmortem`);
      await t.api('PATCH', `/api/v1/postmortems/${inc.id}`, {
        sections: {
          rootCause:
            'A config change lowered the **payments connection pool** from 50 to 10. Under the Monday peak every request waited for a connection.\n\n- The change was reviewed, but the pool size was not in the diff summary.\n- No alert watched pool saturation.',
          wentWell: '- Paged within a minute; acknowledged in 4 min.\n- Rollback was one click.',
          wentBadly: '- 26 min to find the config change.',
        },
      });
      const pmId = (await t.api('GET', `/api/v1/postmortems/${inc.id}`)).body.postmortem.id;
      await t.api('POST', `/api/v1/postmortems/${pmId}/action-items`, { title: 'Alert on connection pool saturation', ownerId: maya, dueAt: '2026-03-01T09:00:00Z' });
      await t.api('POST', `/api/v1/postmortems/${pmId}/action-items`, { title: 'Show pool sizes in the config diff', ownerId: maya, dueAt: '2026-03-09T09:00:00Z' });
      await t.api('POST', `/api/v1/postmortems/${pmId}/state`, { state: 'in_review' });
      for (const [size, viewport] of [
        ['phone', { width: 390, height: 844 }],
        ['desktop', { width: 1280, height: 800 }],
      ] as const) {
        const { context, page } = await pageAt(rig, size, viewport);
        const shot = async (name: string) => {
          await page.waitForTimeout(400);
          await page.screenshot({ path: `${OUT}${name}-${size}.png` });
        };
        await signIn(page, t.url, 'maya@example.com');
        await page.goto(`${t.url}/incidents/${n}`);
        await page.getByTestId('postmortem-button').waitFor();
        await shot('incident-postmortem-button');
        await page.goto(`${t.url}/postmortems/${pmId}`);
        await page.getByTestId('preview-timeline').locator('table').waitFor();
        await shot('postmortem-editor');
        await page.getByTestId('section-rootCause').scrollIntoViewIfNeeded();
        await page.getByTestId('edit-rootCause').click();
        await shot('postmortem-edit-markdown');
        await page.getByTestId('action-items').scrollIntoViewIfNeeded();
        await shot('postmortem-action-items');
        await page.goto(`${t.url}/postmortems`);
        await page.getByTestId('postmortem-card').first().waitFor();
        await shot('postmortems');
        await page.goto(`${t.url}/postmortems/action-items?team=${sre}`);
        await page.getByTestId('open-action-item').first().waitFor();
        await shot('postmortem-open-action-items');
        await context.close();
      }
    },
    120_000,
  );
});
