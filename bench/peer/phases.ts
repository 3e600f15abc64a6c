/** bench/peer.ts: the timed runs behind figures 1 to 3 (throughput, latency, storm). */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { freePort, ROOT, spawnServer, stop } from '../lib.js';
import { CONNECTIONS, KEYS, percentile, progress, SECONDS, sleep, STORM_EVENTS, STORM_KEYS, WARM_SECONDS } from './common.js';
import { type Receipt, Receiver } from './receiver.js';
import { amBody, load, type LoadResult, paced, pdBody } from './load.js';
import { cpuSeconds, type Database, dbCounts, engineMetrics, peakMemory, seed, sqliteDatabase, stallProbe, startAlertmanager, startKlaxon } from './peers.js';
import { must } from '../../apps/server/src/lib/must.js';

// ---------------------------------------------------------------------------------------------
// Phases
// ---------------------------------------------------------------------------------------------

/** Waits until `done()` or no progress in `idleMs`, or `maxMs` in all; prints progress. */
export async function waitFor(label: string, count: () => number, target: number, opts: { idleMs: number; maxMs: number }): Promise<boolean> {
  const start = performance.now();
  let last = count();
  let lastChange = start;
  let lastPrint = start;
  while (count() < target) {
    await sleep(100);
    const now = performance.now();
    if (count() !== last) {
      last = count();
      lastChange = now;
    }
    if (now - lastPrint >= 5000) {
      progress(`  ${label}: ${count()}${target < Number.MAX_SAFE_INTEGER ? ` of ${target}` : ''}`);
      lastPrint = now;
    }
    if (now - lastChange > opts.idleMs || now - start > opts.maxMs) return false;
  }
  return true;
}

export interface Throughput {
  perSec: number;
  ok: number;
  other: Record<string, number>;
  errors: number;
  timeouts: number;
  p50: number;
  p99: number;
  stored?: number;
  /** Klaxon with paging: incidents opened, paged while the load ran, and when the last page came after it. */
  paging?: { incidents: number; duringRun: number; total: number; lastAfterEndSeconds: number };
  stall?: { max: number; over1s: number; failed: number };
  logs?: { warn: number; error: number; sample: string[] };
  engine?: Awaited<ReturnType<typeof engineMetrics>>;
  /** Klaxon's CPU seconds over the run and its paging (events per CPU second is robust to a busy machine). */
  cpuSeconds?: number;
}

export function summarize(r: LoadResult, seconds: number): Throughput {
  return {
    perSec: r.ok / seconds,
    ok: r.ok,
    other: Object.fromEntries(Object.entries(r.statuses).filter(([s]) => !s.startsWith('2'))),
    errors: r.res.errors,
    timeouts: r.res.timeouts,
    p50: r.res.latency.p50,
    p99: r.res.latency.p99,
  };
}

export async function throughputBare(): Promise<Throughput> {
  const port = await freePort();
  const bare = await spawnServer(['--import', 'tsx', join(ROOT, 'bench', 'bare-server.ts')], { PORT: String(port) }, 'bare ready');
  progress(`figure 1: bare Fastify 202, ${CONNECTIONS} connections, ${SECONDS}s`);
  try {
    const r = await load({
      url: `http://127.0.0.1:${port}/v2/enqueue`,
      connections: CONNECTIONS,
      duration: SECONDS,
      body: (i) => pdBody('bare-routing-key-0000', `bench-${i % KEYS}`, `Latency high on api-${i % KEYS}`, i),
      label: 'bare',
    });
    return summarize(r, SECONDS);
  } finally {
    await stop(bare);
  }
}

/**
 * Klaxon's ingest with paging (or without a policy) for SECONDS: `instances` `klaxon serve` processes
 * on one database, the CONNECTIONS split between them as a load balancer would, every instance
 * receiving events for the same dedup keys (a repeat may reach any instance).
 */
export async function throughputKlaxon(db: Database, receiver: Receiver, paging = true, instances = 1): Promise<Throughput> {
  const key = await seed(db.url, `${receiver.url}/klaxon`, paging);
  const ks: Awaited<ReturnType<typeof startKlaxon>>[] = [];
  try {
    for (let i = 0; i < instances; i++) ks.push(await startKlaxon(db.url));
  } catch (e) {
    await Promise.all(ks.map((k) => k.stop()));
    throw e;
  }
  const first = must(ks[0], 'an instance');
  // Each instance's load starts at its own place in the keys: three generators started together would
  // otherwise send each key to every instance at the same moment, in step, for the whole run, which a
  // load balancer spreading one stream of events does not do.
  const offset = (i: number) => Math.floor((i * KEYS) / instances);
  const many = instances > 1 ? `, ${instances} instances` : '';
  progress(`figure 1: Klaxon on ${db.label}${many}${paging ? '' : ', service without an escalation policy (nobody paged)'}, ${CONNECTIONS} connections, ${SECONDS}s, ${KEYS} dedup keys`);
  const probe = stallProbe(first.url);
  receiver.reset();
  const cpu = async () => (await Promise.all(ks.map((k) => cpuSeconds(k.url)))).reduce((a, b) => a + b, 0);
  const cpuBefore = await cpu();
  let t: Throughput;
  let paged: { duringRun: number; total: number; lastAfterEndSeconds: number } | undefined;
  try {
    const runs = await Promise.all(
      ks.map((k, i) =>
        load({
          url: `${k.url}/v2/enqueue`,
          connections: Math.floor(CONNECTIONS / instances) + (i < CONNECTIONS % instances ? 1 : 0),
          duration: SECONDS,
          body: (n) => pdBody(key, `bench-${(n + offset(i)) % KEYS}`, `Latency high on api-${(n + offset(i)) % KEYS}`, n),
          label: `Klaxon ${db.label}${instances > 1 ? ` instance ${i + 1}` : ''}`,
        }),
      ),
    );
    const end = performance.now();
    t = summarizeMany(runs, SECONDS);
    t.stall = probe.stop();
    if (paging) {
      // Pages still owed for the incidents the run opened (requests in flight at the end may still commit).
      const duringRun = receiver.klaxon.filter((x) => x.t <= end).length;
      await sleep(500);
      let opened = (await dbCounts(db.url)).incidents;
      progress(`  Klaxon ${db.label}${many}: ${duringRun} pages during the run for ${opened} incidents; waiting for the rest`);
      for (let round = 0; round < 3; round++) {
        if (!(await waitFor(`Klaxon ${db.label} pages after the run`, () => receiver.klaxon.length, opened, { idleMs: 30_000, maxMs: 90_000 }))) break;
        const now = (await dbCounts(db.url)).incidents;
        if (now === opened) break;
        opened = now;
      }
      const last = receiver.klaxon.reduce((m, x) => Math.max(m, x.t), end);
      paged = { duringRun, total: receiver.klaxon.length, lastAfterEndSeconds: (last - end) / 1000 };
    }
    t.engine = await engineMetrics(first.url);
    // Work per event, whatever else the machine runs: the processes' CPU time over the load and its paging.
    t.cpuSeconds = (await cpu()) - cpuBefore;
  } finally {
    probe.stop();
    await Promise.all(ks.map((k) => k.stop()));
  }
  const counts = await dbCounts(db.url);
  t.stored = counts.events;
  if (paged) t.paging = { incidents: counts.incidents, ...paged };
  t.logs = { warn: ks.reduce((n, k) => n + k.warnCount, 0), error: ks.reduce((n, k) => n + k.errorCount, 0), sample: ks.flatMap((k) => k.problems).slice(0, 5) };
  return t;
}

/** Several loads run side by side (one per instance) as one figure: answers summed, latency the worst instance's. */
function summarizeMany(runs: LoadResult[], seconds: number): Throughput {
  const each = runs.map((r) => summarize(r, seconds));
  const other: Record<string, number> = {};
  for (const e of each) for (const [s, n] of Object.entries(e.other)) other[s] = (other[s] ?? 0) + n;
  const sum = (f: (t: Throughput) => number) => each.reduce((n, t) => n + f(t), 0);
  return {
    perSec: sum((t) => t.perSec),
    ok: sum((t) => t.ok),
    other,
    errors: sum((t) => t.errors),
    timeouts: sum((t) => t.timeouts),
    p50: Math.max(...each.map((t) => t.p50)),
    p99: Math.max(...each.map((t) => t.p99)),
  };
}

export async function throughputAlertmanager(receiver: Receiver): Promise<Throughput> {
  const am = await startAlertmanager(`${receiver.url}/am`);
  progress(`figure 1: Alertmanager /api/v2/alerts, ${CONNECTIONS} connections, ${SECONDS}s, ${KEYS} label sets`);
  try {
    const r = await load({
      url: `${am.url}/api/v2/alerts`,
      connections: CONNECTIONS,
      duration: SECONDS,
      body: (i) => amBody({ key: `bench-${i % KEYS}`, seq: String(i % KEYS) }, `Latency high on api-${i % KEYS}`, i),
      label: 'Alertmanager',
    });
    const t = summarize(r, SECONDS);
    t.logs = { warn: am.warnCount, error: am.errorCount, sample: am.problems.slice(0, 5) };
    return t;
  } finally {
    await am.stop();
  }
}

export interface Latency {
  rate: number;
  /** Requests sent (every one is waited for). */
  sent: number;
  accepted: number;
  acceptedPerSec: number;
  received: number;
  missing: number;
  duplicates: number;
  /** From the 2xx answer to the page at the receiver. */
  p50: number;
  p99: number;
  max: number;
  /** From the request being written to the page at the receiver (includes the time to answer). */
  sentP50: number;
  sentP99: number;
  other: Record<string, number>;
  errors: number;
  stall?: { max: number; over1s: number; failed: number };
  logs?: { warn: number; error: number; sample: string[] };
  engine?: Awaited<ReturnType<typeof engineMetrics>>;
  outbox?: Record<string, number>;
}

/**
 * Matches accepted events to receipts by sequence number. A page never received counts with the
 * time waiting stopped (a lower bound), so missing pages push p99 up rather than vanish.
 */
export function latencies(sentAt: Map<number, number>, acceptedAt: Map<number, number>, receipts: Receipt[], stoppedAt: number) {
  const first = new Map<number, number>();
  let duplicates = 0;
  for (const r of receipts) {
    const seq = Number(r.seq);
    if (first.has(seq)) duplicates++;
    else first.set(seq, r.t);
  }
  const fromAccepted: number[] = [];
  const fromSent: number[] = [];
  let missing = 0;
  for (const [seq, t] of acceptedAt) {
    const got = first.get(seq) ?? stoppedAt;
    if (!first.has(seq)) missing++;
    fromAccepted.push(got - t);
    fromSent.push(got - (sentAt.get(seq) ?? t));
  }
  fromAccepted.sort((a, b) => a - b);
  fromSent.sort((a, b) => a - b);
  return {
    received: acceptedAt.size - missing,
    missing,
    duplicates,
    p50: percentile(fromAccepted, 50),
    p99: percentile(fromAccepted, 99),
    max: fromAccepted[fromAccepted.length - 1] ?? NaN,
    sentP50: percentile(fromSent, 50),
    sentP99: percentile(fromSent, 99),
  };
}

/**
 * `rate` new events/s for SECONDS into Klaxon (each opens an incident paging a webhook at delay 0)
 * or Alertmanager (each a new alert, its own group), then waits for their pages.
 */
export async function latencyRun(system: 'klaxon' | 'alertmanager', receiver: Receiver, rate: number): Promise<Latency> {
  const db = system === 'klaxon' ? sqliteDatabase() : null;
  const key = db ? await seed(db.url, `${receiver.url}/klaxon`) : '';
  const server = db ? await startKlaxon(db.url) : await startAlertmanager(`${receiver.url}/am`);
  const name = db ? 'Klaxon' : 'Alertmanager';
  receiver.reset();
  progress(
    `figure 2: ${db ? 'Klaxon on SQLite' : 'Alertmanager'}, ${rate} new ${db ? 'incidents' : 'alerts'}/s offered for ${SECONDS}s after ${WARM_SECONDS}s of warm-up (evenly paced, open loop, up to ${CONNECTIONS} connections)`,
  );
  const sentAt = new Map<number, number>();
  const acceptedAt = new Map<number, number>();
  const receipts = () => (db ? receiver.klaxon : receiver.am);
  const url = db ? `${server.url}/v2/enqueue` : `${server.url}/api/v2/alerts`;
  // Warm-up, not measured, the same for both: what pages at 3 a.m. is a process that has been serving
  // for days (JIT-compiled, connections open), not one that started a second ago.
  const warm = Math.round(rate * WARM_SECONDS);
  await paced({
    url,
    connections: CONNECTIONS,
    seconds: WARM_SECONDS,
    rate,
    body: (i) => (db ? pdBody(key, `warm-${rate}-${i}`, `Warm-up ${i} on api-${i % KEYS}`, i) : amBody({ key: `warm-${rate}-${i}`, seq: `warm-${i}` }, `Warm-up ${i} on api-${i % KEYS}`, i)),
    sent: () => {},
    accepted: () => {},
    label: `${name} warm-up`,
  });
  await waitFor(`${name} warm-up pages`, () => receipts().length, warm, { idleMs: 15_000, maxMs: 60_000 });
  receiver.reset();
  const probe = db ? stallProbe(server.url) : null;
  try {
    const r = await paced({
      url,
      connections: CONNECTIONS,
      seconds: SECONDS,
      rate,
      body: (i) => (db ? pdBody(key, `lat-${rate}-${i}`, `Latency high #${i} on api-${i % KEYS}`, i) : amBody({ key: `lat-${rate}-${i}`, seq: String(i) }, `Latency high #${i} on api-${i % KEYS}`, i)),
      sent: (seq, t) => sentAt.set(seq, t),
      accepted: (seq, t) => acceptedAt.set(seq, t),
      label: `${name} at ${rate}/s`,
    });
    const receivedAccepted = () => {
      let n = 0;
      const seen = new Set(receipts().map((x) => Number(x.seq)));
      for (const seq of acceptedAt.keys()) if (seen.has(seq)) n++;
      return n;
    };
    const complete = await waitFor(`${name} pages received for accepted events`, receivedAccepted, acceptedAt.size, { idleMs: 15_000, maxMs: 90_000 });
    if (!complete) progress(`  ${name}: stopped waiting with ${receivedAccepted()} of ${acceptedAt.size} pages received`);
    const out: Latency = {
      rate,
      sent: r.built,
      accepted: acceptedAt.size,
      // Over the time it took to answer them all: a system that falls behind answers later, not fewer.
      acceptedPerSec: acceptedAt.size / Math.max(r.seconds, SECONDS),
      other: Object.fromEntries(Object.entries(r.statuses).filter(([st]) => !st.startsWith('2'))),
      errors: r.errors,
      ...latencies(sentAt, acceptedAt, receipts(), performance.now()),
    };
    if (probe) out.stall = probe.stop();
    if (db) out.engine = await engineMetrics(server.url);
    out.logs = { warn: server.warnCount, error: server.errorCount, sample: server.problems.slice(0, 5) };
    progress(`  ${name} at ${rate}/s: ${out.accepted} accepted (${out.acceptedPerSec.toFixed(0)}/s), p50 ${out.p50.toFixed(0)} ms, p99 ${out.p99.toFixed(0)} ms, ${out.missing} missing`);
    return out;
  } finally {
    probe?.stop();
    await server.stop();
    if (db) await db.drop();
  }
}

export interface Storm {
  accepted: number;
  other: Record<string, number>;
  errors: number;
  timeouts: number;
  /** Seconds from the first send to the last answer. */
  requestSeconds: number;
  /** Seconds from the first send to the last answer and the last page received. */
  drainSeconds: number;
  pages: number;
  distinctPaged: number;
  duplicates: number;
  /** Resident memory right after start, before any load. */
  startBytes?: number;
  /** Seconds from the first send to the first page, and to the page that completed every key. */
  firstPageSeconds: number;
  allPagedSeconds: number;
  peakBytes: number;
  p99: number;
  max: number;
  stored?: number;
  created?: number;
  incidents?: number;
  outbox?: Record<string, number>;
  outboxPages?: number;
  retriedDeliveries?: number;
  stall?: { max: number; over1s: number; failed: number };
  logs?: { warn: number; error: number; sample: string[] };
  engine?: Awaited<ReturnType<typeof engineMetrics>>;
}

/** Page counts and times of a storm run, from the receipts (distinct by incident id / alert fingerprint). */
export function pageStats(receipts: Receipt[], r: LoadResult) {
  const seen = new Set<string>();
  let allAt = NaN;
  for (const x of receipts) {
    seen.add(x.id);
    if (seen.size === STORM_KEYS && Number.isNaN(allAt)) allAt = x.t;
  }
  const lastPage = receipts.reduce((m, x) => Math.max(m, x.t), 0);
  return {
    accepted: r.ok,
    other: summarize(r, 1).other,
    errors: r.res.errors,
    timeouts: r.res.timeouts,
    requestSeconds: (r.lastAnswer - r.start) / 1000,
    drainSeconds: (Math.max(r.lastAnswer, lastPage) - r.start) / 1000,
    pages: receipts.length,
    distinctPaged: seen.size,
    duplicates: receipts.length - seen.size,
    firstPageSeconds: receipts.length ? (must(receipts[0], 'receipts[0]').t - r.start) / 1000 : NaN,
    allPagedSeconds: (allAt - r.start) / 1000,
    p99: r.res.latency.p99,
    max: r.res.latency.max,
  };
}

/** Waits for every key to be paged, then 3 s more for any duplicate. */
export async function drainPages(label: string, distinct: () => number): Promise<void> {
  const complete = await waitFor(label, distinct, STORM_KEYS, { idleMs: 30_000, maxMs: 120_000 });
  if (!complete) progress(`  ${label}: stopped waiting with ${distinct()} of ${STORM_KEYS}`);
  await sleep(3000);
}

export async function stormKlaxon(receiver: Receiver): Promise<Storm> {
  const db = sqliteDatabase();
  try {
    const key = await seed(db.url, `${receiver.url}/klaxon`);
    const k = await startKlaxon(db.url);
    const startBytes = peakMemory(k.proc.pid, 'VmRSS');
    receiver.reset();
    progress(`figure 3: Klaxon on SQLite, storm of ${STORM_EVENTS} events on ${STORM_KEYS} dedup keys, ${CONNECTIONS} connections`);
    const probe = stallProbe(k.url);
    let out: Storm;
    try {
      const r = await load({
        url: `${k.url}/v2/enqueue`,
        connections: CONNECTIONS,
        amount: STORM_EVENTS,
        body: (i) => pdBody(key, `storm-${i % STORM_KEYS}`, `Storm on api #${i % STORM_KEYS}`, i),
        label: 'Klaxon storm',
      });
      progress(`  Klaxon storm: all requests answered after ${((r.lastAnswer - r.start) / 1000).toFixed(1)}s; waiting for pages`);
      await drainPages('Klaxon storm, incidents paged', () => new Set(receiver.klaxon.map((x) => x.id)).size);
      out = { ...pageStats(receiver.klaxon, r), retriedDeliveries: receiver.klaxon.length - new Set(receiver.klaxon.map((x) => x.delivery)).size, peakBytes: NaN, startBytes };
      out.stall = probe.stop();
      out.engine = await engineMetrics(k.url);
      out.peakBytes = peakMemory(k.proc.pid);
    } finally {
      probe.stop();
      await k.stop();
    }
    const c = await dbCounts(db.url);
    Object.assign(out, { stored: c.events, created: c.created, incidents: c.incidents, outbox: c.outbox, outboxPages: c.pages });
    out.logs = { warn: k.warnCount, error: k.errorCount, sample: k.problems.slice(0, 5) };
    return out;
  } finally {
    await db.drop();
  }
}

export async function stormAlertmanager(receiver: Receiver): Promise<Storm> {
  const am = await startAlertmanager(`${receiver.url}/am`);
  receiver.reset();
  progress(`figure 3: Alertmanager, storm of ${STORM_EVENTS} alerts on ${STORM_KEYS} label sets, ${CONNECTIONS} connections`);
  try {
    const r = await load({
      url: `${am.url}/api/v2/alerts`,
      connections: CONNECTIONS,
      amount: STORM_EVENTS,
      body: (i) => amBody({ key: `storm-${i % STORM_KEYS}`, seq: String(i % STORM_KEYS) }, `Storm on api #${i % STORM_KEYS}`, i),
      label: 'Alertmanager storm',
    });
    progress(`  Alertmanager storm: all requests answered after ${((r.lastAnswer - r.start) / 1000).toFixed(1)}s; waiting for notifications`);
    await drainPages('Alertmanager storm, alerts notified', () => new Set(receiver.am.map((x) => x.seq)).size);
    const out: Storm = { ...pageStats(receiver.am, r), peakBytes: peakMemory(am.proc.pid) };
    out.logs = { warn: am.warnCount, error: am.errorCount, sample: am.problems.slice(0, 5) };
    return out;
  } finally {
    await am.stop();
  }
}
