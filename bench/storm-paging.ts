/**
 * Storms that do not flood a phone (issue 15): 1,000 new incidents in one minute, each paging the same
 * person by SMS, voice and e-mail, against the provider stand-ins (test/fakes/twilio.ts, the fake SMTP
 * server), twice on SQLite:
 *
 *   bundled    the defaults: rate limits per contact method (SMS 5 per 15 min, voice 3 per 15 min and
 *              7 an hour, e-mail 10 per 15 min) and bundling
 *   unbundled  KLAXON_PAGE_RATE_LIMITS=off and KLAXON_PAGE_BUNDLING=false: every page its own message
 *
 * The server runs in this process on the fake clock of the end-to-end tests (test/harness.ts), so the
 * hour after the storm, when the held pages go out, passes in seconds: the storm is 60 clock seconds of
 * about 17 incidents each (17 concurrent requests, then the clock moves a second), then the clock moves
 * a minute at a time for 90 minutes. Figures: messages per channel that reached the stand-ins; the
 * most of them in any 15-minute and 60-minute window of the clock (by the clock time each was written to
 * the outbox, which is what the limits count); how many of the 1,000 incidents some
 * SMS or e-mail named by number; and the time, in real milliseconds, from sending the first event to
 * its first SMS, call and e-mail reaching the stand-ins (the engine is woken by the event, as in
 * production; the goal is under 1 s, as in a quiet run).
 *
 *   node --import tsx bench/storm-paging.ts      (from the repository root; also part of `npm run bench`)
 *
 * BENCH_STORM_INCIDENTS (default 1000) sets the storm. The machine's load average is printed and kept in
 * bench/results/storm-paging.json (on shared cores, other work moves the latency figures).
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { addResponder, startTestKlaxon, type TestKlaxon } from '../apps/server/test/harness.js';
import { report, type Row } from './lib.js';
import { must } from '../apps/server/src/lib/must.js';

const INCIDENTS = Number(process.env.BENCH_STORM_INCIDENTS ?? 1000);
const SECONDS = 60;
const MIN = 60_000;
const T0 = performance.now();

function progress(msg: string): void {
  process.stdout.write(`[storm-paging ${((performance.now() - T0) / 1000).toFixed(0).padStart(4)}s] ${msg} (load average ${must(loadavg()[0], 'loadavg()[0]').toFixed(2)})\n`);
}

interface Arrival {
  channel: 'sms' | 'voice' | 'email';
  at: number; // clock time
  text: string;
}

interface RunResult {
  messages: Record<Arrival['channel'], number>;
  maxIn15: Record<Arrival['channel'], number>;
  maxIn60: Record<Arrival['channel'], number>;
  named: number;
  firstPageMs: Record<Arrival['channel'], number>;
  load: number;
}

function maxInWindow(times: number[], windowMs: number): number {
  const s = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < s.length; i++) {
    while (must(s[i], 's[i]') - must(s[j], 's[j]') >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

async function run(bundled: boolean): Promise<RunResult> {
  const over = bundled ? {} : { pageLimits: {}, pageBundling: false };
  const t: TestKlaxon = await startTestKlaxon('sqlite', over);
  try {
    const phone = '+15550001000';
    const person = await addResponder(t, {
      name: 'On Call',
      email: 'oncall@bench.local',
      phone,
      rules: [
        { type: 'sms', delayMinutes: 0 },
        { type: 'voice', delayMinutes: 0 },
        { type: 'email', delayMinutes: 0 },
      ],
    });
    const policy = await t.api('POST', '/api/v1/escalation-policies', { name: 'storm', levels: [{ delayMinutes: 120, targets: [{ type: 'user', id: person.id }] }] });
    const svcIds: string[] = [];
    const keys: string[] = [];
    for (const name of ['checkout-api', 'payments-worker', 'search']) {
      const svc = await t.api('POST', '/api/v1/services', { name, escalationPolicyId: policy.body.escalationPolicy.id });
      svcIds.push(svc.body.service.id);
      keys.push((await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'generic', kind: 'generic' })).body.integration.key);
    }
    // A warm-up page to someone else first, so neither run measures the first statements compiled.
    const other = await addResponder(t, { name: 'Warm Up', email: 'warm@bench.local', phone: '+15550002000', rules: [{ type: 'sms', delayMinutes: 0 }] });
    const warmPolicy = await t.api('POST', '/api/v1/escalation-policies', { name: 'warm', levels: [{ delayMinutes: 120, targets: [{ type: 'user', id: other.id }] }] });
    const warmSvc = await t.api('POST', '/api/v1/services', { name: 'warm-up', escalationPolicyId: warmPolicy.body.escalationPolicy.id });
    const warmKey = (await t.api('POST', `/api/v1/services/${warmSvc.body.service.id}/integrations`, { name: 'generic', kind: 'generic' })).body.integration.key;
    await fetch(`${t.url}/integrations/v1/generic/${warmKey}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ summary: 'warm-up', severity: 'critical' }) });
    await t.twilio.waitForMessage((m) => m.to === other.phone && /warm-up/.test(m.body), 30_000);
    // Only what arrives from now on is a page.
    const smsFrom = t.twilio.messages.length;
    const callsFrom = t.twilio.calls.length;
    const mailFrom = t.smtp.messages.length;
    const arrivals: Arrival[] = [];
    const seen = { sms: smsFrom, voice: callsFrom, email: mailFrom };
    const collect = () => {
      const now = t.clock.now();
      for (const m of t.twilio.messages.slice(seen.sms)) if (m.to === phone) arrivals.push({ channel: 'sms', at: now, text: m.body });
      for (const c of t.twilio.calls.slice(seen.voice)) if (c.to === phone) arrivals.push({ channel: 'voice', at: now, text: '' });
      for (const m of t.smtp.messages.slice(seen.email)) if (m.to.includes('oncall@bench.local')) arrivals.push({ channel: 'email', at: now, text: `${m.subject}\n${m.text}` });
      seen.sms = t.twilio.messages.length;
      seen.voice = t.twilio.calls.length;
      seen.email = t.smtp.messages.length;
    };
    const post = (i: number) =>
      fetch(`${t.url}/integrations/v1/generic/${keys[i % keys.length]}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ dedup_key: `storm-${i}`, summary: `Storm incident ${i}: error rate above 5% on shard ${i % 40}`, severity: 'critical' }),
      }).then((r) => {
        if (r.status !== 202) throw new Error(`ingest answered ${r.status}`);
      });

    // The first event: time to its first SMS, call and e-mail (the event wakes the engine).
    const start = performance.now();
    const firstPageMs = { sms: NaN, voice: NaN, email: NaN };
    const firsts = [
      t.twilio.waitForMessage((m) => m.to === phone && t.twilio.messages.indexOf(m) >= smsFrom, 30_000).then(() => (firstPageMs.sms = performance.now() - start)),
      t.twilio.waitForCall((c) => c.to === phone && t.twilio.calls.indexOf(c) >= callsFrom, 30_000).then(() => (firstPageMs.voice = performance.now() - start)),
      t.smtp.waitFor((m) => m.to.includes('oncall@bench.local') && t.smtp.messages.indexOf(m) >= mailFrom, 30_000).then(() => (firstPageMs.email = performance.now() - start)),
    ];
    await post(0);
    await Promise.all(firsts);
    // The storm: the rest over 60 clock seconds.
    const perSecond = Math.ceil(INCIDENTS / SECONDS);
    let next = 1;
    for (let s = 0; s < SECONDS && next < INCIDENTS; s++) {
      const batch: Promise<void>[] = [];
      for (let k = s === 0 ? 1 : 0; k < perSecond && next < INCIDENTS; k++) batch.push(post(next++));
      await Promise.all(batch);
      await t.advance(1000);
      collect();
    }
    progress(`${bundled ? 'bundled' : 'unbundled'}: ${INCIDENTS} incidents in, ${arrivals.length} messages so far`);
    // The next 90 minutes, a minute at a time: held pages go out as the windows free up.
    for (let m = 0; m < 90; m++) {
      await t.advance(MIN);
      collect();
    }
    const named = new Set<number>();
    for (const a of arrivals) for (const x of a.text.matchAll(/#(\d+) /g)) named.add(Number(x[1]));
    const incidents = new Set<number>();
    for (let before: number | undefined; ;) {
      const page = await t.api('GET', `/api/v1/incidents?q=Storm%20incident&limit=500${before ? `&before=${before}` : ''}`);
      const list = page.body.incidents as { number: number }[];
      for (const i of list) incidents.add(i.number);
      if (list.length < 500) break;
      before = Math.min(...list.map((i) => i.number));
    }
    // When each page was written to the outbox (the clock time the limits count), read from the database;
    // the counts are what reached the stand-ins.
    const written = await t.k.ctx.db.kysely
      .selectFrom('outbox')
      .select(['channel', 'created_at'])
      .where('kind', '=', 'page')
      .where('status', '=', 'sent')
      .where('destination', 'in', [phone, 'oncall@bench.local'])
      .execute();
    const by = (c: Arrival['channel']) => written.filter((w) => w.channel === c).map((w) => Number(w.created_at));
    const reached = (c: Arrival['channel']) => arrivals.filter((a) => a.channel === c).length;
    const channels = ['sms', 'voice', 'email'] as const;
    return {
      messages: Object.fromEntries(channels.map((c) => [c, reached(c)])) as RunResult['messages'],
      maxIn15: Object.fromEntries(channels.map((c) => [c, maxInWindow(by(c), 15 * MIN)])) as RunResult['maxIn15'],
      maxIn60: Object.fromEntries(channels.map((c) => [c, maxInWindow(by(c), 60 * MIN)])) as RunResult['maxIn60'],
      named: [...incidents].filter((n) => named.has(n)).length,
      firstPageMs,
      load: must(loadavg()[0], 'loadavg()[0]'),
    };
  } finally {
    await t.stop();
  }
}

export async function benchStormPaging(): Promise<Row[]> {
  const loadBefore = must(loadavg()[0], 'loadavg()[0]');
  progress(`bundled run (${INCIDENTS} incidents)`);
  const b = await run(true);
  progress('unbundled run');
  const u = await run(false);
  const rows: Row[] = [];
  const base = (name: string, value: number) => ({ name, value });
  for (const c of ['sms', 'voice', 'email'] as const) {
    rows.push({ figure: `${c} messages reaching the stand-in`, value: b.messages[c], unit: 'msgs', baseline: base('unbundled', u.messages[c]) });
    rows.push({ figure: `${c} most in any 15 min`, value: b.maxIn15[c], unit: 'msgs', baseline: base('unbundled', u.maxIn15[c]) });
    rows.push({ figure: `${c} most in any 60 min`, value: b.maxIn60[c], unit: 'msgs', baseline: base('unbundled', u.maxIn60[c]) });
  }
  rows.push({ figure: 'incidents named in some SMS or e-mail', value: b.named, unit: 'incidents', baseline: base('unbundled', u.named) });
  for (const c of ['sms', 'voice', 'email'] as const) {
    rows.push({ figure: `first event to its first ${c}`, value: b.firstPageMs[c], unit: 'ms', baseline: base('unbundled', u.firstPageMs[c]) });
  }
  report('storm-paging', rows, {
    incidents: INCIDENTS,
    seconds: SECONDS,
    cores: cpus().length,
    loadAverage: { before: loadBefore, bundledRun: b.load, unbundledRun: u.load, after: must(loadavg()[0], 'loadavg()[0]') },
  });
  const goal = (ok: boolean, text: string) => `  ${ok ? 'PASS' : 'MISS'}  ${text}`;
  const goals = [
    goal(b.maxIn15.sms <= 5, `SMS within 5 per 15 min: at most ${b.maxIn15.sms}`),
    goal(b.maxIn15.voice <= 3 && b.maxIn60.voice <= 7, `voice within 3 per 15 min and 7 per hour: at most ${b.maxIn15.voice} and ${b.maxIn60.voice}`),
    goal(b.maxIn15.email <= 10, `e-mail within 10 per 15 min: at most ${b.maxIn15.email}`),
    goal(b.named === INCIDENTS, `every incident named in some message: ${b.named} of ${INCIDENTS}`),
    goal(
      Math.max(b.firstPageMs.sms, b.firstPageMs.voice, b.firstPageMs.email) < 1000,
      `first page under 1 s: SMS ${b.firstPageMs.sms.toFixed(0)} ms, call ${b.firstPageMs.voice.toFixed(0)} ms, e-mail ${b.firstPageMs.email.toFixed(0)} ms`,
    ),
  ];
  process.stdout.write(`\nGoals (issue 15)\n${goals.join('\n')}\n`);
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchStormPaging();
