/**
 * Browser tests: the real Klaxon (test harness: real HTTP server, database, engine, fake clock, real
 * SMTP) serving the built web app, driven by Debian's Chromium through playwright-core.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { startTestKlaxon, type TestKlaxon } from '../harness.js';

export const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** True when Debian's Chromium is installed; suites use `describe.skipIf(!HAVE_CHROMIUM)`. */
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) console.warn(`Browser tests SKIPPED: ${CHROMIUM} is missing (apt-get install chromium; .ci/run installs it)`);

const WEB = fileURLToPath(new URL('../../../web/', import.meta.url));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    newest = Math.max(newest, s.isDirectory() ? newestMtime(p) : s.mtimeMs);
  }
  return newest;
}

let built = false;

/**
 * Builds apps/web (vite build) unless apps/web/dist is newer than its sources. Several test runs may
 * share one checkout: the build goes to a private directory and replaces dist by rename, under a
 * lock directory, so a running test never sees a half-written dist.
 */
export function ensureWebBuilt(): void {
  if (built) return;
  const dist = join(WEB, 'dist');
  const index = join(dist, 'index.html');
  const lock = join(WEB, '.dist-build.lock');
  const stale = () => {
    const sources = Math.max(newestMtime(join(WEB, 'src')), newestMtime(join(WEB, 'public')), statSync(join(WEB, 'index.html')).mtimeMs, statSync(join(WEB, 'vite.config.ts')).mtimeMs);
    return !existsSync(index) || statSync(index).mtimeMs < sources;
  };
  if (stale()) {
    const deadline = Date.now() + 300_000;
    for (;;) {
      try {
        mkdirSync(lock);
        break;
      } catch {
        // Another run builds; a lock older than 5 minutes is left over from a killed run.
        try {
          if (Date.now() - statSync(lock).mtimeMs > 300_000) rmSync(lock, { recursive: true, force: true });
        } catch {
          /* gone meanwhile */
        }
        if (Date.now() > deadline) throw new Error(`Waiting for ${lock} timed out`);
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
      }
    }
    try {
      if (stale()) {
        const out = join(WEB, `.dist-${process.pid}`);
        const r = spawnSync('npx', ['vite', 'build', '--logLevel', 'error', '--outDir', out, '--emptyOutDir'], { cwd: WEB, encoding: 'utf8', env: { ...process.env, NODE_ENV: 'production' } });
        if (r.status !== 0) throw new Error(`Building the web app failed:\n${r.stdout}\n${r.stderr}`);
        const old = join(WEB, `.dist-old-${process.pid}`);
        if (existsSync(dist)) renameSync(dist, old);
        renameSync(out, dist);
        rmSync(old, { recursive: true, force: true });
      }
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  built = true;
}

/** Launches Chromium headless. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

/** A running Klaxon serving the web app, and a browser. */
export interface WebRig {
  t: TestKlaxon;
  browser: Browser;
  stop(): Promise<void>;
}

/** Builds the web app if needed, starts Klaxon (SQLite) and Chromium. */
export async function startRig(over: Parameters<typeof startTestKlaxon>[1] = {}): Promise<WebRig> {
  ensureWebBuilt();
  const [t, browser] = await Promise.all([startTestKlaxon('sqlite', over), launchBrowser()]);
  const home = await fetch(`${t.url}/incidents`);
  const html = await home.text();
  if (!html.includes('<div id="root">')) {
    await Promise.all([t.stop(), browser.close()]);
    throw new Error(`Klaxon does not serve the web app at / (GET /incidents -> ${home.status}); it must serve apps/web/dist with SPA fallback`);
  }
  return {
    t,
    browser,
    async stop() {
      await browser.close().catch(() => undefined);
      await t.stop();
    },
  };
}

/** Creates a user with a password through the API; returns its id. */
export async function addUser(t: TestKlaxon, o: { email: string; name: string; password?: string; role?: string; timeZone?: string }): Promise<string> {
  const r = await t.api('POST', '/api/v1/users', { email: o.email, name: o.name, role: o.role ?? 'admin', timeZone: o.timeZone ?? 'Europe/Berlin', password: o.password ?? 'correct horse battery' });
  if (r.status !== 201) throw new Error(`create user: ${JSON.stringify(r.body)}`);
  return r.body.user.id as string;
}

/** A new browser context (its own cookies) and page, with the viewport of a phone or a desktop. */
export async function newPage(browser: Browser, size: 'phone' | 'desktop' = 'desktop', colorScheme: 'dark' | 'light' = 'dark'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: size === 'phone' ? { width: 390, height: 844 } : { width: 1440, height: 900 },
    deviceScaleFactor: size === 'phone' ? 2 : 1,
    isMobile: size === 'phone',
    hasTouch: size === 'phone',
    colorScheme,
    timezoneId: 'Europe/Berlin',
    locale: 'en-GB',
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  return { context, page };
}

/** Signs in through the sign-in screen and waits for the incident list. */
export async function signIn(page: Page, url: string, email: string, password = 'correct horse battery'): Promise<void> {
  await page.goto(`${url}/`);
  await page.locator('input[name=email]').fill(email);
  await page.locator('input[name=password]').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Incidents' }).waitFor();
}

/** Waits until the page's live socket is open. */
export async function waitLive(page: Page): Promise<void> {
  await expect.poll(() => page.getByTestId('live-status').getAttribute('data-status'), { timeout: 10_000 }).toBe('open');
}

/** A service with an escalation policy and a PagerDuty integration; returns the routing key. */
export async function addPagedService(t: TestKlaxon, o: { name: string; userIds: string[]; delayMinutes?: number }): Promise<{ serviceId: string; policyId: string; routingKey: string }> {
  const p = await t.api('POST', '/api/v1/escalation-policies', { name: `${o.name} policy`, levels: [{ delayMinutes: o.delayMinutes ?? 5, targets: o.userIds.map((id) => ({ type: 'user', id })) }] });
  const s = await t.api('POST', '/api/v1/services', { name: o.name, escalationPolicyId: p.body.escalationPolicy.id });
  const i = await t.api('POST', `/api/v1/services/${s.body.service.id}/integrations`, { name: 'pagerduty', kind: 'pagerduty' });
  return { serviceId: s.body.service.id, policyId: p.body.escalationPolicy.id, routingKey: i.body.integration.key };
}

/** Posts a PagerDuty v2 trigger to /v2/enqueue. */
export async function trigger(t: TestKlaxon, routingKey: string, summary: string, o: { dedupKey?: string; severity?: string; source?: string } = {}): Promise<string> {
  const res = await fetch(`${t.url}/v2/enqueue`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      routing_key: routingKey,
      event_action: 'trigger',
      ...(o.dedupKey && { dedup_key: o.dedupKey }),
      payload: { summary, source: o.source ?? 'db-1.prod', severity: o.severity ?? 'critical' },
    }),
  });
  const body = (await res.json()) as { dedup_key: string };
  if (res.status !== 202) throw new Error(`enqueue: ${res.status} ${JSON.stringify(body)}`);
  return body.dedup_key;
}
