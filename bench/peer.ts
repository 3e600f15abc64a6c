/**
 * Klaxon against its peer and its ceiling, measured in one run on this machine with the load
 * generator (autocannon) and the webhook receiver in this process:
 *
 *   ceiling  a bare Fastify handler answering 202 (bench/bare-server.ts)
 *   peer     Prometheus Alertmanager (Debian's prometheus-alertmanager), started here on 127.0.0.1
 *            with clustering off, every alert its own group (group_by ['...']), group_wait 0s,
 *            group_interval 1s, repeat_interval 24h, delivering to a webhook receiver in this process
 *
 * Figures
 *   1. events/s accepted, 50 connections, BENCH_SECONDS (default 10), 1,000 dedup keys / label sets:
 *      Klaxon PagerDuty format on SQLite (synchronous=FULL) and on PostgreSQL (a fresh database on
 *      KLAXON_BENCH_DATABASE_URL or KLAXON_TEST_DATABASE_URL, dropped after; else "skipped"), with
 *      the paging set-up below; Alertmanager /api/v2/alerts; bare Fastify. Also Klaxon on SQLite
 *      with a service that has no escalation policy (the ingest path alone), and how many of the
 *      incidents a run opened were paged while it ran.
 *   2. latency from accepted event (2xx seen by the client) to the page received by the webhook
 *      receiver, p50 and p99, at 1,000 new events/s offered (evenly paced, open loop): each event
 *      opens an incident that pages, at once, a user whose only rule is a webhook at delay 0 (the
 *      sequence number rides in the summary); Alertmanager gets the same rate of new alerts, matched
 *      by a label. Repeated at BENCH_LOW_RATE (default 25/s), a rate both keep up with, so the two
 *      p99s also compare at the same load.
 *   3. a storm of 100,000 events (BENCH_STORM_EVENTS) on 1,000 dedup keys, 50 connections: events
 *      lost (2xx minus rows in alert_events), duplicate pages (pages minus distinct incidents), time
 *      to drain (first send to the last answer and the last page), Klaxon's peak memory (VmHWM just
 *      before it is stopped); the same storm into Alertmanager.
 *
 *   node --import tsx bench/peer.ts          (from the repository root; also part of `npm run bench`)
 *
 * Prints progress, then a table (each figure beside its baseline, with the ratio) and the goals of
 * issue 8 with PASS/MISS; writes bench/results/peer.json.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { Pool } from 'undici';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { configFromEnv } from '../apps/server/src/app/config.js';
import { localContext } from '../apps/server/src/app/klaxon.js';
import { SYSTEM } from '../apps/server/src/auth/actor.js';
import type { Database as KlaxonDatabase } from '../apps/server/src/database.js';
import { createPolicy } from '../apps/server/src/escalation/service.js';
import { openDb } from '../apps/server/src/lib/db/index.js';
import { createIntegration, createService } from '../apps/server/src/service/service.js';
import { addContactMethod, addNotificationRule, createUser, verifyContactMethod } from '../apps/server/src/user/service.js';
import { freePort, report, ROOT, spawnServer, stop, type Row } from './lib.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 50;
const KEYS = 1000;
/** Seconds of unmeasured load at the latency figure's rate before it is measured. */
const WARM_SECONDS = 2;
const RATE = 1000;
/** A second latency point where both systems keep up, so their p99 compare at the same load. */
const LOW_RATE = Number(process.env.BENCH_LOW_RATE ?? 25);
const STORM_EVENTS = Number(process.env.BENCH_STORM_EVENTS ?? 100_000);
const STORM_KEYS = 1000;
const ALERTMANAGER = process.env.BENCH_ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager';
const PG_ADMIN_URL = process.env.KLAXON_BENCH_DATABASE_URL || process.env.KLAXON_TEST_DATABASE_URL || '';
const KLAXON_BIN = join(ROOT, 'apps', 'server', 'bin', 'klaxon.js');
/** The webhook receiver runs on loopback: the servers the benchmark starts allow exactly that. */
const BENCH_EGRESS_ALLOW = '127.0.0.1/32';
const MB = 1024 * 1024;

const T0 = performance.now();
const phaseLoads: { phase: string; load: number }[] = [];
function progress(msg: string): void {
  // Each phase notes the machine's load average: another process on 2 cores skews every figure.
  if (msg.startsWith('figure')) phaseLoads.push({ phase: msg, load: loadavg()[0]! });
  const load = msg.startsWith('figure') ? ` (load average ${loadavg()[0]!.toFixed(2)})` : '';
  process.stdout.write(`[peer ${((performance.now() - T0) / 1000).toFixed(0).padStart(4)}s] ${msg}${load}\n`);
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Nearest-rank percentile of sorted numbers. */
function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

// ---------------------------------------------------------------------------------------------
// The webhook receiver: Klaxon's webhook provider POSTs to /klaxon, Alertmanager's to /am.
// ---------------------------------------------------------------------------------------------

/** One notification received: when (performance.now()), and what it was about. */
interface Receipt {
  t: number;
  /** Klaxon: the sequence number or key embedded in the incident title; Alertmanager: label `seq`. */
  seq: string;
  /** Klaxon: incident id; Alertmanager: the alert's fingerprint. */
  id: string;
  /** Klaxon: X-Klaxon-Delivery (stays the same across retries). */
  delivery?: string;
}

export class Receiver {
  klaxon: Receipt[] = [];
  am: Receipt[] = [];
  /** Alertmanager webhook POSTs (a POST may carry several alerts if groups ever merge). */
  amPosts = 0;
  /** Klaxon webhook documents that were not pages (the contact method's verification code). */
  klaxonOther = 0;
  badRequests = 0;
  url = '';
  private server = createServer((req, res) => this.handle(req, res));

  async start(): Promise<void> {
    const port = await freePort();
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((r) => this.server.listen(port, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${port}`;
  }

  reset(): void {
    this.klaxon = [];
    this.am = [];
    this.amPosts = 0;
    this.klaxonOther = 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const t = performance.now();
      try {
        const doc = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, any>;
        if (req.url === '/klaxon') {
          if (doc.event === 'incident.page') {
            const title = String(doc.incident?.title ?? '');
            const m = /#(\d+)/.exec(title);
            this.klaxon.push({ t, seq: m ? m[1]! : title, id: String(doc.incident?.id), delivery: String(req.headers['x-klaxon-delivery'] ?? '') });
          } else this.klaxonOther++;
        } else if (req.url === '/am') {
          this.amPosts++;
          for (const a of (doc.alerts ?? []) as { labels: Record<string, string>; fingerprint: string }[]) this.am.push({ t, seq: a.labels.seq ?? '', id: a.fingerprint });
        } else this.badRequests++;
      } catch {
        this.badRequests++;
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Load: autocannon with a body per request and the time each request was accepted (2xx).
// ---------------------------------------------------------------------------------------------

interface LoadOptions {
  url: string;
  connections: number;
  duration?: number;
  amount?: number;
  /** The body of request number `seq` (0, 1, 2, ... across all connections). */
  body: (seq: number) => string;
  /** Called with the request's number and performance.now() when it is built, just before it is written. */
  sent?: (seq: number, t: number) => void;
  /** Called with the request's number and performance.now() when it is answered 2xx. */
  accepted?: (seq: number, t: number) => void;
  /** Printed every 5 s while it runs. */
  label: string;
}

interface LoadResult {
  res: autocannon.Result;
  /** Answers by HTTP status. */
  statuses: Record<string, number>;
  ok: number;
  /** Requests built (and so sent or about to be); those unanswered when a timed run ended were dropped by autocannon. */
  built: number;
  /** performance.now() at the start and at the last answer. */
  start: number;
  lastAnswer: number;
}

function load(o: LoadOptions): Promise<LoadResult> {
  let next = 0;
  const statuses: Record<string, number> = {};
  let ok = 0;
  let lastAnswer = 0;
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const ticker = setInterval(() => progress(`  ${o.label}: ${ok} accepted, ${Object.entries(statuses).filter(([s]) => !s.startsWith('2')).map(([s, n]) => `${n}×${s}`).join(' ') || 'no other answers'}`), 5000);
    const instance = autocannon(
      {
        url: o.url,
        connections: o.connections,
        ...(o.duration !== undefined && { duration: o.duration }),
        ...(o.amount !== undefined && { amount: o.amount }),
        timeout: 30,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        requests: [
          {
            setupRequest: (req: any, context: any) => {
              const seq = next++;
              context.seq = seq;
              o.sent?.(seq, performance.now());
              return { ...req, body: o.body(seq) };
            },
            onResponse: (status: number, _body: string, context: any) => {
              const t = performance.now();
              lastAnswer = t;
              statuses[status] = (statuses[status] ?? 0) + 1;
              if (status >= 200 && status < 300) {
                ok++;
                o.accepted?.(context.seq as number, t);
              }
            },
          } as any,
        ],
      },
      (err, res) => {
        clearInterval(ticker);
        if (err) reject(err);
        else resolve({ res, statuses, ok, built: next, start, lastAnswer });
      },
    );
    autocannon.track(instance, { renderProgressBar: process.stdout.isTTY, renderResultsTable: false, renderLatencyTable: false });
  });
}

interface PacedResult {
  statuses: Record<string, number>;
  ok: number;
  built: number;
  errors: number;
  /** Seconds from the first request's due time to the last answer. */
  seconds: number;
}

/**
 * An open-loop load at a fixed rate for the latency figure: request i is due at start + i/rate and
 * is written then (or as soon as a connection is free), evenly spread, whatever the answers do.
 * autocannon's overallRate gives each connection its own per-second budget, so 25/s over 25
 * connections arrives as a burst of 25 at the top of every second: that measured bursts, not a rate.
 * `sent` is the due time, so a request that waited for a connection counts its wait.
 */
async function paced(o: { url: string; rate: number; seconds: number; connections: number; body: (seq: number) => string; sent: (seq: number, t: number) => void; accepted: (seq: number, t: number) => void; label: string }): Promise<PacedResult> {
  const u = new URL(o.url);
  const pool = new Pool(u.origin, { connections: o.connections, headersTimeout: 30_000, bodyTimeout: 30_000 });
  const statuses: Record<string, number> = {};
  let ok = 0;
  let errors = 0;
  let lastAnswer = 0;
  const total = Math.round(o.rate * o.seconds);
  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  const ticker = setInterval(() => progress(`  ${o.label}: ${ok} accepted of ${inFlight.length} sent`), 5000);
  try {
    for (let seq = 0; seq < total; seq++) {
      const due = start + (seq * 1000) / o.rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      o.sent(seq, due);
      inFlight.push(
        pool
          .request({ method: 'POST', path: u.pathname, headers: { 'content-type': 'application/json' }, body: o.body(seq) })
          .then(async (res) => {
            await res.body.dump();
            lastAnswer = performance.now();
            statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
            if (res.statusCode >= 200 && res.statusCode < 300) {
              ok++;
              o.accepted(seq, performance.now());
            }
          })
          .catch(() => {
            errors++;
          }),
      );
    }
    await Promise.all(inFlight);
  } finally {
    clearInterval(ticker);
    await pool.close();
  }
  return { statuses, ok, built: total, errors, seconds: (lastAnswer - start) / 1000 };
}

/** PagerDuty Events v2 trigger. */
export function pdBody(routingKey: string, dedupKey: string, summary: string, i: number): string {
  return JSON.stringify({
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: { summary, source: `api-${i % KEYS}`, severity: 'critical', custom_details: { p99_ms: 2000 + (i % 500) } },
  });
}

/** One alert for Alertmanager's /api/v2/alerts. */
function amBody(labels: Record<string, string>, summary: string, i: number): string {
  return JSON.stringify([
    { labels: { alertname: 'LatencyHigh', severity: 'critical', ...labels }, annotations: { summary, source: `api-${i % KEYS}`, p99_ms: String(2000 + (i % 500)) }, startsAt: new Date().toISOString() },
  ]);
}

// ---------------------------------------------------------------------------------------------
// Klaxon: a fresh database set up through the service verbs, then `klaxon serve` as a child process.
// ---------------------------------------------------------------------------------------------

interface Database {
  url: string;
  label: string;
  drop(): Promise<void>;
}

export function sqliteDatabase(): Database {
  const dir = mkdtempSync(join(tmpdir(), 'klaxon-peer-'));
  return { url: join(dir, 'klaxon.db'), label: 'SQLite', drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

export async function postgresDatabase(admin: string): Promise<Database> {
  const name = `klaxon_bench_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    label: 'PostgreSQL',
    drop: async () => {
      const d = new pg.Client({ connectionString: admin });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await d.end();
    },
  };
}

/**
 * One on-call user whose only notification rule is a verified webhook contact method at delay 0
 * (the code read back from the outbox), a one-level policy paging them at once, a service on that
 * policy (grouping none: each new dedup key opens its own incident) and a PagerDuty integration.
 */
export async function seed(dbUrl: string, webhookUrl: string, paging = true): Promise<string> {
  // The receiver listens on loopback, which the egress policy refuses unless allowed.
  const local = await localContext({ ...configFromEnv({ KLAXON_EGRESS_ALLOW: BENCH_EGRESS_ALLOW }), databaseUrl: dbUrl });
  try {
    const { ctx } = local;
    const user = await createUser(ctx, SYSTEM, { email: 'oncall@bench.local', name: 'On Call' });
    const cm = await addContactMethod(ctx, SYSTEM, user.id, { name: 'bench webhook', type: 'webhook', address: webhookUrl });
    const sent = await ctx.db.kysely.selectFrom('outbox').select('content').where('contact_method_id', '=', cm.id).where('kind', '=', 'verification').executeTakeFirstOrThrow();
    await verifyContactMethod(ctx, SYSTEM, cm.id, (JSON.parse(sent.content) as { code: string }).code);
    await addNotificationRule(ctx, SYSTEM, user.id, { contactMethodId: cm.id, delayMinutes: 0 });
    const policy = await createPolicy(ctx, SYSTEM, { name: 'bench', levels: [{ delayMinutes: 60, targets: [{ type: 'user', id: user.id }] }] });
    const svc = await createService(ctx, SYSTEM, { name: 'bench', ...(paging && { escalationPolicyId: policy.id }) });
    const integ = await createIntegration(ctx, SYSTEM, svc.id, { name: 'pd', kind: 'pagerduty' });
    return integ.key!;
  } finally {
    await local.close();
  }
}

/** Counts in the database after a run. */
async function dbCounts(dbUrl: string): Promise<{ events: number; created: number; incidents: number; pages: number; pageIncidents: number; outbox: Record<string, number> }> {
  // Opened without migrating: the server may have run migrations newer than this process loaded.
  const handle = openDb<KlaxonDatabase>(dbUrl);
  try {
    const db = handle.kysely;
    const n = async (q: Promise<{ n: number | string }>) => Number((await q).n);
    const events = await n(db.selectFrom('alert_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow());
    const created = await n(db.selectFrom('alert_events').select((eb) => eb.fn.countAll<number>().as('n')).where('outcome', '=', 'created').executeTakeFirstOrThrow());
    const incidents = await n(db.selectFrom('incidents').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow());
    const pages = await n(db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', '=', 'page').executeTakeFirstOrThrow());
    const pageIncidents = await n(db.selectFrom('outbox').select((eb) => eb.fn.count<number>('incident_id').distinct().as('n')).where('kind', '=', 'page').executeTakeFirstOrThrow());
    const rows = await db.selectFrom('outbox').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).where('kind', '=', 'page').groupBy('status').execute();
    return { events, created, incidents, pages, pageIncidents, outbox: Object.fromEntries(rows.map((r) => [r.status, Number(r.n)])) };
  } finally {
    await handle.close();
  }
}

/** Peak resident memory (VmHWM, or another field of /proc/<pid>/status) of a process, in bytes; NaN if it cannot be read. */
function peakMemory(pid: number | undefined, field = 'VmHWM'): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** A child process with its log lines collected (warnings and errors kept for the notes). */
interface Child {
  proc: ChildProcess;
  url: string;
  problems: string[];
  warnCount: number;
  errorCount: number;
  stop(): Promise<void>;
}

function collectLogs(c: Pick<Child, 'problems' | 'warnCount' | 'errorCount'>, stream: NodeJS.ReadableStream, parse: (line: string) => 'error' | 'warn' | null): void {
  let buf = '';
  stream.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      const level = parse(line);
      if (level === 'error') c.errorCount++;
      if (level === 'warn') c.warnCount++;
      if (level && c.problems.length < 200) c.problems.push(line.slice(0, 400));
    }
  });
}

/** `klaxon serve` on a database; resolves once it is serving. */
export async function startKlaxon(dbUrl: string): Promise<Child> {
  const port = await freePort();
  // KLAXON_BENCH_NODE_ARGS: extra node flags for the Klaxon process, e.g. --cpu-prof to profile a phase.
  const nodeArgs = (process.env.KLAXON_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const proc = spawn(process.execPath, [...nodeArgs, KLAXON_BIN, 'serve'], {
    cwd: ROOT,
    env: { ...process.env, KLAXON_DATABASE_URL: dbUrl, KLAXON_PORT: String(port), KLAXON_HOST: '127.0.0.1', KLAXON_LOG_LEVEL: 'warn', KLAXON_INGEST_RATE_LIMIT_PER_MINUTE: '100000000', KLAXON_EGRESS_ALLOW: BENCH_EGRESS_ALLOW },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const c: Child = { proc, url: `http://127.0.0.1:${port}`, problems: [], warnCount: 0, errorCount: 0, stop: () => stop(proc) };
  const pinoLevel = (line: string): 'error' | 'warn' | null => {
    if (!line.startsWith('{')) return null;
    try {
      const level = (JSON.parse(line) as { level?: number }).level ?? 0;
      return level >= 50 ? 'error' : level >= 40 ? 'warn' : null;
    } catch {
      return null;
    }
  };
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()).length > 20_000 && (err = err.slice(-10_000)));
  collectLogs(c, proc.stderr!, (line) => (line.trim() ? 'error' : null));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('Klaxon is running')) {
        proc.stdout!.off('data', onData);
        resolve();
      }
    };
    proc.stdout!.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`klaxon serve exited (${code}) before it was ready: ${err}`)));
  });
  collectLogs(c, proc.stdout!, pinoLevel);
  return c;
}

/** Engine figures from /metrics: module run time (s) and failures. */
/** CPU seconds the Klaxon process has used so far (user + system), from its /metrics. */
async function cpuSeconds(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = /^klaxon_process_process_cpu_seconds_total ([\d.e+-]+)$/m.exec(text);
  return m ? Number(m[1]) : NaN;
}

async function engineMetrics(url: string): Promise<{ seconds: Record<string, number>; errors: Record<string, number>; messages: Record<string, number>; sqlite: { commits: number; syncs: number; checkpoints: number } }> {
  const out = { seconds: {} as Record<string, number>, errors: {} as Record<string, number>, messages: {} as Record<string, number>, sqlite: { commits: 0, syncs: 0, checkpoints: 0 } };
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    for (const m of text.matchAll(/^klaxon_engine_module_seconds_sum\{module="([^"]+)"\} ([\d.e+-]+)$/gm)) out.seconds[m[1]!] = Number(m[2]);
    for (const m of text.matchAll(/^klaxon_engine_module_errors_total\{module="([^"]+)"\} ([\d.e+-]+)$/gm)) out.errors[m[1]!] = Number(m[2]);
    out.sqlite.commits = Number(/^klaxon_sqlite_commits ([\d.e+-]+)$/m.exec(text)?.[1] ?? 0);
    out.sqlite.syncs = Number(/^klaxon_sqlite_syncs ([\d.e+-]+)$/m.exec(text)?.[1] ?? 0);
    out.sqlite.checkpoints = Number(/^klaxon_sqlite_checkpoints ([\d.e+-]+)$/m.exec(text)?.[1] ?? 0);
    for (const m of text.matchAll(/^klaxon_messages_total\{channel="([^"]+)",result="([^"]+)"\} ([\d.e+-]+)$/gm)) out.messages[`${m[1]}/${m[2]}`] = Number(m[3]);
  } catch {
    /* the figures are notes only */
  }
  return out;
}

/** Times GET /healthz every 250 ms: the longest answer shows how long the event loop stalled. */
function stallProbe(url: string): { stop(): { max: number; over1s: number; failed: number } } {
  let max = 0;
  let over1s = 0;
  let failed = 0;
  let running = true;
  void (async () => {
    while (running) {
      const t = performance.now();
      try {
        const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(30_000) });
        await r.arrayBuffer();
        if (r.status !== 200) failed++;
      } catch {
        failed++;
      }
      const d = performance.now() - t;
      max = Math.max(max, d);
      if (d > 1000) over1s++;
      await sleep(250);
    }
  })();
  return {
    stop: () => {
      running = false;
      return { max, over1s, failed };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Alertmanager
// ---------------------------------------------------------------------------------------------

async function startAlertmanager(webhookUrl: string): Promise<Child & { dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'klaxon-peer-am-'));
  const port = await freePort();
  const config = [
    'route:',
    '  receiver: bench',
    "  group_by: ['...']",
    '  group_wait: 0s',
    '  group_interval: 1s',
    '  repeat_interval: 24h',
    'receivers:',
    '  - name: bench',
    '    webhook_configs:',
    `      - url: ${webhookUrl}`,
    '        send_resolved: false',
    '',
  ].join('\n');
  writeFileSync(join(dir, 'alertmanager.yml'), config);
  const proc = spawn(
    ALERTMANAGER,
    [`--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const url = `http://127.0.0.1:${port}`;
  const c = {
    proc,
    url,
    dir,
    problems: [] as string[],
    warnCount: 0,
    errorCount: 0,
    stop: async () => {
      await stop(proc);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const logfmt = (line: string) => (/level=error/.test(line) ? 'error' : /level=warn/.test(line) ? 'warn' : null);
  collectLogs(c, proc.stderr!, logfmt);
  collectLogs(c, proc.stdout!, logfmt);
  let exited = false;
  proc.once('exit', () => (exited = true));
  for (let i = 0; i < 200; i++) {
    if (exited) throw new Error(`${ALERTMANAGER} exited before it was ready: ${c.problems.join('\n')}`);
    try {
      if ((await fetch(`${url}/-/ready`)).status === 200) return c;
    } catch {
      /* not listening yet */
    }
    await sleep(50);
  }
  await c.stop();
  throw new Error(`${ALERTMANAGER} did not become ready`);
}

// ---------------------------------------------------------------------------------------------
// Phases
// ---------------------------------------------------------------------------------------------

/** Waits until `done()` or no progress in `idleMs`, or `maxMs` in all; prints progress. */
async function waitFor(label: string, count: () => number, target: number, opts: { idleMs: number; maxMs: number }): Promise<boolean> {
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

interface Throughput {
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

function summarize(r: LoadResult, seconds: number): Throughput {
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

async function throughputBare(): Promise<Throughput> {
  const port = await freePort();
  const bare = await spawnServer(['--import', 'tsx', join(ROOT, 'bench', 'bare-server.ts')], { PORT: String(port) }, 'bare ready');
  progress(`figure 1: bare Fastify 202, ${CONNECTIONS} connections, ${SECONDS}s`);
  try {
    const r = await load({ url: `http://127.0.0.1:${port}/v2/enqueue`, connections: CONNECTIONS, duration: SECONDS, body: (i) => pdBody('bare-routing-key-0000', `bench-${i % KEYS}`, `Latency high on api-${i % KEYS}`, i), label: 'bare' });
    return summarize(r, SECONDS);
  } finally {
    await stop(bare);
  }
}

export async function throughputKlaxon(db: Database, receiver: Receiver, paging = true): Promise<Throughput> {
  const key = await seed(db.url, `${receiver.url}/klaxon`, paging);
  const k = await startKlaxon(db.url);
  progress(`figure 1: Klaxon on ${db.label}${paging ? '' : ', service without an escalation policy (nobody paged)'}, ${CONNECTIONS} connections, ${SECONDS}s, ${KEYS} dedup keys`);
  const probe = stallProbe(k.url);
  receiver.reset();
  const cpuBefore = await cpuSeconds(k.url);
  let t: Throughput;
  let paged: { duringRun: number; total: number; lastAfterEndSeconds: number } | undefined;
  try {
    const r = await load({ url: `${k.url}/v2/enqueue`, connections: CONNECTIONS, duration: SECONDS, body: (i) => pdBody(key, `bench-${i % KEYS}`, `Latency high on api-${i % KEYS}`, i), label: `Klaxon ${db.label}` });
    const end = performance.now();
    t = summarize(r, SECONDS);
    t.stall = probe.stop();
    if (paging) {
      // Pages still owed for the incidents the run opened (requests in flight at the end may still commit).
      const duringRun = receiver.klaxon.filter((x) => x.t <= end).length;
      await sleep(500);
      let opened = (await dbCounts(db.url)).incidents;
      progress(`  Klaxon ${db.label}: ${duringRun} pages during the run for ${opened} incidents; waiting for the rest`);
      for (let round = 0; round < 3; round++) {
        if (!(await waitFor(`Klaxon ${db.label} pages after the run`, () => receiver.klaxon.length, opened, { idleMs: 30_000, maxMs: 90_000 }))) break;
        const now = (await dbCounts(db.url)).incidents;
        if (now === opened) break;
        opened = now;
      }
      const last = receiver.klaxon.reduce((m, x) => Math.max(m, x.t), end);
      paged = { duringRun, total: receiver.klaxon.length, lastAfterEndSeconds: (last - end) / 1000 };
    }
    t.engine = await engineMetrics(k.url);
    // Work per event, whatever else the machine runs: the process's CPU time over the load and its paging.
    t.cpuSeconds = (await cpuSeconds(k.url)) - cpuBefore;
  } finally {
    probe.stop();
    await k.stop();
  }
  const counts = await dbCounts(db.url);
  t.stored = counts.events;
  if (paged) t.paging = { incidents: counts.incidents, ...paged };
  t.logs = { warn: k.warnCount, error: k.errorCount, sample: k.problems.slice(0, 5) };
  return t;
}

async function throughputAlertmanager(receiver: Receiver): Promise<Throughput> {
  const am = await startAlertmanager(`${receiver.url}/am`);
  progress(`figure 1: Alertmanager /api/v2/alerts, ${CONNECTIONS} connections, ${SECONDS}s, ${KEYS} label sets`);
  try {
    const r = await load({ url: `${am.url}/api/v2/alerts`, connections: CONNECTIONS, duration: SECONDS, body: (i) => amBody({ key: `bench-${i % KEYS}`, seq: String(i % KEYS) }, `Latency high on api-${i % KEYS}`, i), label: 'Alertmanager' });
    const t = summarize(r, SECONDS);
    t.logs = { warn: am.warnCount, error: am.errorCount, sample: am.problems.slice(0, 5) };
    return t;
  } finally {
    await am.stop();
  }
}

interface Latency {
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
function latencies(sentAt: Map<number, number>, acceptedAt: Map<number, number>, receipts: Receipt[], stoppedAt: number) {
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
  progress(`figure 2: ${db ? 'Klaxon on SQLite' : 'Alertmanager'}, ${rate} new ${db ? 'incidents' : 'alerts'}/s offered for ${SECONDS}s after ${WARM_SECONDS}s of warm-up (evenly paced, open loop, up to ${CONNECTIONS} connections)`);
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


interface Storm {
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
function pageStats(receipts: Receipt[], r: LoadResult) {
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
    firstPageSeconds: receipts.length ? (receipts[0]!.t - r.start) / 1000 : NaN,
    allPagedSeconds: (allAt - r.start) / 1000,
    p99: r.res.latency.p99,
    max: r.res.latency.max,
  };
}

/** Waits for every key to be paged, then 3 s more for any duplicate. */
async function drainPages(label: string, distinct: () => number): Promise<void> {
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

async function stormAlertmanager(receiver: Receiver): Promise<Storm> {
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

// ---------------------------------------------------------------------------------------------
// Goals and the report
// ---------------------------------------------------------------------------------------------

interface Goal {
  goal: string;
  pass: boolean;
  detail: string;
}

function atLeast(goal: string, value: number, min: number, what: string): Goal {
  if (!Number.isFinite(value)) return { goal, pass: false, detail: `not measured (${what})` };
  const pass = value >= min;
  return { goal, pass, detail: `${value.toFixed(2)}× (${what}); ${pass ? `${((value / min - 1) * 100).toFixed(0)}% above` : `${((1 - value / min) * 100).toFixed(0)}% short: needs ${(min / value).toFixed(2)}× more`}` };
}

function below(goal: string, value: number, max: number, unit: string, what: string): Goal {
  if (!Number.isFinite(value) || !Number.isFinite(max)) return { goal, pass: false, detail: `not measured (${what})` };
  const pass = value < max;
  return { goal, pass, detail: `${value.toFixed(0)} ${unit} vs ${max.toFixed(0)} ${unit} (${what}); ${pass ? `${(max - value).toFixed(0)} ${unit} under` : `${(value - max).toFixed(0)} ${unit} over (${(value / max).toFixed(1)}×)`}` };
}

function exactlyZero(goal: string, value: number, what: string): Goal {
  return { goal, pass: value === 0, detail: `${value} (${what})` };
}

/** Runs the benchmark and returns its rows. */
/** The 1-minute load average, and a warning when something else is using the machine. */
function machineLoad(when: string): number {
  const load = loadavg()[0]!;
  const cores = cpus().length;
  if (load > 0.75 * cores) progress(`WARNING ${when}: load average ${load.toFixed(2)} on ${cores} cores: something else is running; the figures will be noisy`);
  return load;
}

/**
 * Milliseconds per durable commit on this disk (SQLite, WAL, synchronous=FULL, one small insert per
 * transaction): Klaxon's engine commits several times per page, so its figures move with this.
 */
function commitProbe(): number {
  const dir = mkdtempSync(join(tmpdir(), 'klaxon-peer-fsync-'));
  try {
    const db = new SQLite(join(dir, 'probe.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('create table t (id integer primary key, v text)');
    const insert = db.prepare('insert into t (v) values (?)');
    const one = db.transaction(() => insert.run('x'));
    const n = 100;
    const t = performance.now();
    for (let i = 0; i < n; i++) one();
    const ms = (performance.now() - t) / n;
    db.close();
    return ms;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchPeer(): Promise<Row[]> {
  const loadBefore = machineLoad('before the run');
  const commitBefore = commitProbe();
  progress(`durable commit on this disk: ${commitBefore.toFixed(2)} ms (SQLite WAL, synchronous=FULL)`);
  const receiver = new Receiver();
  await receiver.start();
  progress(
    `webhook receiver on ${receiver.url}; ${SECONDS}s per timed run, ${CONNECTIONS} connections; storm ${STORM_EVENTS} events; PostgreSQL: ${PG_ADMIN_URL ? 'yes' : 'skipped (set KLAXON_BENCH_DATABASE_URL or KLAXON_TEST_DATABASE_URL)'}`,
  );
  try {
    // Figure 1
    const bare = await throughputBare();
    const onSqlite = async (paging: boolean) => {
      const db = sqliteDatabase();
      try {
        return await throughputKlaxon(db, receiver, paging);
      } finally {
        await db.drop();
      }
    };
    const kSqlite = await onSqlite(true);
    const kBareIngest = await onSqlite(false);
    let kPg: Throughput | null = null;
    if (PG_ADMIN_URL) {
      const pgDb = await postgresDatabase(PG_ADMIN_URL);
      try {
        kPg = await throughputKlaxon(pgDb, receiver);
      } finally {
        await pgDb.drop();
      }
    }
    const amT = await throughputAlertmanager(receiver);

    // Figure 2: at the rate the issue names, then at a rate both keep up with.
    const kLat = await latencyRun('klaxon', receiver, RATE);
    const amLat = await latencyRun('alertmanager', receiver, RATE);
    const kLow = await latencyRun('klaxon', receiver, LOW_RATE);
    const amLow = await latencyRun('alertmanager', receiver, LOW_RATE);

    // Figure 3
    const kStorm = await stormKlaxon(receiver);
    const amStorm = await stormAlertmanager(receiver);

    const kStormRate = kStorm.accepted / kStorm.requestSeconds;
    const amStormRate = amStorm.accepted / amStorm.requestSeconds;
    const lost = kStorm.accepted - (kStorm.stored ?? NaN);
    const rows: Row[] = [
      { figure: '1. events/s accepted: bare Fastify 202', value: bare.perSec, unit: 'ev/s' },
      { figure: '1. events/s accepted: Alertmanager', value: amT.perSec, unit: 'ev/s', baseline: { name: 'bare Fastify', value: bare.perSec } },
      { figure: '1. events/s accepted: Klaxon SQLite', value: kSqlite.perSec, unit: 'ev/s', baseline: { name: 'bare Fastify', value: bare.perSec } },
      { figure: '1. events/s accepted: Klaxon SQLite', value: kSqlite.perSec, unit: 'ev/s', baseline: { name: 'Alertmanager', value: amT.perSec } },
      ...(kPg
        ? ([
            { figure: '1. events/s accepted: Klaxon PostgreSQL', value: kPg.perSec, unit: 'ev/s', baseline: { name: 'bare Fastify', value: bare.perSec } },
            { figure: '1. events/s accepted: Klaxon PostgreSQL', value: kPg.perSec, unit: 'ev/s', baseline: { name: 'Alertmanager', value: amT.perSec } },
          ] satisfies Row[])
        : []),
      ...([['SQLite', kSqlite], ['PostgreSQL', kPg]] as const).flatMap(([name, t]) =>
        t?.paging
          ? ([
              { figure: `1. incidents paged during the run: ${name}`, value: t.paging.duringRun, unit: 'incid.', baseline: { name: 'incidents opened', value: t.paging.incidents } },
              { figure: `1. last page after the run ended: ${name}`, value: t.paging.lastAfterEndSeconds, unit: 's' },
            ] satisfies Row[])
          : [],
      ),
      { figure: '1. (no policy: ingest alone) Klaxon SQLite', value: kBareIngest.perSec, unit: 'ev/s', baseline: { name: 'bare Fastify', value: bare.perSec } },
      { figure: '1. answer p99: Klaxon SQLite', value: kSqlite.p99, unit: 'ms', baseline: { name: 'Alertmanager', value: Math.max(amT.p99, 0.01) } },
      { figure: `2. accepted→provider p50 @${RATE}/s: Klaxon`, value: kLat.p50, unit: 'ms', baseline: { name: 'Alertmanager', value: amLat.p50 } },
      { figure: `2. accepted→provider p99 @${RATE}/s: Klaxon`, value: kLat.p99, unit: 'ms', baseline: { name: 'Alertmanager', value: amLat.p99 } },
      { figure: `2. sent→provider p99 @${RATE}/s: Klaxon`, value: kLat.sentP99, unit: 'ms', baseline: { name: 'Alertmanager', value: amLat.sentP99 } },
      { figure: `2. events/s accepted @${RATE}/s offered: Klaxon`, value: kLat.acceptedPerSec, unit: 'ev/s', baseline: { name: 'Alertmanager', value: amLat.acceptedPerSec } },
      { figure: `2. pages missing @${RATE}/s: Klaxon`, value: kLat.missing, unit: 'pages' },
      { figure: `2. notifications missing @${RATE}/s: Alertmanager`, value: amLat.missing, unit: 'pages' },
      { figure: `2. accepted→provider p50 @${LOW_RATE}/s: Klaxon`, value: kLow.p50, unit: 'ms', baseline: { name: 'Alertmanager', value: amLow.p50 } },
      { figure: `2. accepted→provider p99 @${LOW_RATE}/s: Klaxon`, value: kLow.p99, unit: 'ms', baseline: { name: 'Alertmanager', value: amLow.p99 } },
      { figure: `2. events/s accepted @${LOW_RATE}/s offered: Klaxon`, value: kLow.acceptedPerSec, unit: 'ev/s', baseline: { name: 'Alertmanager', value: amLow.acceptedPerSec } },
      { figure: '3. storm events lost (2xx − alert_events)', value: lost, unit: 'events' },
      { figure: '3. storm events stored: Klaxon', value: kStorm.stored ?? NaN, unit: 'events', baseline: { name: '2xx answers', value: kStorm.accepted } },
      { figure: '3. storm duplicate pages: Klaxon', value: kStorm.duplicates, unit: 'pages' },
      { figure: '3. storm duplicate notifications: Alertmanager', value: amStorm.duplicates, unit: 'pages' },
      { figure: '3. storm incidents paged: Klaxon', value: kStorm.distinctPaged, unit: 'incid.', baseline: { name: 'dedup keys', value: STORM_KEYS } },
      { figure: '3. storm time to drain: Klaxon', value: kStorm.drainSeconds, unit: 's', baseline: { name: 'Alertmanager', value: amStorm.drainSeconds } },
      { figure: '3. storm events/s accepted: Klaxon', value: kStormRate, unit: 'ev/s', baseline: { name: 'Alertmanager', value: amStormRate } },
      { figure: '3. storm answer max: Klaxon', value: kStorm.max, unit: 'ms', baseline: { name: 'Alertmanager', value: amStorm.max } },
      { figure: '3. storm peak memory (VmHWM): Klaxon', value: kStorm.peakBytes / MB, unit: 'MB', baseline: { name: 'Alertmanager', value: amStorm.peakBytes / MB } },
      { figure: '3. memory at start, before load: Klaxon', value: (kStorm.startBytes ?? NaN) / MB, unit: 'MB' },
      { figure: '3. storm non-2xx + errors: Klaxon', value: Object.values(kStorm.other).reduce((a, b) => a + b, 0) + kStorm.errors, unit: 'req' },
    ];

    const rateNote = (l: Latency) => `${l.acceptedPerSec.toFixed(0)}/s accepted`;
    const latencyGoal = below('p99 accepted→provider < Alertmanager p99', kLat.p99, amLat.p99, 'ms', `${RATE}/s offered; Klaxon ${rateNote(kLat)}, Alertmanager ${rateNote(amLat)}${kLat.missing ? `; ${kLat.missing} pages missing, counted as a lower bound` : ''}`);
    const reached = kLat.acceptedPerSec >= 0.95 * RATE && amLat.acceptedPerSec >= 0.95 * RATE;
    if (!reached) {
      // Below the offered rate the two were not measured at the same load: the latency is not comparable.
      latencyGoal.detail += `; NOT at the same rate (${RATE}/s not reached by ${[kLat, amLat].filter((l) => l.acceptedPerSec < 0.95 * RATE).map((l) => (l === kLat ? 'Klaxon' : 'Alertmanager')).join(' and ')})`;
      if (kLat.acceptedPerSec < 0.95 * RATE) latencyGoal.pass = false;
    }
    const goals: Goal[] = [
      atLeast('ingest ≥ 0.5 × bare Fastify (SQLite)', kSqlite.perSec / bare.perSec, 0.5, `${kSqlite.perSec.toFixed(0)} vs ${bare.perSec.toFixed(0)} ev/s`),
      ...(kPg ? [atLeast('ingest ≥ 0.5 × bare Fastify (PostgreSQL)', kPg.perSec / bare.perSec, 0.5, `${kPg.perSec.toFixed(0)} vs ${bare.perSec.toFixed(0)} ev/s`)] : []),
      atLeast('ingest ≥ 2 × Alertmanager (SQLite)', kSqlite.perSec / amT.perSec, 2, `${kSqlite.perSec.toFixed(0)} vs ${amT.perSec.toFixed(0)} ev/s`),
      ...(kPg ? [atLeast('ingest ≥ 2 × Alertmanager (PostgreSQL)', kPg.perSec / amT.perSec, 2, `${kPg.perSec.toFixed(0)} vs ${amT.perSec.toFixed(0)} ev/s`)] : []),
      atLeast('ingest ≥ 2 × Alertmanager (the storm)', kStormRate / amStormRate, 2, `${kStormRate.toFixed(0)} vs ${amStormRate.toFixed(0)} ev/s`),
      latencyGoal,
      below(`  (same at ${LOW_RATE}/s, both keeping up)`, kLow.p99, amLow.p99, 'ms', `Klaxon ${rateNote(kLow)}, Alertmanager ${rateNote(amLow)}`),
      below('storm peak memory < 300 MB', kStorm.peakBytes / MB, 300, 'MB', 'VmHWM of the Klaxon process'),
      exactlyZero('storm: 0 events lost', lost, `${kStorm.accepted} answered 2xx, ${kStorm.stored} in alert_events`),
      exactlyZero('storm: 0 duplicate pages', kStorm.duplicates, `${kStorm.pages} pages for ${kStorm.distinctPaged} incidents`),
    ];

    const loadAfter = machineLoad('after the run');
    const commitAfter = commitProbe();
    const meta = {
      loadAverage: { before: loadBefore, after: loadAfter, cores: cpus().length, phases: phaseLoads },
      durableCommitMs: { before: commitBefore, after: commitAfter },
      connections: CONNECTIONS,
      seconds: SECONDS,
      rate: RATE,
      lowRate: LOW_RATE,
      storm: { events: STORM_EVENTS, keys: STORM_KEYS },
      postgres: kPg ? 'measured' : 'skipped: no KLAXON_BENCH_DATABASE_URL or KLAXON_TEST_DATABASE_URL',
      alertmanager: ALERTMANAGER,
      goals,
      details: {
        bare,
        klaxonSqlite: kSqlite,
        klaxonSqliteNoPolicy: kBareIngest,
        klaxonPostgres: kPg,
        alertmanager: amT,
        latency: { klaxon: kLat, alertmanager: amLat, klaxonLow: kLow, alertmanagerLow: amLow },
        storm: { klaxon: kStorm, alertmanager: amStorm },
      },
    };
    report('peer', rows, meta);
    if (!kPg) process.stdout.write('  1. events/s accepted: Klaxon PostgreSQL          skipped (set KLAXON_BENCH_DATABASE_URL or KLAXON_TEST_DATABASE_URL)\n');

    process.stdout.write('\nGoals (issue 8)\n');
    for (const g of goals) process.stdout.write(`  ${g.pass ? 'PASS' : 'MISS'}  ${g.goal.padEnd(46)} ${g.detail}\n`);

    const notes: string[] = [];
    const describe = (name: string, t: { other: Record<string, number>; errors: number; timeouts?: number; stall?: { max: number; over1s: number; failed: number }; logs?: { warn: number; error: number; sample: string[] }; engine?: Awaited<ReturnType<typeof engineMetrics>> }) => {
      const bits: string[] = [];
      const other = Object.entries(t.other).map(([s, n]) => `${n}×HTTP ${s}`);
      if (other.length) bits.push(`answers: ${other.join(', ')}`);
      if (t.errors) bits.push(`${t.errors} connection errors${t.timeouts ? ` (${t.timeouts} timeouts)` : ''}`);
      if (t.stall) bits.push(`longest /healthz answer ${t.stall.max.toFixed(0)} ms${t.stall.over1s ? ` (${t.stall.over1s} over 1 s)` : ''}${t.stall.failed ? `, ${t.stall.failed} failed` : ''}`);
      if (t.engine && Object.keys(t.engine.seconds).length) bits.push(`engine busy ${Object.entries(t.engine.seconds).filter(([, s]) => s >= 0.05).map(([m, s]) => `${m} ${s.toFixed(1)}s`).join(', ')}`);
      if (t.engine && Object.keys(t.engine.errors).length) bits.push(`engine module failures ${JSON.stringify(t.engine.errors)}`);
      if (t.engine && Object.keys(t.engine.messages).length) bits.push(`messages ${JSON.stringify(t.engine.messages)}`);
      if (t.logs && (t.logs.warn || t.logs.error)) bits.push(`log: ${t.logs.error} errors, ${t.logs.warn} warnings, e.g. ${t.logs.sample.slice(0, 2).join(' | ')}`);
      notes.push(`  ${name}: ${bits.join('; ') || 'nothing odd'}`);
    };
    describe('1. Klaxon SQLite', kSqlite);
    describe('1. Klaxon SQLite, no policy', kBareIngest);
    if (kPg) describe('1. Klaxon PostgreSQL', kPg);
    describe('1. Alertmanager', amT);
    describe(`2. Klaxon @${RATE}/s`, kLat);
    describe(`2. Alertmanager @${RATE}/s`, amLat);
    describe(`2. Klaxon @${LOW_RATE}/s`, kLow);
    describe(`2. Alertmanager @${LOW_RATE}/s`, amLow);
    describe('3. Klaxon storm', kStorm);
    describe('3. Alertmanager storm', amStorm);
    notes.push(`  1. stored vs 2xx (a timed run also stores requests still in flight when it ends): SQLite ${kSqlite.stored} vs ${kSqlite.ok}, no policy ${kBareIngest.stored} vs ${kBareIngest.ok}${kPg ? `, PostgreSQL ${kPg.stored} vs ${kPg.ok}` : ''}`);
    for (const [name, l] of [[`Klaxon @${RATE}/s`, kLat], [`Alertmanager @${RATE}/s`, amLat], [`Klaxon @${LOW_RATE}/s`, kLow], [`Alertmanager @${LOW_RATE}/s`, amLow]] as const) {
      notes.push(`  2. ${name}: ${l.sent} sent, ${l.accepted} accepted, ${l.received} paged, ${l.missing} missing, ${l.duplicates} duplicates; accepted→provider p50 ${l.p50.toFixed(0)} p99 ${l.p99.toFixed(0)} max ${l.max.toFixed(0)} ms; sent→provider p50 ${l.sentP50.toFixed(0)} p99 ${l.sentP99.toFixed(0)} ms`);
    }
    notes.push(
      `  3. Klaxon storm: requests ${kStorm.requestSeconds.toFixed(1)}s (answer p99 ${kStorm.p99} ms, max ${kStorm.max} ms), ${kStorm.created} created events, ${kStorm.incidents} incidents, page outbox ${kStorm.outboxPages} rows ${JSON.stringify(kStorm.outbox)}, ${kStorm.retriedDeliveries} re-sent deliveries, first page after ${kStorm.firstPageSeconds.toFixed(1)}s, all ${kStorm.distinctPaged} paged after ${kStorm.allPagedSeconds.toFixed(1)}s`,
    );
    notes.push(
      `  3. Alertmanager storm: requests ${amStorm.requestSeconds.toFixed(1)}s (answer p99 ${amStorm.p99} ms, max ${amStorm.max} ms), ${amStorm.pages} notifications for ${amStorm.distinctPaged} alerts, first after ${amStorm.firstPageSeconds.toFixed(1)}s, all after ${amStorm.allPagedSeconds.toFixed(1)}s`,
    );
    notes.push(`  machine: 1-minute load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after, ${cpus().length} cores; a durable SQLite commit took ${commitBefore.toFixed(2)} ms before, ${commitAfter.toFixed(2)} ms after`);
    if (receiver.badRequests) notes.push(`  webhook receiver: ${receiver.badRequests} requests it could not read`);
    process.stdout.write(`\nNotes\n${notes.join('\n')}\n`);
    return rows;
  } finally {
    await receiver.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchPeer();
