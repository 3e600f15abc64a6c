/**
 * Cost as the organisation grows (issue 19): builds an organisation at 1× a mid-size team (100 people
 * in 10 teams, 20 schedules of three layers, 5 escalation policies, 10 services, 500 open alerts on 50
 * open incidents, five years of history: 2,000 resolved incidents a year) and at 10× (and 100× with BENCH_ORG_100X=1),
 * and measures at each size on a real server process (`klaxon serve` on a fake clock, so the engine's
 * cycles are driven and timed one by one):
 *
 * - `klaxon apply` of the whole organisation (a fresh database: includes creating its tables) and again
 *   unchanged; `klaxon export` of it (each a CLI process: its start-up is the baseline row);
 * - engine cycle time p50/p99 while every open incident escalates (each level waits 1 minute; the
 *   clock moves a minute before each timed cycle: POST /api/v1/test/cycle, one HTTP round trip and
 *   the sends the cycle started included), and the engine's time per module from /metrics. Everyone
 *   has a verified e-mail (set in the database after apply), so each step pages someone; the e-mail
 *   goes to an SMTP server in this process that accepts every message;
 * - the first page of the incident list with each main filter; an incident page (the incident, its
 *   timeline and its alerts); who is on call now for every schedule; the public status page
 *   (uncached: the first request after a change) and cached;
 * - a schedule's final rendering for a quarter; each main report over the last year of history;
 * - the web app on a phone-class CPU: cold loads of the incident list and an incident's page in
 *   Debian's Chromium, CPU throttled ×4, until shown and until a tap is answered (as bench/web-load.ts);
 * - trigger → provider: 25 new incidents a second for BENCH_ORG_PROBE_SECONDS (8), each timed from
 *   its POST to its first e-mail page's arrival, while the open load's next level falls due (the clock
 *   moves a minute two seconds in and a full cycle runs, as the engine's timer would);
 * - the server's resident memory (VmRSS from /proc/<pid>/status) at rest after start-up and after the
 *   load above.
 *
 * Configuration goes in through `klaxon apply` of a generated file, the open alerts through the
 * PagerDuty Events API (/v2/enqueue), history by bulk inserts (as bench/reports.ts). On SQLite, and on
 * PostgreSQL when KLAXON_BENCH_DATABASE_URL or KLAXON_TEST_DATABASE_URL names an admin URL (a database
 * klaxon_bench_org_<size>x is created in it and dropped after).
 *
 *   node --import tsx bench/org.ts          (from the repository root)
 *   BENCH_ORG_100X=1 ...                    also 100× (10,000 people; takes much longer)
 *   BENCH_ORG_SQLITE_ONLY=1 ...             skip PostgreSQL (BENCH_ORG_POSTGRES_ONLY=1: skip SQLite)
 *   BENCH_ORG_SIZES=1,10 ...                choose the sizes (1 must be among them); BENCH_ORG_RUNS (default 30
 *                                           requests per figure) and BENCH_ORG_CYCLES (default 5 cycles)
 *   BENCH_ORG_HISTORY_YEARS=1 ...          years of history (default 5; runs before 2026-12-07 had one)
 *   BENCH_ORG_TRACE=1 ...                   print the trigger → provider phase second by second and each probe's latency
 *   BENCH_ORG_CPU_PROF=<dir> ...            the measuring server writes a V8 CPU profile (.cpuprofile) into <dir> when it stops
 *   BENCH_ORG_HOLD=1 ...                    after measuring the largest size, keep its server and database until SIGINT
 *   BENCH_ORG_WEB=0 ...                     skip the web app's cold loads in Chromium (BENCH_ORG_WEB_RUNS, default 3, per page)
 *
 * Prints each figure at 1× and its growth factor at 10× (and 100×), and writes bench/results/org.json.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import pg from 'pg';
import { createServer, type Server } from 'node:net';
import { openDatabase } from '../apps/server/src/app/klaxon.js';
import type { Database } from '../apps/server/src/database.js';
import { newId } from '../apps/server/src/lib/ids.js';
import { continueIncidentNumbersAfter } from '../apps/server/src/store.js';
import { freePort, report, ROOT, type Row, seededRandom, spawnServer, stop } from './lib.js';
import { must } from '../apps/server/src/lib/must.js';

const run = promisify(execFile);
const MIN = 60_000;
const DAY = 24 * 60 * MIN;
/** The server's fake clock starts here (a Monday morning in London). */
const NOW = Date.parse('2026-11-23T08:00:00Z');
const RUNS = Number(process.env.BENCH_ORG_RUNS ?? 30);
const CYCLES = Number(process.env.BENCH_ORG_CYCLES ?? 5);
/** Years of resolved incidents before NOW (2,000 a year at 1×): the issue's organisation has five. */
const YEARS = Number(process.env.BENCH_ORG_HISTORY_YEARS ?? 5);
/** The web app's cold loads at each size (webLoads), unless BENCH_ORG_WEB=0 or Chromium is missing. */
const WEB = process.env.BENCH_ORG_WEB !== '0';
const WEB_RUNS = Number(process.env.BENCH_ORG_WEB_RUNS ?? 3);
const SIZES = process.env.BENCH_ORG_SIZES ? process.env.BENCH_ORG_SIZES.split(',').map(Number) : [1, 10, ...(process.env.BENCH_ORG_100X ? [100] : [])];

/** The organisation at `scale`× a mid-size team. */
function org(scale: number) {
  return {
    teams: 10 * scale,
    usersPerTeam: 10,
    schedulesPerTeam: 2,
    policies: 5 * scale,
    services: 10 * scale,
    openIncidents: 50 * scale,
    alertsPerIncident: 10,
    history: 2000 * scale * YEARS,
  };
}

const email = (t: number, u: number) => `u${t}-${u}@bench.local`;
const key = (s: number) => `bench-org-service-${s}-key`;

/** The klaxon.yaml of the organisation (JSON is YAML). */
function configFile(scale: number): string {
  const o = org(scale);
  const zones = ['Europe/London', 'America/New_York', 'Asia/Tokyo', 'Europe/Berlin', 'Asia/Kolkata'];
  const users: Record<string, unknown>[] = [{ email: 'admin@bench.local', name: 'Bench Admin', timeZone: 'UTC', role: 'admin' }];
  const teams = [];
  const schedules = [];
  for (let t = 0; t < o.teams; t++) {
    const members = Array.from({ length: o.usersPerTeam }, (_, u) => email(t, u));
    members.forEach((e, u) =>
      users.push({
        email: e,
        name: `User ${t}-${u}`,
        timeZone: must(zones[(t + u) % zones.length], 'zones[(t + u) % zones.length]'),
        role: 'responder',
        contactMethods: [{ name: 'email', type: 'email', address: e }],
        notificationRules: [{ contactMethod: 'email', delayMinutes: 0 }],
      }),
    );
    teams.push({ name: `team-${t}`, members: members.map((user, u) => ({ user, ...(u === 0 && { role: 'manager' }) })) });
    for (let s = 0; s < o.schedulesPerTeam; s++)
      schedules.push({
        name: `team-${t} ${s ? 'secondary' : 'primary'}`,
        team: `team-${t}`,
        timeZone: zones[t % zones.length],
        layers: [
          { name: 'weekly', participants: s ? [...members].reverse() : members, turn: { unit: 'week', count: 1 }, handoffTime: '09:00', start: '2026-03-02T09:00' },
          {
            name: 'business hours',
            participants: members.slice(0, 5),
            turn: { unit: 'day', count: 1 },
            handoffTime: '09:00',
            start: '2026-03-02T09:00',
            restrictions: [{ kind: 'preset', preset: 'business-hours' }],
            priority: 1,
          },
          {
            name: 'weekends',
            participants: members.slice(5),
            turn: { unit: 'day', count: 2 },
            handoffTime: '09:00',
            start: '2026-03-07T09:00',
            restrictions: [{ kind: 'preset', preset: 'weekends' }],
            priority: 2,
          },
        ],
      });
  }
  // Each policy: three levels a minute apart over the schedules of two teams, run ten times in all.
  const escalationPolicies = Array.from({ length: o.policies }, (_, p) => ({
    name: `policy-${p}`,
    repeat: 9,
    levels: [
      { delayMinutes: 1, targets: [{ schedule: `team-${2 * p} primary` }] },
      { delayMinutes: 1, targets: [{ schedule: `team-${2 * p} secondary` }, { schedule: `team-${2 * p + 1} primary` }] },
      { delayMinutes: 1, targets: [{ schedule: `team-${2 * p + 1} secondary` }, { team: `team-${2 * p}` }] },
    ],
  }));
  const services = Array.from({ length: o.services }, (_, s) => ({
    name: `svc-${s}`,
    team: `team-${s}`,
    escalationPolicy: `policy-${Math.floor(s / 2)}`,
    grouping: { mode: 'field', field: 'group' },
    integrations: [{ name: 'events', kind: 'pagerduty', key: key(s) }],
  }));
  return JSON.stringify({ version: 1, users, teams, schedules, escalationPolicies, services }, null, 1);
}

/** Inserts `history` resolved incidents spread over the YEARS years before NOW, each with an alert and its opened/resolved timeline. */
async function generateHistory(url: string, scale: number): Promise<void> {
  const db = await openDatabase(url);
  try {
    const r = seededRandom(scale);
    const services = await db.kysely.selectFrom('services').select('id').orderBy('name').execute();
    const users = await db.kysely.selectFrom('users').select('id').execute();
    const n = org(scale).history;
    // Everyone's e-mail counts as verified (as if each had entered the code), so every escalation step pages someone.
    await db.kysely
      .updateTable('contact_methods')
      .set({ verified_at: NOW - DAY })
      .execute();
    const BATCH = 2000;
    for (let from = 1; from <= n; from += BATCH) {
      const incidents: Database['incidents'][] = [];
      const alerts: Record<string, unknown>[] = [];
      const timeline: Record<string, unknown>[] = [];
      for (let k = from; k < Math.min(n + 1, from + BATCH); k++) {
        const id = newId();
        const svc = must(services[Math.floor(r() * services.length)], 'a random service').id;
        const who = must(users[Math.floor(r() * users.length)], 'a random user').id;
        const created = NOW - YEARS * 365 * DAY + Math.floor(r() * (YEARS * 365 - 1) * DAY);
        const acked = created + Math.floor(r() * 20 * MIN);
        const resolved = acked + Math.floor(r() * 4 * 60 * MIN);
        incidents.push({
          id,
          number: k,
          service_id: svc,
          title: `Past incident ${k}`,
          status: 'resolved',
          urgency: 'high',
          severity: must(['critical', 'error', 'warning'][k % 3], "['critical', 'error', 'warning'][k % 3]"),
          details: '',
          group_key: null,
          created_at: created,
          updated_at: resolved,
          acknowledged_at: acked,
          acknowledged_by: who,
          resolved_at: resolved,
          resolved_by: who,
          sev: null,
          major: 0,
          drill: 0,
          incident_manager_id: null,
          impact: '{}',
          policy_snapshot: null,
          escalation_step: 1,
          next_escalation_at: null,
        } as unknown as Database['incidents']);
        alerts.push({
          id: newId(),
          service_id: svc,
          integration_id: null,
          incident_id: id,
          dedup_key: `past-${k}`,
          status: 'resolved',
          summary: `Past alert ${k}`,
          source: 'bench',
          severity: 'critical',
          details: '{}',
          links: '[]',
          event_count: 1,
          created_at: created,
          updated_at: resolved,
          resolved_at: resolved,
        });
        for (const [at, type, message] of [
          [created, 'incident.opened', `Incident #${k} opened`],
          [resolved, 'incident.resolved', 'Resolved'],
        ] as const)
          timeline.push({ id: newId(), incident_id: id, at, type, actor_type: 'system', actor_id: null, actor_name: 'Klaxon', channel: 'engine', message, data: '{}' });
      }
      await db.kysely.transaction().execute(async (trx) => {
        for (const [table, rows] of [
          ['incidents', incidents],
          ['alerts', alerts],
          ['timeline_events', timeline],
        ] as const)
          for (let i = 0; i < rows.length; i += 400)
            await trx
              .insertInto(table)
              .values(rows.slice(i, i + 400) as never)
              .execute();
      });
    }
    // Incident numbers continue after the history.
    await continueIncidentNumbersAfter(db.kysely, n);
  } finally {
    await db.close();
  }
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return must(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))], `the p${p} sample`);
}

/** Resident memory of a process (MB), from /proc/<pid>/status. */
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Runs the klaxon CLI with these settings; resolves to its stdout and wall time (ms). */
async function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ out: string; ms: number }> {
  const t = performance.now();
  const { stdout } = await run(process.execPath, ['apps/server/bin/klaxon.js', ...args], { cwd: ROOT, env: { ...process.env, ...env }, maxBuffer: 1 << 28 });
  return { out: stdout, ms: performance.now() - t };
}

type Figures = Map<string, number>;

/** Builds the organisation at `scale`× on the database at `url` and measures it. */
async function measure(scale: number, url: string, label: string): Promise<Figures> {
  const o = org(scale);
  const f: Figures = new Map();
  const say = (s: string) => process.stdout.write(`  ${label} ${scale}×: ${s}\n`);
  const dir = mkdtempSync(join(tmpdir(), 'klaxon-bench-org-'));
  const env = { KLAXON_DATABASE_URL: url, KLAXON_LOG_LEVEL: 'error' };
  try {
    const file = join(dir, 'klaxon.yaml');
    writeFileSync(file, configFile(scale));
    f.set('CLI start-up (klaxon --help)', (await cli(['--help'], env)).ms);
    f.set('klaxon apply, whole organisation (new database)', (await cli(['apply', '-f', file], env)).ms);
    f.set('klaxon apply again, unchanged', (await cli(['apply', '-f', file], env)).ms);
    say(`applied ${o.teams * o.usersPerTeam + 1} people, ${o.teams * o.schedulesPerTeam} schedules, ${o.policies} policies, ${o.services} services`);
    let t = performance.now();
    await generateHistory(url, scale);
    say(`${o.history} past incidents in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const token = (await cli(['token', 'create', '--user', 'admin@bench.local'], env)).out.trim();
    t = performance.now();
    const exported = await cli(['export', '-o', join(dir, 'export.yaml')], env);
    f.set('klaxon export, whole organisation', exported.ms);

    // Pages go out as e-mail to an SMTP sink here that accepts every message (smtpSink: no greeting
    // delay). The first page of each probe incident (title "probe-<n>") is timed on arrival, for
    // trigger → provider.
    const probeArrived = new Map<number, number>();
    const mailArrived: number[] = [];
    const smtp = await smtpSink((head) => {
      mailArrived.push(performance.now());
      const n = /probe-(\d+)/.exec(head)?.[1];
      if (n !== undefined && !probeArrived.has(Number(n))) probeArrived.set(Number(n), performance.now());
    });
    const smtpUrl = `smtp://127.0.0.1:${(smtp.address() as AddressInfo).port}`;
    const port = await freePort();
    const child = await spawnServer(
      [...(process.env.BENCH_ORG_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_ORG_CPU_PROF}`] : []), 'apps/server/bin/klaxon.js', 'serve'],
      {
        ...env,
        KLAXON_PORT: String(port),
        KLAXON_HOST: '127.0.0.1',
        KLAXON_TEST_FAKE_CLOCK: new Date(NOW).toISOString(),
        KLAXON_INGEST_RATE_LIMIT_PER_MINUTE: '100000000',
        KLAXON_SHUTDOWN_GRACE_MS: '0',
        KLAXON_SMTP_URL: smtpUrl,
        // Every page goes out on its own, at once: with the default limits (e-mail 10 per 15 min per
        // person) and bundling, most escalation pages and probes would be held or bundled, and neither
        // the cycles nor trigger → provider would measure the paging path (runs before 2026-12-07 had them on).
        KLAXON_PAGE_RATE_LIMITS: 'off',
        KLAXON_PAGE_BUNDLING: 'false',
      },
      'Klaxon is running',
    );
    const base = `http://127.0.0.1:${port}`;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: body === undefined ? { authorization: headers.authorization } : headers,
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
      return text && res.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as Record<string, unknown>) : {};
    };
    const timeGet = async (name: string, path: string, runs = RUNS) => {
      for (let i = 0; i < 3; i++) await api('GET', path);
      const xs: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        await api('GET', path);
        xs.push(performance.now() - t0);
      }
      f.set(`${name} p50`, pct(xs, 50));
      f.set(`${name} p99`, pct(xs, 99));
    };
    try {
      await api('GET', '/healthz');
      f.set('server memory (RSS) at rest', rssMb(must(child.pid, 'child.pid')));
      await timeGet('GET /healthz (baseline)', '/healthz');

      // The status page: a business service for each technical service, all on the default page.
      const svcs = (await api('GET', '/api/v1/services')).services as { id: string; name: string }[];
      const bsIds: string[] = [];
      for (const [i, s] of svcs.entries())
        bsIds.push(((await api('POST', '/api/v1/business-services', { name: `Component ${s.name}`, serviceIds: [s.id], position: i })).businessService as { id: string }).id);
      const statusPage = { slug: 'main', name: 'Bench status', isDefault: true, businessServiceIds: bsIds.slice(0, 1000) };
      await api('PUT', '/api/v1/status-pages', statusPage);

      // The open work: alerts through the PagerDuty Events API, ten to an incident.
      t = performance.now();
      const total = o.openIncidents * o.alertsPerIncident;
      let next = 0;
      await Promise.all(
        Array.from({ length: 32 }, async () => {
          while (next < total) {
            const j = next++;
            const s = j % o.services;
            const group = Math.floor(j / o.services) % (o.openIncidents / o.services);
            const res = await fetch(`${base}/v2/enqueue`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({
                routing_key: key(s),
                event_action: 'trigger',
                dedup_key: `open-${j}`,
                payload: { summary: `svc-${s} problem ${group}`, source: `host-${j % 97}`, severity: 'critical', custom_details: { group: `g${group}` } },
              }),
            });
            const answer = await res.text();
            if (res.status !== 202) throw new Error(`event ${j}: ${res.status} ${answer.slice(0, 300)}`);
          }
        }),
      );
      say(`${total} alerts in through /v2/enqueue in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      f.set('open alerts in through /v2/enqueue (32 connections), wall time', performance.now() - t);
      await api('POST', '/api/v1/test/cycle');
      const open = (await api('GET', '/api/v1/incidents?status=triggered&limit=500')).incidents as { id: string }[];

      // Engine cycles while every open incident escalates: a minute passes, then one timed cycle.
      // Which module the time goes to: the engine's per-module histogram sums on /metrics, before and after.
      // And how many statements the cycles sent (klaxon_db_statements_total; on PostgreSQL each a round trip).
      const moduleSeconds = async () => {
        const text = await (await fetch(`${base}/metrics`)).text();
        const statements = Number(/^klaxon_db_statements_total\{dialect="[^"]+"\} (\S+)$/m.exec(text)?.[1] ?? NaN);
        return Object.assign(new Map([...text.matchAll(/^klaxon_engine_module_seconds_sum\{module="([^"]+)"\} (\S+)$/gm)].map((m) => [must(m[1], 'm[1]'), Number(m[2])])), { statements });
      };
      const before = await moduleSeconds();
      const cycles: number[] = [];
      for (let i = 0; i < CYCLES; i++) {
        await api('POST', '/api/v1/test/clock', { advanceMs: MIN });
        const t0 = performance.now();
        await api('POST', '/api/v1/test/cycle');
        cycles.push(performance.now() - t0);
      }
      const after = await moduleSeconds();
      const modules = [...after].map(([m, v]) => [m, (v - (before.get(m) ?? 0)) * 1000] as const).sort((a, b) => b[1] - a[1]);
      say(
        `cycles ${cycles.map((c) => c.toFixed(0)).join(' ')} ms, ${after.statements - before.statements} statements; module time over them: ${modules.map(([m, ms]) => `${m} ${ms.toFixed(0)} ms`).join(', ')}`,
      );
      for (const [m, ms] of modules.filter(([m], i) => i === 0 || ['escalation', 'notification', 'delivery', 'schedule-gaps'].includes(m)))
        f.set(`engine module ${m}, total over the ${CYCLES} timed cycles`, ms);
      f.set(`statements sent over the ${CYCLES} timed cycles`, after.statements - before.statements);
      f.set('engine cycle, a minute on, open load in place p50', pct(cycles, 50));
      f.set('engine cycle, a minute on, open load in place p99', pct(cycles, 99));

      const svc = must(svcs[0], 'svcs[0]');
      for (const [name, q] of [
        ['everyone', ''],
        ['open (triggered, acknowledged)', 'status=triggered&status=acknowledged'],
        ['resolved', 'status=resolved'],
        ['one service', `service=${svc.id}`],
        ['one team', 'team=team-0'],
        ['severity critical', 'severity=critical'],
        ['text search', 'q=problem'],
        ['mine', 'mine=true'],
      ] as const)
        await timeGet(`incident list (${name})`, `/api/v1/incidents${q ? `?${q}` : ''}`);
      const incident = must(open[0], 'open[0]').id;
      {
        for (let i = 0; i < 3; i++) for (const p of ['', '/timeline', '/alerts']) await api('GET', `/api/v1/incidents/${incident}${p}`);
        const xs: number[] = [];
        for (let i = 0; i < RUNS; i++) {
          const t0 = performance.now();
          await Promise.all(['', '/timeline', '/alerts'].map((p) => api('GET', `/api/v1/incidents/${incident}${p}`)));
          xs.push(performance.now() - t0);
        }
        f.set('incident page (incident + timeline + alerts) p50', pct(xs, 50));
        f.set('incident page (incident + timeline + alerts) p99', pct(xs, 99));
      }
      if (WEB) await webLoads(base, api, f, incident);
      await timeGet('who is on call now, every schedule (GET /api/v1/oncall)', '/api/v1/oncall');
      // A schedule's final rendering for a quarter (the schedule screen's range at its widest).
      const schedule = must(((await api('GET', '/api/v1/schedules')).schedules as { id: string }[])[0], 'a schedule').id;
      const iso = (t: number) => new Date(t).toISOString();
      await timeGet("a schedule's final rendering for a quarter", `/api/v1/schedules/${schedule}/final?from=${iso(NOW)}&to=${iso(NOW + 91 * DAY)}`, 10);
      // Each report over the last year of history (10 requests each: a report reads the whole year).
      const year = `from=${iso(NOW - 365 * DAY)}&to=${iso(NOW)}`;
      for (const [name, q] of [
        ['SLA by month', `sla?period=month&${year}`],
        ['aggregates by team', `aggregates?by=team&${year}`],
        ['aggregates by month', `aggregates?by=month&${year}`],
        ['noise', `noise?${year}`],
        ['shifts', `shifts?${year}`],
        ['trends, 52 weeks', `trends?weeks=52&to=${iso(NOW)}`],
      ] as const)
        await timeGet(`report over a year: ${name}`, `/api/v1/reports/${q}`, 10);
      // Uncached status page: saving the page drops the cache; the first GET /status after it rebuilds the page.
      {
        const xs: number[] = [];
        for (let i = 0; i < 10; i++) {
          await api('PUT', '/api/v1/status-pages', statusPage);
          const t0 = performance.now();
          const res = await fetch(`${base}/status`);
          await res.arrayBuffer();
          if (res.status !== 200) throw new Error(`GET /status: ${res.status}`);
          xs.push(performance.now() - t0);
        }
        f.set('status page, first request after a change (GET /status) p50', pct(xs, 50));
      }
      await timeGet('status page, cached (GET /status)', '/status');
      // Trigger → provider at 25 new incidents a second against the open load: each probe's first page
      // timed from its POST to its arrival at the SMTP server. Two seconds in, the open load's next
      // level falls due (the clock moves a minute) and a full cycle runs, as the engine's timer would,
      // so the probes meet a burst of every open incident escalating.
      {
        const rate = 25;
        const seconds = Number(process.env.BENCH_ORG_PROBE_SECONDS ?? 8);
        const sent = new Map<number, number>();
        const accepted = new Map<number, number>();
        const started = performance.now();
        const burstAt = { start: 0, end: 0 };
        const burst = (async () => {
          await new Promise((r) => setTimeout(r, 2000));
          burstAt.start = performance.now();
          await api('POST', '/api/v1/test/clock', { advanceMs: MIN });
          await api('POST', '/api/v1/test/cycle');
          burstAt.end = performance.now();
        })();
        const posts: Promise<void>[] = [];
        for (let n = 0; n < rate * seconds; n++) {
          const due = started + (n * 1000) / rate;
          const wait = due - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          sent.set(n, performance.now());
          posts.push(
            fetch(`${base}/v2/enqueue`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({
                routing_key: key(n % o.services),
                event_action: 'trigger',
                dedup_key: `probe-${n}`,
                payload: { summary: `probe-${n}`, source: 'probe', severity: 'critical', custom_details: { group: `probe-${n}` } },
              }),
            }).then(async (res) => {
              await res.arrayBuffer();
              accepted.set(n, performance.now());
              if (res.status !== 202) throw new Error(`probe ${n}: ${res.status}`);
            }),
          );
        }
        await Promise.all([...posts, burst]);
        const deadline = performance.now() + 120_000;
        while (probeArrived.size < sent.size && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        if (probeArrived.size < sent.size) throw new Error(`trigger → provider: ${sent.size - probeArrived.size} of ${sent.size} probes never paged`);
        const lat = [...sent].map(([n, t]) => must(probeArrived.get(n), 'the probe page') - t);
        if (process.env.BENCH_ORG_TRACE) traceProbes(started, sent, accepted, probeArrived, mailArrived, burstAt);
        say(`trigger → provider: ${sent.size} probes at ${rate}/s, p50 ${pct(lat, 50).toFixed(0)} ms, p99 ${pct(lat, 99).toFixed(0)} ms`);
        f.set(`trigger → provider (first e-mail page), ${rate} new incidents a second against the open load, p50`, pct(lat, 50));
        f.set(`trigger → provider (first e-mail page), ${rate} new incidents a second against the open load, p99`, pct(lat, 99));
      }
      f.set('server memory (RSS) after load', rssMb(must(child.pid, 'child.pid')));
      say('measured');
      if (process.env.BENCH_ORG_HOLD && scale === Math.max(...SIZES)) {
        // Keeps the largest organisation's server running for a look by hand (a profiler, EXPLAIN), until SIGINT or SIGTERM.
        say(`holding: ${base} with token ${token} (KLAXON_DATABASE_URL=${url}); stop with SIGINT`);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
      }
    } finally {
      await stop(child);
      smtp.closeAllConnections();
      await new Promise<void>((r) => smtp.close(() => r()));
    }
    return f;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The web app on a phone-class CPU against this organisation (issue 19): cold loads of the incident
 * list (everyone's) and of an open incident's page in Debian's Chromium, CPU throttled ×4, as
 * bench/web-load.ts measures the list against 50 incidents. A responder with a password is added for
 * the sign-in. Shown: the list's first row, the incident's timeline; interactive: a tap answered (the
 * list's Select mode, the incident's Alerts tab). Medians of BENCH_ORG_WEB_RUNS (3) after one warm-up.
 */
async function webLoads(base: string, api: (method: string, path: string, body?: unknown) => Promise<Record<string, unknown>>, f: Figures, incidentId: string): Promise<void> {
  const { HAVE_CHROMIUM, ensureWebBuilt, launchBrowser } = await import('../apps/server/test/browser/support.js');
  const { coldLoadPage, sessionCookie } = await import('./web-load.js');
  if (!HAVE_CHROMIUM) {
    console.log('  web app: SKIPPED (/usr/bin/chromium is missing)');
    return;
  }
  ensureWebBuilt();
  const email = `web-${newId()}@bench.local`;
  await api('POST', '/api/v1/users', { email, name: 'Web Bench', role: 'responder', timeZone: 'Europe/London', password: 'correct horse battery' });
  const cookie = await sessionCookie(base, email, 'correct horse battery');
  const { number } = (await api('GET', `/api/v1/incidents/${incidentId}`)).incident as { number: number };
  const browser = await launchBrowser();
  try {
    const pages = [
      {
        name: 'incident list (everyone)',
        path: '/incidents?view=all',
        shown: (page: Page) => page.getByTestId('incident-row').first(),
        interact: async (page: Page) => {
          await page.getByTestId('select-mode').click();
          await page.getByTestId('select-mode').filter({ hasText: 'Done' }).waitFor({ timeout: 30_000 });
        },
      },
      {
        name: 'incident page',
        path: `/incidents/${number}`,
        shown: (page: Page) => page.getByTestId('timeline-words').first(),
        interact: async (page: Page) => {
          await page.getByRole('tab', { name: /Alerts/ }).click();
          await page.locator('[role="tab"][aria-selected="true"]', { hasText: 'Alerts' }).waitFor({ timeout: 30_000 });
        },
      },
    ];
    for (const p of pages) {
      await coldLoadPage(browser, base, cookie, { ...p, throttle: 1, identity: false }); // warm the server and the build's files
      const loads = [];
      for (let i = 0; i < WEB_RUNS; i++) loads.push(await coldLoadPage(browser, base, cookie, { ...p, throttle: 4, identity: false }));
      const shown = pct(
        loads.map((l) => l.ms),
        50,
      );
      const interactive = pct(
        loads.map((l) => l.interactiveMs),
        50,
      );
      console.log(
        `  web app, ${p.name}, CPU x4: shown ${loads.map((l) => l.ms.toFixed(0)).join(' ')} ms, interactive ${loads.map((l) => l.interactiveMs.toFixed(0)).join(' ')} ms, ${(
          pct(
            loads.map((l) => l.bytes),
            50,
          ) / 1024
        ).toFixed(0)} KB`,
      );
      f.set(`web app: ${p.name} shown, CPU throttled x4, median`, shown);
      f.set(`web app: ${p.name} interactive, CPU throttled x4, median`, interactive);
    }
  } finally {
    await browser.close();
  }
}

/**
 * A minimal SMTP sink standing in for the provider: it greets at once, accepts every command and
 * message, and hands each message's first 4 KB to `onMessage`. smtp-server (the tests' fake) delays
 * every greeting by 100 ms to catch early talkers, and Klaxon opens a connection per e-mail, so with
 * it every page cost 100 ms of the sink's own, and a burst of e-mail was bound by it, not by Klaxon.
 */
/**
 * BENCH_ORG_TRACE=1: the probe phase second by second (from the first probe): probes sent, probes'
 * first pages arrived, every e-mail arrived, and when the burst's cycle ran; then each probe's latency
 * in the order sent, and the time until its event was accepted (202), so a slow stretch can be set against the cycles.
 */
function traceProbes(started: number, sent: Map<number, number>, accepted: Map<number, number>, probes: Map<number, number>, mail: number[], burst: { start: number; end: number }): void {
  const rel = (t: number) => (t - started) / 1000;
  const last = Math.max(...probes.values(), ...mail);
  console.log(`  trace: the burst's cycle ran ${rel(burst.start).toFixed(2)}–${rel(burst.end).toFixed(2)} s`);
  console.log('  trace: second  probes sent  probe pages  e-mails (all)');
  for (let s = Math.floor(rel(Math.min(...mail.filter((t) => t >= started), last))); s <= rel(last); s++) {
    const inSecond = (t: number) => rel(t) >= s && rel(t) < s + 1;
    const count = (xs: Iterable<number>) => [...xs].filter(inSecond).length;
    console.log(`  trace: ${String(s).padStart(6)}  ${String(count(sent.values())).padStart(11)}  ${String(count(probes.values())).padStart(11)}  ${String(count(mail)).padStart(13)}`);
  }
  console.log(`  trace: latency by probe (ms): ${[...sent].map(([n, t]) => Math.round(must(probes.get(n), 'the probe page') - t)).join(' ')}`);
  console.log(`  trace: event accepted (202) by probe (ms): ${[...sent].map(([n, t]) => Math.round(must(accepted.get(n), 'the answer') - t)).join(' ')}`);
}

async function smtpSink(onMessage: (head: string) => void): Promise<Server & { closeAllConnections(): void }> {
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffer = '';
    let data: string | null = null;
    socket.write('220 sink ESMTP\r\n');
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      for (;;) {
        if (data !== null) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) {
            if (data.length < 4096) data += buffer.slice(0, 4096);
            buffer = buffer.slice(-4);
            return;
          }
          onMessage(data + buffer.slice(0, Math.min(end, 4096)));
          buffer = buffer.slice(end + 5);
          data = null;
          socket.write('250 2.0.0 queued\r\n');
          continue;
        }
        const nl = buffer.indexOf('\r\n');
        if (nl < 0) return;
        const line = buffer.slice(0, nl).toUpperCase();
        buffer = buffer.slice(nl + 2);
        if (line.startsWith('EHLO')) socket.write('250-sink\r\n250 8BITMIME\r\n');
        else if (line.startsWith('DATA')) {
          data = '';
          socket.write('354 go ahead\r\n');
        } else if (line.startsWith('QUIT')) {
          socket.end('221 bye\r\n');
          return;
        } else socket.write('250 ok\r\n');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return Object.assign(server, {
    closeAllConnections: () => {
      for (const s of sockets) s.destroy();
    },
  });
}

const UNITS = (figure: string) => (figure.startsWith('server memory') ? 'MB' : figure.startsWith('statements') ? 'stmts' : 'ms');

/** Measures every size on one database and adds its rows: each figure at 1×, then its growth factor at each larger size. */
async function benchDatabase(label: string, urlFor: (scale: number) => Promise<{ url: string; drop(): Promise<void> }>): Promise<Row[]> {
  const bySize = new Map<number, Figures>();
  for (const scale of SIZES) {
    const db = await urlFor(scale);
    try {
      bySize.set(scale, await measure(scale, db.url, label));
    } finally {
      await db.drop();
    }
  }
  const rows: Row[] = [];
  const one = must(bySize.get(1), 'bySize.get(1)');
  // Every figure of any size (the three busiest engine modules may differ between sizes).
  const figures = [...new Set([...bySize.values()].flatMap((m) => [...m.keys()]))];
  for (const figure of figures) {
    const v1 = one.get(figure) ?? NaN;
    rows.push({ figure: `${label} 1×: ${figure}`, value: v1, unit: UNITS(figure) });
    for (const scale of SIZES.slice(1))
      rows.push({ figure: `${label} ${scale}×: ${figure}`, value: must(bySize.get(scale), 'bySize.get(scale)').get(figure) ?? NaN, unit: UNITS(figure), baseline: { name: '1×', value: v1 } });
  }
  return rows;
}

/** Runs the benchmark and writes bench/results/org.json. */
export async function benchOrg(): Promise<Row[]> {
  const started = performance.now();
  const loadBefore = loadavg();
  const rows = process.env.BENCH_ORG_POSTGRES_ONLY
    ? []
    : await benchDatabase('sqlite', async (scale) => {
        const dir = mkdtempSync(join(tmpdir(), 'klaxon-bench-org-db-'));
        return { url: join(dir, `org-${scale}x.db`), drop: async () => rmSync(dir, { recursive: true, force: true }) };
      });
  const admin = process.env.BENCH_ORG_SQLITE_ONLY ? undefined : (process.env.KLAXON_BENCH_DATABASE_URL ?? process.env.KLAXON_TEST_DATABASE_URL);
  if (admin)
    rows.push(
      ...(await benchDatabase('postgres', async (scale) => {
        const name = `klaxon_bench_org_${scale}x`;
        const c = new pg.Client({ connectionString: admin });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.query(`CREATE DATABASE ${name}`);
        await c.end();
        const u = new URL(admin);
        u.pathname = `/${name}`;
        return {
          url: u.toString(),
          drop: async () => {
            const d = new pg.Client({ connectionString: admin });
            await d.connect();
            await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
            await d.end();
          },
        };
      })),
    );
  else process.stdout.write('  org: PostgreSQL skipped (set KLAXON_BENCH_DATABASE_URL or KLAXON_TEST_DATABASE_URL)\n');
  report('org', rows, {
    sizes: SIZES.map((s) => ({ scale: s, ...org(s) })),
    runs: RUNS,
    cycles: CYCLES,
    historyYears: YEARS,
    seconds: (performance.now() - started) / 1000,
    postgres: admin ? 'measured' : 'skipped',
    cpus: cpus().length,
    loadAverageBefore: loadBefore,
    loadAverageAfter: loadavg(),
  });
  return rows;
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) await benchOrg();
