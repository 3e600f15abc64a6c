/**
 * Hazards first (issue 20): the web app at 3 a.m. on a phone. Nothing moves under a finger, resolve
 * can be undone, a resolved incident can be reopened, declaring major says who will be paged, a
 * new service is asked who it pages. Each at 390 px (phone, touch) and 1280 px (desktop).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestKlaxon } from '../harness.js';
import { sizedPage, type Size } from './sized.js';
import { addPagedService, addUser, HAVE_CHROMIUM, signIn, startRig, trigger, waitLive, type WebRig } from './support.js';
import { must } from '../../src/lib/must.js';

const SIZES: Size[] = ['phone', 'desktop'];

/** A tap on a phone, a click on a desktop, at a point of the page. */
async function tapAt(page: Page, size: Size, x: number, y: number): Promise<void> {
  if (size === 'phone') await page.touchscreen.tap(x, y);
  else await page.mouse.click(x, y);
}

const incident = async (t: TestKlaxon, n: number) => (await t.api('GET', `/api/v1/incidents/${n}`)).body.incident as { id: string; status: string; major: boolean; sev: string | null };
const timelineTypes = async (t: TestKlaxon, n: number) => ((await t.api('GET', `/api/v1/incidents/${n}/timeline`)).body.timeline as { type: string }[]).map((e) => e.type);

describe.skipIf(!HAVE_CHROMIUM)('web: hazards first', () => {
  let rig: WebRig;
  let routingKey: string;
  let maya: string;
  let carol: string;
  let count = 0;
  /** Triggers a fresh incident and returns its number. */
  const fresh = async (summary: string) => {
    await trigger(rig.t, routingKey, summary, { dedupKey: `k-${++count}` });
    await rig.t.cycle();
    return (await rig.t.api('GET', '/api/v1/incidents?limit=1')).body.incidents[0].number as number;
  };
  /** Signs in; first moves the fake clock a minute, as sign-ins per person are limited to 10 a minute. */
  const login = async (page: Page, email: string) => {
    rig.t.clock.advance(60_000);
    await signIn(page, rig.t.url, email);
  };
  const open = async (page: Page, n: number) => {
    await page.goto(`${rig.t.url}/incidents/${n}`);
    await page.getByTestId('incident-page').waitFor();
    await waitLive(page);
  };

  beforeAll(async () => {
    rig = await startRig();
    maya = await addUser(rig.t, { email: 'maya@example.com', name: 'Maya Okafor', role: 'responder' });
    carol = await addUser(rig.t, { email: 'carol@example.com', name: 'Carol Diaz', role: 'responder' });
    ({ routingKey } = await addPagedService(rig.t, { name: 'checkout-api', userIds: [maya] }));
    // Declaring SEV1 pages Carol (the SEV1 policy); with no IM schedule the declarer is IM.
    const sev1 = await rig.t.api('POST', '/api/v1/escalation-policies', { name: 'SEV1 responders', levels: [{ delayMinutes: 5, targets: [{ type: 'user', id: carol }] }] });
    await rig.t.api('PATCH', '/api/v1/war-room/settings', { sevPolicies: { SEV1: sev1.body.escalationPolicy.id } });
  }, 120_000);
  afterAll(async () => rig?.stop());

  it('desktop: the r key resolves with the same Undo, on the incident page and in the list', async () => {
    const onPage = await fresh('Keyboard resolve on the page');
    const { context, page } = await sizedPage(rig.browser, 'desktop');
    await login(page, 'maya@example.com');
    await open(page, onPage);
    await page.locator('body').press('r');
    await expect.poll(async () => (await incident(rig.t, onPage)).status).toBe('resolved');
    await page
      .getByTestId('resolved-toast')
      .filter({ hasText: `#${onPage} resolved` })
      .getByTestId('undo-resolve')
      .click();
    await expect.poll(async () => (await incident(rig.t, onPage)).status, { timeout: 10_000 }).toBe('acknowledged');

    const inList = await fresh('Keyboard resolve in the list');
    await page.goto(`${rig.t.url}/incidents`);
    await page.locator(`[data-testid=incident-row][data-number="${inList}"]`).waitFor();
    // j selects the newest incident, r resolves it.
    await page.locator('body').press('j');
    await expect.poll(() => page.locator(`[data-testid=incident-row][data-number="${inList}"]`).getAttribute('data-selected')).toBe('true');
    await page.locator('body').press('r');
    await expect.poll(async () => (await incident(rig.t, inList)).status).toBe('resolved');
    await page
      .getByTestId('resolved-toast')
      .filter({ hasText: `#${inList} resolved` })
      .getByTestId('undo-resolve')
      .click();
    await expect.poll(async () => (await incident(rig.t, inList)).status, { timeout: 10_000 }).toBe('acknowledged');
    await context.close();
  });

  for (const size of SIZES) {
    it(`${size}: two taps at the same point 350 ms apart on Acknowledge leave the incident acknowledged`, async () => {
      const n = await fresh(`Double tap ${size}`);
      const { context, page } = await sizedPage(rig.browser, size);
      await login(page, 'maya@example.com');
      await open(page, n);
      const ack = page.getByTestId('ack-button');
      const resolveBefore = must(await page.getByTestId('resolve-button').boundingBox(), 'the resolve-button box');
      const box = must(await ack.boundingBox(), 'the ack box');
      const x = box.x + box.width / 2;
      const y = box.y + box.height / 2;
      await tapAt(page, size, x, y);
      await page.waitForTimeout(350);
      await tapAt(page, size, x, y);
      await expect.poll(async () => (await incident(rig.t, n)).status, { timeout: 10_000 }).toBe('acknowledged');
      await expect.poll(() => ack.getAttribute('data-state')).toBe('acknowledged');
      // Under the finger now: the same, disabled, Acknowledged button; Resolve has not moved.
      const under = await page.evaluate(({ px, py }) => document.elementFromPoint(px, py)?.closest('[data-testid]')?.getAttribute('data-testid'), { px: x, py: y });
      expect(under).toBe('ack-button');
      expect(await ack.isDisabled()).toBe(true);
      expect(await page.getByTestId('resolve-button').boundingBox()).toEqual(resolveBefore);
      // The page has settled: still acknowledged, never resolved.
      await page.waitForTimeout(500);
      expect((await incident(rig.t, n)).status).toBe('acknowledged');
      expect(await timelineTypes(rig.t, n)).not.toContain('incident.resolved');
      await context.close();
    });

    it(`${size}: Resolve offers Undo, which reopens the incident`, async () => {
      const n = await fresh(`Undo ${size}`);
      const { context, page } = await sizedPage(rig.browser, size);
      await login(page, 'maya@example.com');
      await open(page, n);
      await page.getByTestId('resolve-button').click();
      await expect.poll(async () => (await incident(rig.t, n)).status).toBe('resolved');
      await page.getByTestId('resolved-toast').waitFor();
      await page.getByTestId('undo-resolve').click();
      await expect.poll(async () => (await incident(rig.t, n)).status, { timeout: 10_000 }).toBe('acknowledged');
      await expect.poll(() => page.getByTestId('incident-page').getAttribute('data-status')).toBe('acknowledged');
      await page.getByTestId('timeline').locator('[data-type="incident.reopened"]').waitFor();
      await context.close();
    });

    it(`${size}: a resolved incident can be reopened, paging again from level 1 when asked`, async () => {
      const n = await fresh(`Reopen ${size}`);
      await rig.t.api('POST', `/api/v1/incidents/${n}/resolve`);
      const { context, page } = await sizedPage(rig.browser, size);
      await login(page, 'maya@example.com');
      await open(page, n);
      expect(await page.getByTestId('resolve-button').isDisabled()).toBe(true);
      await page.getByTestId('reopen-button').click();
      await page.getByTestId('reopen-page').click();
      await page.getByTestId('reopen-confirm').click();
      await expect.poll(async () => (await incident(rig.t, n)).status, { timeout: 10_000 }).toBe('triggered');
      await expect.poll(() => page.getByTestId('incident-page').getAttribute('data-status')).toBe('triggered');
      const e = must(
        ((await rig.t.api('GET', `/api/v1/incidents/${n}/timeline`)).body.timeline as { type: string; message: string }[]).find((x) => x.type === 'incident.reopened'),
        "api().body.timeline entry where x.type === 'incident.reopened'",
      );
      expect(e.message).toBe('Reopened by Maya Okafor via web: paging again from level 1');
      await page.getByTestId('timeline').locator('[data-type="incident.reopened"]').waitFor();
      await context.close();
    });

    it(`${size}: Declare major is away from the action bar and its confirmation names who will be paged`, async () => {
      const n = await fresh(`Declare ${size}`);
      const { context, page } = await sizedPage(rig.browser, size);
      await login(page, 'maya@example.com');
      await open(page, n);
      const declare = page.getByTestId('declare-major');
      expect(await page.getByTestId('action-bar').getByTestId('declare-major').count()).toBe(0);
      // Below the incident's facts, nowhere near Acknowledge.
      const ackBox = must(await page.getByTestId('ack-button').boundingBox(), 'the ack-button box');
      await declare.scrollIntoViewIfNeeded();
      const d = must(await declare.boundingBox(), 'the declare box');
      const a = must(await page.getByTestId('ack-button').boundingBox(), 'the ack-button box');
      expect(d.y >= a.y + a.height || d.y + d.height <= a.y).toBe(true);
      expect(ackBox.height).toBeGreaterThan(0);

      await declare.click();
      await expect.poll(() => page.getByTestId('declare-paged').textContent(), { timeout: 10_000 }).toBe('Pages now: Carol Diaz');
      expect(await page.getByTestId('declare-im').textContent()).toBe('Incident manager: Maya Okafor (the declarer)');
      expect(await page.getByTestId('declare-confirm').textContent()).toBe('Declare and page 1');
      await page.getByTestId('declare-cancel').click();
      expect((await incident(rig.t, n)).major).toBe(false);

      // Choosing a major level in the severity picker asks the same question instead of declaring.
      await page.getByTestId('severity-select').click();
      await page.getByRole('option', { name: /^SEV1/ }).click();
      await expect.poll(() => page.getByTestId('declare-paged').textContent(), { timeout: 10_000 }).toBe('Pages now: Carol Diaz');
      expect((await incident(rig.t, n)).major).toBe(false);
      await page.getByTestId('declare-confirm').click();
      await expect.poll(async () => (await incident(rig.t, n)).major, { timeout: 10_000 }).toBe(true);
      expect((await incident(rig.t, n)).sev).toBe('SEV1');
      const paged = must(
        ((await rig.t.api('GET', `/api/v1/incidents/${n}/timeline`)).body.timeline as { type: string; data: { paged?: { userId: string }[] } }[]).find((e) => e.type === 'page.manual'),
        "api().body.timeline entry where e.type === 'page.manual'",
      );
      expect(must(paged.data.paged, 'paged.data.paged').map((p) => p.userId)).toEqual([carol]);
      await context.close();
    });

    it(`${size}: the declare confirmation arms its button a moment after opening, so a double tap cannot confirm`, async () => {
      const n = await fresh(`Arming ${size}`);
      const { context, page } = await sizedPage(rig.browser, size);
      await login(page, 'maya@example.com');
      await open(page, n);
      // Time from the click on "Declare major…" until the confirm button is first enabled.
      await page.evaluate(() => {
        const w = window as unknown as { armedAfter: number | null };
        w.armedAfter = null;
        let clicked: number | null = null;
        document.addEventListener(
          'click',
          (e) => {
            if ((e.target as Element).closest('[data-testid="declare-major"]')) clicked ??= performance.now();
          },
          true,
        );
        const look = () => {
          const b = document.querySelector<HTMLButtonElement>('[data-testid="declare-confirm"]');
          if (b && clicked !== null && !b.disabled && w.armedAfter === null) w.armedAfter = performance.now() - clicked;
        };
        new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true });
      });
      await page.getByTestId('declare-major').click();
      await expect.poll(() => page.getByTestId('declare-paged').textContent(), { timeout: 10_000 }).toBe('Pages now: Carol Diaz');
      await expect.poll(() => page.getByTestId('declare-confirm').isDisabled()).toBe(false);
      const armedAfter = await page.evaluate(() => (window as unknown as { armedAfter: number | null }).armedAfter);
      // Without the arming delay it is enabled as soon as the preview arrives (tens of ms here).
      expect(armedAfter).toBeGreaterThanOrEqual(790);
      expect((await incident(rig.t, n)).major).toBe(false);
      await context.close();
    });

    it(`${size}: a new rotation starts in the current week, so someone is on call as soon as it is saved`, async () => {
      const { context, page } = await sizedPage(rig.browser, size);
      // The browser's clock is the server's (Monday 2 March 2026, 10:00 in Berlin).
      await context.clock.setFixedTime(new Date(rig.t.clock.now()));
      await addUser(rig.t, { email: `rota-${size}@example.com`, name: `Rota ${size}`, role: 'admin' });
      await login(page, `rota-${size}@example.com`);
      await page.goto(`${rig.t.url}/schedules/new`);
      await page.getByTestId('schedule-name').fill(`Rotation ${size}`);
      expect(await page.getByTestId('layer-0-start').inputValue()).toBe('2026-03-02T09:00');
      await page.getByTestId('layer-0-add-participant').click();
      await page.getByRole('option', { name: /Carol Diaz/ }).click();
      await page.getByTestId('schedule-save').click();
      await page.getByTestId('timeline-final').waitFor();
      expect(await page.getByTestId('oncall-now').textContent()).toContain('Carol Diaz');
      await context.close();
    });

    it(`${size}: creating a service asks who it pages, and makes a policy from the creator's team`, async () => {
      const email = `ada-${size}@example.com`;
      const ada = await addUser(rig.t, { email, name: `Ada ${size}`, role: 'admin' });
      const { context, page } = await sizedPage(rig.browser, size);
      await login(page, email);
      await page.goto(`${rig.t.url}/services`);

      // Ada is in no team yet: nothing is chosen for her, and the form will not go without a choice.
      await page.getByRole('button', { name: 'New service' }).click();
      await page.locator('input[name=name]').fill(`search-${size}`);
      await page.getByTestId('create-service').click();
      await page.getByText('Choose who this service pages').waitFor();
      expect(((await rig.t.api('GET', '/api/v1/services')).body.services as { name: string }[]).some((s) => s.name === `search-${size}`)).toBe(false);
      await page.keyboard.press('Escape');
      await context.close();

      const team = await rig.t.api('POST', '/api/v1/teams', { name: `Storage ${size}`, members: [{ userId: ada }, { userId: maya }] });
      expect(team.status).toBe(201);
      const second = await sizedPage(rig.browser, size);
      await login(second.page, email);
      await second.page.goto(`${rig.t.url}/services`);
      await second.page.getByRole('button', { name: 'New service' }).click();
      await second.page.locator('input[name=name]').fill(`storage-${size}`);
      // Her team is chosen by default.
      expect(await second.page.getByTestId('service-pages').inputValue()).toContain(`Everyone in team Storage ${size}`);
      await second.page.getByTestId('create-service').click();
      await second.page.waitForURL(/\/services\/[^/]+\?new=1/);
      const svc = must(
        ((await rig.t.api('GET', '/api/v1/services')).body.services as { name: string; escalationPolicyId: string | null; teamId: string | null }[]).find((s) => s.name === `storage-${size}`),
        'api().body.services entry where s.name === `storage-${size}`',
      );
      expect(svc.teamId).toBe(team.body.team.id);
      const policy = (await rig.t.api('GET', `/api/v1/escalation-policies/${svc.escalationPolicyId}`)).body.escalationPolicy;
      expect(policy.name).toBe(`storage-${size} on call`);
      expect(policy.levels).toEqual([{ delayMinutes: 10, targets: [{ type: 'team', id: team.body.team.id }] }]);
      await second.context.close();
    });
  }
});
