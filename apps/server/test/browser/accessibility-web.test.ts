/**
 * Fast and accessible (issue 20): axe-core finds no serious or critical violation on any main screen,
 * at 390 px and 1280 px, in the light and the dark theme; every screen has exactly one h1 and a skip
 * link to the main content; ordinary use logs no console error.
 *
 * axe-core is evaluated in the page through the DevTools protocol (page.evaluate), which the strict
 * CSP (scripts only from self) does not apply to; a <script> tag with inline content would be blocked.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Size } from './sized.js';
import { addPagedService, addUser, HAVE_CHROMIUM, signIn, startRig, trigger, waitLive, type WebRig } from './support.js';
import { must } from '../../src/lib/must.js';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** Runs axe-core on the page as it is; returns the serious and critical violations. */
export async function seriousViolations(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE);
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<{ violations: Violation[] }> } }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Waits until no loader spins (the screen's queries have answered). */
async function settled(page: Page): Promise<void> {
  await expect.poll(() => page.locator('.mantine-Loader-root').count(), { timeout: 10_000 }).toBe(0);
}

const describeV = (vs: Violation[]) =>
  vs
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help}\n${v.nodes
          .slice(0, 5)
          .map((n) => `   ${n.target.join(' ')} — ${(n.failureSummary ?? '').split('\n').slice(1, 2).join('')}`)
          .join('\n')}${v.nodes.length > 5 ? `\n   … ${v.nodes.length - 5} more` : ''}`,
    )
    .join('\n');

describe.skipIf(!HAVE_CHROMIUM)('web: accessible on every main screen', () => {
  let rig: WebRig;
  let screens: { name: string; path: string; ready: (page: Page) => Promise<void> }[] = [];

  beforeAll(async () => {
    rig = await startRig();
    const t = rig.t;
    const maya = await addUser(t, { email: 'maya@example.com', name: 'Maya Okafor', role: 'admin' });
    const { routingKey, serviceId, policyId } = await addPagedService(t, { name: 'checkout-api', userIds: [maya] });
    await trigger(t, routingKey, 'Checkout error rate above 5%', { dedupKey: 'a', severity: 'critical' });
    await trigger(t, routingKey, 'Disk almost full on db-2', { dedupKey: 'b', severity: 'warning' });
    await trigger(t, routingKey, 'Latency p99 above 2s', { dedupKey: 'c', severity: 'error' });
    await t.cycle();
    const incidents = (await t.api('GET', '/api/v1/incidents?limit=10')).body.incidents as { id: string; number: number }[];
    const resolved = must(incidents[2], 'incidents[2]');
    const declared = await t.api('POST', '/api/v1/major-incidents', { incident: String(must(incidents[0], 'incidents[0]').number), sev: 'SEV1' });
    expect(declared.status).toBe(201);
    await t.api('POST', `/api/v1/incidents/${resolved.id}/resolve`, {});
    const sched = await t.api('POST', '/api/v1/schedules', {
      name: 'Primary on call',
      timeZone: 'Europe/Berlin',
      layers: [{ name: 'Weekly', start: '2026-01-05T09:00:00Z', rotation: { type: 'weekly' }, users: [maya] }],
    });
    const scheduleId = sched.body?.schedule?.id as string | undefined;
    await t.cycle();
    const heading = (name: string) => async (page: Page) => {
      await page.getByRole('heading', { level: 1, name }).first().waitFor();
      await settled(page);
    };
    screens = [
      {
        name: 'incident list',
        path: '/incidents',
        ready: async (page) => {
          await page.locator('[data-testid=incident-row]').first().waitFor();
          await waitLive(page);
        },
      },
      {
        name: 'incident',
        path: `/incidents/${must(incidents[0], 'incidents[0]').number}`,
        ready: async (page) => {
          await page.getByTestId('incident-page').waitFor();
          await waitLive(page);
        },
      },
      {
        name: 'resolved incident',
        path: `/incidents/${resolved.number}`,
        ready: async (page) => {
          await page.getByTestId('incident-page').waitFor();
          await waitLive(page);
        },
      },
      {
        name: 'war room',
        path: `/incidents/${must(incidents[0], 'incidents[0]').number}/war-room`,
        ready: async (page) => {
          await page.getByTestId('chat-stream').waitFor();
          await waitLive(page);
        },
      },
      { name: 'services', path: '/services', ready: heading('Services') },
      { name: 'service', path: `/services/${serviceId}`, ready: heading('checkout-api') },
      { name: 'escalation policies', path: '/escalation-policies', ready: heading('Escalation policies') },
      {
        name: 'escalation policy',
        path: `/escalation-policies/${policyId}`,
        ready: async (page) => {
          await page.locator('h1').first().waitFor({ timeout: 10_000 });
          await settled(page);
        },
      },
      { name: 'schedules', path: '/schedules', ready: heading('Schedules') },
      ...(scheduleId ? [{ name: 'schedule', path: `/schedules/${scheduleId}`, ready: heading('Primary on call') }] : []),
      {
        name: 'status',
        path: '/internal-status',
        ready: async (page) => {
          await page.locator('h1').first().waitFor({ timeout: 10_000 });
          await settled(page);
        },
      },
      {
        name: 'reports',
        path: '/reports',
        ready: async (page) => {
          await page.locator('h1').first().waitFor({ timeout: 10_000 });
          await settled(page);
        },
      },
      {
        name: 'postmortems',
        path: '/postmortems',
        ready: async (page) => {
          await page.locator('h1').first().waitFor({ timeout: 10_000 });
          await settled(page);
        },
      },
      {
        name: 'my profile',
        path: '/people/me',
        ready: async (page) => {
          await page.locator('h1').first().waitFor({ timeout: 10_000 });
          await settled(page);
        },
      },
      {
        name: 'users',
        path: '/people/users',
        ready: async (page) => {
          await page.locator('h1').first().waitFor({ timeout: 10_000 });
          await settled(page);
        },
      },
      {
        name: 'teams',
        path: '/people/teams',
        ready: async (page) => {
          await page.locator('h1').first().waitFor({ timeout: 10_000 });
          await settled(page);
        },
      },
      {
        name: 'setup checklist',
        path: '/setup',
        ready: async (page) => {
          await page.locator('h1').first().waitFor({ timeout: 10_000 });
          await settled(page);
        },
      },
      {
        name: 'admin',
        path: '/admin',
        ready: async (page) => {
          await page.locator('h1').first().waitFor({ timeout: 10_000 });
          await settled(page);
        },
      },
      {
        name: 'status pages admin',
        path: '/status-admin',
        ready: async (page) => {
          await page.locator('h1').first().waitFor({ timeout: 10_000 });
          await settled(page);
        },
      },
    ];
  }, 120_000);
  afterAll(async () => rig?.stop());

  for (const size of ['phone', 'desktop'] as Size[]) {
    for (const scheme of ['light', 'dark'] as const) {
      it(`${size}, ${scheme}: no serious or critical axe violation, one h1, a skip link, no console error`, async () => {
        const context = await rig.browser.newContext({
          viewport: size === 'phone' ? { width: 390, height: 844 } : { width: 1280, height: 800 },
          deviceScaleFactor: size === 'phone' ? 2 : 1,
          isMobile: size === 'phone',
          hasTouch: size === 'phone',
          colorScheme: scheme,
          timezoneId: 'Europe/Berlin',
          locale: 'en-GB',
        });
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error') errors.push(`${page.url()}: ${m.text()} ${m.location().url ?? ''}`);
        });
        page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
        const problems: string[] = [];
        const check = async (name: string) => {
          const vs = await seriousViolations(page);
          if (vs.length) problems.push(`${name}:\n${describeV(vs)}`);
          const h1 = await page.locator('h1').count();
          if (h1 !== 1) problems.push(`${name}: ${h1} h1 elements`);
          const skip = page.locator('a[href="#main"]').first();
          if ((await skip.count()) === 0 || (await page.locator('#main').count()) !== 1) problems.push(`${name}: no skip link to #main`);
        };

        // Signed out: the sign-in screen.
        await page.goto(`${rig.t.url}/`);
        await page.locator('input[name=email]').waitFor();
        await check('sign-in');
        rig.t.clock.advance(60_000);
        await signIn(page, rig.t.url, 'maya@example.com');
        for (const s of screens) {
          await page.goto(`${rig.t.url}${s.path}`);
          try {
            await s.ready(page);
          } catch (e) {
            problems.push(`${s.name}: did not load: ${(e as Error).message.split('\n')[0]}`);
          }
          await check(s.name);
          if (s.name === 'war room') {
            // The chat stream scrolls on its own: it takes keyboard focus, so arrow keys scroll it.
            await page.getByTestId('chat-stream').focus();
            const focused = await page.evaluate(() => document.activeElement?.getAttribute('data-testid'));
            if (focused !== 'chat-stream') problems.push(`war room: the chat stream does not take focus (${focused})`);
          }
        }
        await context.close();
        expect([...problems, ...errors.map((e) => `console error: ${e}`)].join('\n\n')).toBe('');
      }, 180_000);
    }
  }
});
