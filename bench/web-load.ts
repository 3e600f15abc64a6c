/**
 * The web app's cold load on a phone-class CPU (issue 20): Debian's Chromium through playwright-core
 * loads the incident list of a signed-in responder with an empty cache, CPU throttled ×4 (Chromium's
 * Emulation.setCPUThrottlingRate). Prints the bytes transferred (against the same load with
 * compression refused, Accept-Encoding: identity) and the time from navigation start until the list
 * shows its newest incident (against the same load unthrottled), the median of BENCH_WEB_RUNS (5).
 * "Interactive" (the goal's figure) comes after that: the list shown, then a tap on its Select button
 * (Playwright's click: scrolled into view, stable, hit-tested, a real input event) answered — the
 * button reads "Done" — timed from navigation start the same way.
 *
 *   node --import tsx bench/web-load.ts          (from the repository root)
 *
 * With BENCH_WEB_BASELINE=<dir of another build> (e.g. one made from an earlier commit with
 * `npx vite build --outDir /tmp/dist-base` in apps/web) a second server serves that build and the two
 * builds' throttled cold loads alternate, run by run, so a change is measured against what it
 * replaces under the same load on the machine.
 *
 * Goals: under 250 KB transferred, the list interactive in under 1 s throttled ×4. Writes bench/results/web-load.json
 * (web-load-compare.json with BENCH_WEB_BASELINE), with the machine's load average.
 */
import { cpus, loadavg } from 'node:os';
import type { Browser, Locator, Page } from 'playwright-core';
import { ensureWebBuilt, HAVE_CHROMIUM, launchBrowser } from '../apps/server/test/browser/support.js';
import { startTestKlaxon, type TestKlaxon } from '../apps/server/test/harness.js';
import { must } from '../apps/server/src/lib/must.js';
import { report } from './lib.js';

const RUNS = Number(process.env.BENCH_WEB_RUNS ?? 5);

const median = (xs: number[]) => must([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)], 'a run');

/** The list's cold load: shown when its newest incident is; interactive when a tap on Select is answered. */
function coldLoad(browser: Browser, url: string, cookie: { name: string; value: string }, o: { throttle: number; identity: boolean }): Promise<Load> {
  return coldLoadPage(browser, url, cookie, {
    ...o,
    path: '/incidents?view=all', // a responder lands on Mine; the bench loads everyone's
    shown: (page) => page.getByText('Disk almost full on db-49', { exact: false }).first(),
    // Interactive: a tap on one of the list's controls is answered (Select mode toggles; nothing changes on the server).
    interact: async (page) => {
      await page.getByTestId('select-mode').click();
      await page.getByTestId('select-mode').filter({ hasText: 'Done' }).waitFor({ timeout: 30_000 });
    },
  });
}

/**
 * A cold load of `path` in a new phone-sized context (empty cache, CPU throttled `throttle` times):
 * bytes on the wire, ms until `shown` is visible, then ms until `interact` has had its answer.
 */
export async function coldLoadPage(
  browser: Browser,
  url: string,
  cookie: { name: string; value: string },
  o: { throttle: number; identity: boolean; path: string; shown: (page: Page) => Locator; interact: (page: Page) => Promise<void> },
): Promise<Load> {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    ...(o.identity && { extraHTTPHeaders: { 'accept-encoding': 'identity' } }),
  });
  await context.addCookies([{ name: cookie.name, value: cookie.value, url }]);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: o.throttle });
  let bytes = 0;
  cdp.on('Network.loadingFinished', (e: { encodedDataLength: number }) => (bytes += e.encodedDataLength));
  await page.goto(`${url}${o.path}`);
  await o
    .shown(page)
    .waitFor({ timeout: 30_000 })
    .catch(async (e: unknown) => {
      await page.screenshot({ path: '/tmp/web-load.png' });
      throw e;
    });
  const ms = await page.evaluate(() => performance.now());
  await o.interact(page);
  const interactiveMs = await page.evaluate(() => performance.now());
  await context.close();
  return { bytes, ms, interactiveMs };
}

/** The session cookie of `email` signed in with `password` on the server at `url`. */
export async function sessionCookie(url: string, email: string, password: string): Promise<{ name: string; value: string }> {
  const login = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const set = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0] ?? '')
    .find((c) => c.startsWith('klaxon_session='));
  if (!set) throw new Error(`sign-in failed: ${login.status}`);
  return { name: 'klaxon_session', value: set.slice('klaxon_session='.length) };
}

/** One cold load: bytes on the wire, ms until the page is shown, ms until a tap on it is answered. */
export interface Load {
  bytes: number;
  ms: number;
  interactiveMs: number;
}

/** Runs the benchmark and writes bench/results/web-load.json. */
/** A responder with 50 open incidents on `t`; returns their session cookie. */
async function seed(t: TestKlaxon): Promise<{ name: string; value: string }> {
  const u = await t.api('POST', '/api/v1/users', { email: 'maya@example.com', name: 'Maya', role: 'responder', timeZone: 'Europe/Berlin', password: 'correct horse battery' });
  if (u.status !== 201) throw new Error(JSON.stringify(u.body));
  const svc = await t.api('POST', '/api/v1/services', { name: 'checkout-api' });
  for (let i = 0; i < 50; i++) await t.api('POST', '/api/v1/incidents', { service: svc.body.service.id, title: `Disk almost full on db-${i}` });
  return sessionCookie(t.url, 'maya@example.com', 'correct horse battery');
}

/** This build against the build in `baselineDir`, cold loads alternating at CPU ×4 (BENCH_WEB_BASELINE). */
async function compareBuilds(browser: Browser, t: TestKlaxon, cookie: { name: string; value: string }, baselineDir: string): Promise<void> {
  const b = await startTestKlaxon('sqlite', { webDir: baselineDir });
  try {
    const bCookie = await seed(b);
    await coldLoad(browser, b.url, bCookie, { throttle: 1, identity: false });
    const mine: Load[] = [];
    const theirs: Load[] = [];
    for (let i = 0; i < RUNS; i++) {
      mine.push(await coldLoad(browser, t.url, cookie, { throttle: 4, identity: false }));
      theirs.push(await coldLoad(browser, b.url, bCookie, { throttle: 4, identity: false }));
    }
    report(
      'web-load-compare',
      [
        { figure: 'transferred, this build', value: median(mine.map((r) => r.bytes)) / 1024, unit: 'KB', baseline: { name: 'baseline build', value: median(theirs.map((r) => r.bytes)) / 1024 } },
        { figure: 'list shown x4, this build (median)', value: median(mine.map((r) => r.ms)), unit: 'ms', baseline: { name: 'baseline build', value: median(theirs.map((r) => r.ms)) } },
        {
          figure: 'list interactive x4, this build (median)',
          value: median(mine.map((r) => r.interactiveMs)),
          unit: 'ms',
          baseline: { name: 'baseline build', value: median(theirs.map((r) => r.interactiveMs)) },
        },
      ],
      {
        runs: RUNS,
        baselineDir,
        cpus: cpus().length,
        loadavg: loadavg().map((x) => Number(x.toFixed(2))),
        thisBuild: mine.map((r) => Math.round(r.ms)),
        baselineBuild: theirs.map((r) => Math.round(r.ms)),
        thisBuildInteractive: mine.map((r) => Math.round(r.interactiveMs)),
        baselineBuildInteractive: theirs.map((r) => Math.round(r.interactiveMs)),
      },
    );
  } finally {
    await b.stop();
  }
}

export async function benchWebLoad(): Promise<void> {
  if (!HAVE_CHROMIUM) {
    process.stdout.write('\nweb-load: SKIPPED (/usr/bin/chromium is missing: apt-get install chromium)\n');
    return;
  }
  ensureWebBuilt();
  const t = await startTestKlaxon('sqlite');
  const browser = await launchBrowser();
  try {
    const cookie = await seed(t);
    await coldLoad(browser, t.url, cookie, { throttle: 1, identity: false }); // warm the server (JIT, statement cache)
    if (process.env.BENCH_WEB_BASELINE) return await compareBuilds(browser, t, cookie, process.env.BENCH_WEB_BASELINE);
    const runs = async (o: { throttle: number; identity: boolean }) => {
      const out = [];
      for (let i = 0; i < RUNS; i++) out.push(await coldLoad(browser, t.url, cookie, o));
      return { bytes: median(out.map((r) => r.bytes)), ms: median(out.map((r) => r.ms)), interactiveMs: median(out.map((r) => r.interactiveMs)), all: out };
    };
    const loadavgBefore = loadavg().map((x) => Number(x.toFixed(2)));
    const phone = await runs({ throttle: 4, identity: false });
    const uncompressed = await runs({ throttle: 4, identity: true });
    const fast = await runs({ throttle: 1, identity: false });
    report(
      'web-load',
      [
        { figure: 'cold load of the incident list, transferred', value: phone.bytes / 1024, unit: 'KB', baseline: { name: 'compression refused', value: uncompressed.bytes / 1024 } },
        { figure: 'list shown, CPU throttled x4 (median)', value: phone.ms, unit: 'ms', baseline: { name: 'unthrottled', value: fast.ms } },
        { figure: 'list interactive, CPU throttled x4 (median)', value: phone.interactiveMs, unit: 'ms', baseline: { name: 'unthrottled', value: fast.interactiveMs } },
        { figure: 'list shown, x4, compression refused (median)', value: uncompressed.ms, unit: 'ms', baseline: { name: 'compressed', value: phone.ms } },
      ],
      {
        runs: RUNS,
        cpus: cpus().length,
        loadavgBefore,
        loadavg: loadavg().map((x) => Number(x.toFixed(2))),
        shownX4: phone.all.map((r) => Math.round(r.ms)),
        interactiveX4: phone.all.map((r) => Math.round(r.interactiveMs)),
      },
    );
    process.stdout.write(`  goal: under 250 KB transferred ... ${phone.bytes / 1024 < 250 ? 'PASS' : 'MISS'} (${(phone.bytes / 1024).toFixed(0)} KB)\n`);
    const load = `load average ${loadavgBefore.join(' ')} before, ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} after, ${cpus().length} cores`;
    process.stdout.write(`  list shown x4 (the figure measured before) ... ${phone.ms.toFixed(0)} ms\n`);
    process.stdout.write(`  goal: list interactive in under 1 s throttled x4 ... ${phone.interactiveMs < 1000 ? 'PASS' : 'MISS'} (${phone.interactiveMs.toFixed(0)} ms; ${load})\n`);
  } finally {
    await browser.close();
    await t.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchWebLoad();
