/**
 * The web app's cold load on a phone-class CPU (issue 20): Debian's Chromium through playwright-core
 * loads the incident list of a signed-in responder with an empty cache, CPU throttled ×4 (Chromium's
 * Emulation.setCPUThrottlingRate). Prints the bytes transferred (against the same load with
 * compression refused, Accept-Encoding: identity) and the time from navigation start until the list
 * shows its first incident (against the same load unthrottled), the median of BENCH_WEB_RUNS (5).
 *
 *   node --import tsx bench/web-load.ts          (from the repository root)
 *
 * With BENCH_WEB_BASELINE=<dir of another build> (e.g. one made from an earlier commit with
 * `npx vite build --outDir /tmp/dist-base` in apps/web) a second server serves that build and the two
 * builds' throttled cold loads alternate, run by run, so a change is measured against what it
 * replaces under the same load on the machine.
 *
 * Goals: under 250 KB transferred, the list shown in under 1 s throttled ×4. Writes bench/results/web-load.json.
 */
import { cpus, loadavg } from 'node:os';
import type { Browser } from 'playwright-core';
import { ensureWebBuilt, HAVE_CHROMIUM, launchBrowser } from '../apps/server/test/browser/support.js';
import { startTestKlaxon, type TestKlaxon } from '../apps/server/test/harness.js';
import { report } from './lib.js';
import { must } from '../apps/server/src/lib/must.js';

const RUNS = Number(process.env.BENCH_WEB_RUNS ?? 5);

const median = (xs: number[]) => must([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)], 'the median');

async function coldLoad(browser: Browser, url: string, cookie: { name: string; value: string }, o: { throttle: number; identity: boolean }): Promise<{ bytes: number; ms: number }> {
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
  await page.goto(`${url}/incidents?view=all`); // a responder lands on Mine; the bench loads everyone's
  await page
    .getByText('Disk almost full on db-49', { exact: false })
    .first()
    .waitFor({ timeout: 30_000 })
    .catch(async (e: unknown) => {
      await page.screenshot({ path: '/tmp/web-load.png' });
      throw e;
    });
  const ms = await page.evaluate(() => performance.now());
  await context.close();
  return { bytes, ms };
}

/** Runs the benchmark and writes bench/results/web-load.json. */
/** A responder with 50 open incidents on `t`; returns their session cookie. */
async function seed(t: TestKlaxon): Promise<{ name: string; value: string }> {
  const u = await t.api('POST', '/api/v1/users', { email: 'maya@example.com', name: 'Maya', role: 'responder', timeZone: 'Europe/Berlin', password: 'correct horse battery' });
  if (u.status !== 201) throw new Error(JSON.stringify(u.body));
  const svc = await t.api('POST', '/api/v1/services', { name: 'checkout-api' });
  for (let i = 0; i < 50; i++) await t.api('POST', '/api/v1/incidents', { service: svc.body.service.id, title: `Disk almost full on db-${i}` });
  const login = await fetch(`${t.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'maya@example.com', password: 'correct horse battery' }),
  });
  const set = login.headers
    .getSetCookie()
    .map((c) => must(c.split(';')[0], "c.split(';')[0]"))
    .find((c) => c.startsWith('klaxon_session='));
  if (!set) throw new Error(`sign-in failed: ${login.status}`);
  return { name: 'klaxon_session', value: set.slice('klaxon_session='.length) };
}

/** This build against the build in `baselineDir`, cold loads alternating at CPU ×4 (BENCH_WEB_BASELINE). */
async function compareBuilds(browser: Browser, t: TestKlaxon, cookie: { name: string; value: string }, baselineDir: string): Promise<void> {
  const b = await startTestKlaxon('sqlite', { webDir: baselineDir });
  try {
    const bCookie = await seed(b);
    await coldLoad(browser, b.url, bCookie, { throttle: 1, identity: false });
    const mine: { bytes: number; ms: number }[] = [];
    const theirs: { bytes: number; ms: number }[] = [];
    for (let i = 0; i < RUNS; i++) {
      mine.push(await coldLoad(browser, t.url, cookie, { throttle: 4, identity: false }));
      theirs.push(await coldLoad(browser, b.url, bCookie, { throttle: 4, identity: false }));
    }
    report(
      'web-load-compare',
      [
        { figure: 'transferred, this build', value: median(mine.map((r) => r.bytes)) / 1024, unit: 'KB', baseline: { name: 'baseline build', value: median(theirs.map((r) => r.bytes)) / 1024 } },
        { figure: 'list shown x4, this build (median)', value: median(mine.map((r) => r.ms)), unit: 'ms', baseline: { name: 'baseline build', value: median(theirs.map((r) => r.ms)) } },
      ],
      {
        runs: RUNS,
        baselineDir,
        cpus: cpus().length,
        loadavg: loadavg().map((x) => Number(x.toFixed(2))),
        thisBuild: mine.map((r) => Math.round(r.ms)),
        baselineBuild: theirs.map((r) => Math.round(r.ms)),
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
      return { bytes: median(out.map((r) => r.bytes)), ms: median(out.map((r) => r.ms)) };
    };
    const phone = await runs({ throttle: 4, identity: false });
    const uncompressed = await runs({ throttle: 4, identity: true });
    const fast = await runs({ throttle: 1, identity: false });
    report(
      'web-load',
      [
        { figure: 'cold load of the incident list, transferred', value: phone.bytes / 1024, unit: 'KB', baseline: { name: 'compression refused', value: uncompressed.bytes / 1024 } },
        { figure: 'list shown, CPU throttled x4 (median)', value: phone.ms, unit: 'ms', baseline: { name: 'unthrottled', value: fast.ms } },
        { figure: 'list shown, x4, compression refused (median)', value: uncompressed.ms, unit: 'ms', baseline: { name: 'compressed', value: phone.ms } },
      ],
      { runs: RUNS, cpus: cpus().length, loadavg: loadavg().map((x) => Number(x.toFixed(2))) },
    );
    process.stdout.write(`  goal: under 250 KB transferred ... ${phone.bytes / 1024 < 250 ? 'PASS' : 'MISS'} (${(phone.bytes / 1024).toFixed(0)} KB)\n`);
    process.stdout.write(
      `  goal: list shown in under 1 s throttled x4 ... ${phone.ms < 1000 ? 'PASS' : 'MISS'} (${phone.ms.toFixed(0)} ms; load average ${must(loadavg()[0], 'loadavg()[0]').toFixed(2)})\n`,
    );
  } finally {
    await browser.close();
    await t.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchWebLoad();
