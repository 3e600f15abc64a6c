/**
 * Reports benchmark (issue 7): fills a fresh database with a year of realistic history (110,000
 * incidents across 20 teams, their alerts, pages and timeline events, a few dozen still open;
 * inserted in bulk in batches, with progress), writes the report rows of history with the same
 * backfill migration 0008 runs, and times every main report over a year and over a month, with and
 * without a team filter, on SQLite and on PostgreSQL. Goal: each under 1 s.
 *
 *   node --import tsx bench/reports.ts [flags]        (from the repository root)
 *
 *   --incidents N        how many incidents (default 110000; also BENCH_INCIDENTS)
 *   --runs N             timed runs per report after a warm-up; the median counts (default 3)
 *   --sqlite-only        skip PostgreSQL
 *   --postgres-only      skip SQLite
 *   --postgres URL       an admin URL (default KLAXON_TEST_DATABASE_URL, else
 *                        postgres://postgres:postgres@127.0.0.1:5432/postgres, skipped when nothing
 *                        answers there); the benchmark creates the database klaxon_bench_reports in
 *                        it and drops it afterwards
 *   --keep FILE          generate the SQLite database into FILE and keep it; reuse it when it exists
 *   --keep-postgres      keep klaxon_bench_reports (and reuse it when it holds history) instead of dropping it
 *
 * Prints each report's SQLite and PostgreSQL time beside the goal with pass/fail, and writes
 * bench/results/reports.json (with the machine's load average: the machine is shared, timings are noisy).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, sharedSecret } from '../apps/server/src/app/klaxon.js';
import { SYSTEM } from '../apps/server/src/auth/actor.js';
import type { Ctx } from '../apps/server/src/context.js';
import type { Database } from '../apps/server/src/database.js';
import { FakeClock } from '../apps/server/src/lib/clock.js';
import type { Db } from '../apps/server/src/lib/db/index.js';
import { newId } from '../apps/server/src/lib/ids.js';
import { createLogger } from '../apps/server/src/lib/logger.js';
import { backfillMeasures } from '../apps/server/src/report/measures.js';
import { aggregates, noise, putSlaTarget, shifts, slaAttainment, trends } from '../apps/server/src/report/service.js';
import { weeklySummary } from '../apps/server/src/report/summary.js';
import { report, type Row, seededRandom } from './lib.js';
import { must } from '../apps/server/src/lib/must.js';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const option = (name: string) => {
  const k = args.indexOf(`--${name}`);
  return k >= 0 ? args[k + 1] : undefined;
};

const INCIDENTS = Number(option('incidents') ?? process.env.BENCH_INCIDENTS ?? 110_000);
const RUNS = Number(option('runs') ?? 3);
const GOAL_MS = 1000;
/** Incidents still open at the end (the last ones), so reports also read open incidents live. */
const OPEN = 40;
const TEAMS = 20;
const USERS_PER_TEAM = 6;
const SERVICES_PER_TEAM = 4;
const ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Asia/Kolkata', 'Europe/London', 'America/Los_Angeles', 'Australia/Sydney', 'UTC'];
const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const NOW = Date.parse('2026-11-23T08:00:00Z');
const START = NOW - 365 * DAY;
const BATCH = 400;

/** Inserts rows in batches inside one transaction per batch. */
async function bulk<T extends keyof Database & string>(db: Db<Database>, table: T, rows: Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH)
    await db.kysely
      .insertInto(table)
      .values(rows.slice(i, i + BATCH) as never)
      .execute();
}

/** Fills the database with a year of history, printing progress. */
async function generate(db: Db<Database>): Promise<{ teamIds: string[] }> {
  const r = seededRandom(42);
  const pick = <T>(xs: readonly T[]) => must(xs[Math.floor(r() * xs.length)], 'a random pick');
  const teamIds: string[] = [];
  const users: { id: string; team: number }[] = [];
  const services: { id: string; team: number }[] = [];
  for (let t = 0; t < TEAMS; t++) {
    const id = newId();
    teamIds.push(id);
    await db.kysely
      .insertInto('teams')
      .values({ id, name: `team-${t}`, description: '', created_at: START })
      .execute();
    for (let u = 0; u < USERS_PER_TEAM; u++) {
      const uid = newId();
      users.push({ id: uid, team: t });
      await db.kysely
        .insertInto('users')
        .values({ id: uid, email: `u${t}-${u}@bench.local`, name: `User ${t}-${u}`, time_zone: pick(ZONES), role: 'responder', password_hash: null, created_at: START, updated_at: START })
        .execute();
      await db.kysely.insertInto('team_members').values({ team_id: id, user_id: uid, role: 'member', position: u }).execute();
    }
    for (let s = 0; s < SERVICES_PER_TEAM; s++) {
      const sid = newId();
      services.push({ id: sid, team: t });
      await db.kysely
        .insertInto('services')
        .values({ id: sid, name: `svc-${t}-${s}`, description: '', escalation_policy_id: null, team_id: id, grouping: '{}', created_at: START, updated_at: START })
        .execute();
    }
  }
  const sevs = ['critical', 'critical', 'error', 'warning', 'warning', 'info'];
  let incidents: Record<string, unknown>[] = [];
  let alerts: Record<string, unknown>[] = [];
  let pages: Record<string, unknown>[] = [];
  let timeline: Record<string, unknown>[] = [];
  const started = Date.now();
  const flush = async () => {
    await db.kysely.transaction().execute(async (trx) => {
      const tx = { kysely: trx } as unknown as Db<Database>;
      await bulk(tx, 'incidents', incidents);
      await bulk(tx, 'alerts', alerts);
      await bulk(tx, 'outbox', pages);
      await bulk(tx, 'timeline_events', timeline);
    });
    incidents = [];
    alerts = [];
    pages = [];
    timeline = [];
  };
  for (let n = 1; n <= INCIDENTS; n++) {
    const svc = pick(services);
    const open = n > INCIDENTS - OPEN;
    const created = open ? NOW - Math.floor(r() * 2 * DAY) : START + Math.floor(r() * (NOW - START - DAY));
    const id = newId();
    const drill = r() < 0.01 ? 1 : 0;
    const noAck = r() < 0.15;
    const responder = must(users[svc.team * USERS_PER_TEAM + Math.floor(r() * USERS_PER_TEAM)], 'a responder of the team');
    const ackAt = noAck ? null : created + Math.floor(r() * r() * 30 * MIN);
    const resolvedAt = open ? null : created + Math.floor((noAck ? 5 : 20) * MIN + r() * r() * 8 * 60 * MIN);
    const sev = r() < 0.03 ? 'SEV2' : null;
    const status = resolvedAt !== null ? 'resolved' : ackAt !== null && ackAt <= NOW ? 'acknowledged' : 'triggered';
    const acked = ackAt !== null && ackAt <= NOW ? ackAt : null;
    incidents.push({
      id,
      number: n,
      service_id: svc.id,
      title: `Incident ${n}`,
      status,
      urgency: 'high',
      severity: pick(sevs),
      details: '',
      group_key: null,
      created_at: created,
      updated_at: resolvedAt ?? created,
      acknowledged_at: acked,
      acknowledged_by: acked === null ? null : responder.id,
      resolved_at: resolvedAt,
      resolved_by: resolvedAt === null ? null : responder.id,
      sev,
      major: 0,
      drill,
      incident_manager_id: null,
      impact: '{}',
      policy_snapshot: null,
      escalation_step: 1,
      next_escalation_at: null,
    });
    const nAlerts = 1 + Math.floor(r() * r() * 4);
    for (let a = 0; a < nAlerts; a++) {
      const at = created + a * Math.floor(r() * 10 * MIN);
      // An open alert's dedup key is unique per service (the database enforces it), so open ones get their own.
      const key = open ? `open-${n}-${a}` : `k${Math.floor(r() * 400)}`;
      alerts.push({
        id: newId(),
        service_id: svc.id,
        integration_id: null,
        incident_id: id,
        dedup_key: key,
        status: open ? 'triggered' : 'resolved',
        summary: `Alert ${a}`,
        source: 'bench',
        severity: 'critical',
        details: '{}',
        links: '[]',
        event_count: 1 + Math.floor(r() * 3),
        created_at: at,
        updated_at: resolvedAt ?? at,
        resolved_at: resolvedAt === null ? null : Math.max(at, resolvedAt),
      });
    }
    const nPages = 1 + (r() < 0.3 ? 1 : 0);
    for (let p = 0; p < nPages; p++) {
      const pid = newId();
      const ch = pick(['email', 'sms', 'push', 'voice', 'slack']);
      pages.push({
        id: pid,
        kind: 'page',
        channel: ch,
        destination: 'x',
        user_id: responder.id,
        contact_method_id: null,
        incident_id: id,
        content: '{}',
        status: 'sent',
        attempts: 1,
        next_attempt_at: created,
        lease_owner: null,
        lease_until: null,
        provider_message_id: null,
        provider_status: 'sent',
        last_error: null,
        created_at: created + p * 5 * MIN,
        sent_at: created + p * 5 * MIN,
      });
      timeline.push({
        id: newId(),
        incident_id: id,
        at: created + p * 5 * MIN,
        type: 'notification.sent',
        actor_type: 'system',
        actor_id: null,
        actor_name: 'Klaxon',
        channel: 'engine',
        message: 'Paged',
        data: JSON.stringify({ channel: ch, userId: responder.id }),
      });
    }
    timeline.push({
      id: newId(),
      incident_id: id,
      at: created,
      type: 'incident.opened',
      actor_type: 'system',
      actor_id: null,
      actor_name: 'Klaxon',
      channel: 'ingest',
      message: `Incident #${n} opened`,
      data: '{}',
    });
    if (resolvedAt !== null)
      timeline.push({
        id: newId(),
        incident_id: id,
        at: resolvedAt,
        type: 'incident.resolved',
        actor_type: 'user',
        actor_id: responder.id,
        actor_name: 'x',
        channel: 'api',
        message: 'Resolved',
        data: '{}',
      });
    if (incidents.length >= 2000) {
      await flush();
      if (n % 10_000 === 0) process.stdout.write(`  ${db.dialect}: ${n.toLocaleString('en')} / ${INCIDENTS.toLocaleString('en')} incidents (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
    }
  }
  await flush();
  return { teamIds };
}

/** The median of `runs` timed runs after a warm-up (ms). */
async function time(fn: () => Promise<unknown>, runs = RUNS): Promise<number> {
  await fn();
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    xs.push(performance.now() - t0);
  }
  xs.sort((a, b) => a - b);
  return must(xs[Math.floor(xs.length / 2)], 'the median');
}

/** The reports timed: each main report over a year and over the last 30 days, without and with a team filter. */
function cases(ctx: Ctx, teamId: string): [string, () => Promise<unknown>][] {
  const year = { from: START, to: NOW };
  const month = { from: NOW - 30 * DAY, to: NOW };
  const out: [string, () => Promise<unknown>][] = [];
  for (const [span, range, weeks] of [
    ['year', year, 52],
    ['month', month, 4],
  ] as const) {
    for (const team of [undefined, teamId]) {
      const f = { ...range, ...(team && { team }) };
      const label = (name: string) => `${name}, ${span}${team ? ', one team' : ''}`;
      out.push([label('sla by month'), () => slaAttainment(ctx, SYSTEM, { ...f, period: 'month' })]);
      out.push([label('aggregates by team'), () => aggregates(ctx, SYSTEM, { ...f, by: 'team' })]);
      out.push([label('aggregates by week (Europe/Berlin)'), () => aggregates(ctx, SYSTEM, { ...f, by: 'week', tz: 'Europe/Berlin' })]);
      out.push([label('aggregates by responder'), () => aggregates(ctx, SYSTEM, { ...f, by: 'responder' })]);
      out.push([label('noise'), () => noise(ctx, SYSTEM, f)]);
      out.push([label('shifts'), () => shifts(ctx, SYSTEM, f)]);
      out.push([label(`trends (${weeks} weeks)`), () => trends(ctx, SYSTEM, { weeks, to: NOW, ...(team && { team }) })]);
    }
  }
  out.push(['weekly summary, one team', () => weeklySummary(ctx, SYSTEM, teamId, Date.parse('2026-11-16T00:00:00Z'))]);
  return out;
}

async function benchDialect(dialect: 'sqlite' | 'postgres', url: string): Promise<{ rows: Row[]; times: Map<string, number> }> {
  const db = await openDatabase(url);
  try {
    const existing = await db.kysely.selectFrom('teams').select('id').orderBy('name').execute();
    const rows: Row[] = [];
    let teamIds = existing.map((t) => t.id);
    if (!existing.length) {
      process.stdout.write(`Generating a year of history on ${dialect}…\n`);
      const t0 = Date.now();
      teamIds = (await generate(db)).teamIds;
      rows.push({ figure: `${dialect}: generate ${INCIDENTS} incidents`, value: (Date.now() - t0) / 1000, unit: 's' });
      const t1 = Date.now();
      const n = await backfillMeasures(db.kysely);
      rows.push({ figure: `${dialect}: backfill report rows (migration 0008) of ${n} resolved incidents`, value: (Date.now() - t1) / 1000, unit: 's' });
      process.stdout.write(`  backfilled report rows of ${n} incidents in ${((Date.now() - t1) / 1000).toFixed(1)} s\n`);
    }
    const { sql } = await import('kysely');
    if (dialect === 'postgres') await sql`vacuum analyze`.execute(db.kysely);
    else await sql`analyze`.execute(db.kysely);
    const ctx: Ctx = { db, clock: new FakeClock(NOW), log: createLogger('silent'), publicUrl: 'http://bench', linkSecret: await sharedSecret(db, 'link_secret'), wake: () => {}, publish: () => {} };
    for (const severity of ['critical', 'error', 'warning', 'info', 'SEV2']) await putSlaTarget(ctx, SYSTEM, { severity, ackWithinMinutes: 10, resolveWithinMinutes: 240 });
    const baseline = await time(() =>
      db.kysely
        .selectFrom('incidents')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('created_at', '>=', START)
        .execute(),
    );
    const b = { name: 'count(*) incidents', value: baseline };
    const times = new Map<string, number>();
    for (const [name, fn] of cases(ctx, must(teamIds[0], 'teamIds[0]'))) {
      const ms = await time(fn);
      times.set(name, ms);
      rows.push({ figure: `${dialect}: ${name}`, value: ms, unit: 'ms', baseline: b });
      process.stdout.write(`  ${dialect}: ${name}: ${ms.toFixed(0)} ms ${ms < GOAL_MS ? 'pass' : 'FAIL'}\n`);
    }
    return { rows, times };
  } finally {
    await db.close();
  }
}

const rows: Row[] = [];
const results = new Map<string, Map<string, number>>();
const keep = option('keep');
const dir = mkdtempSync(join(tmpdir(), 'klaxon-bench-reports-'));
try {
  if (!flag('postgres-only')) {
    if (keep && existsSync(keep)) process.stdout.write(`Reusing ${keep}\n`);
    const r = await benchDialect('sqlite', keep ?? join(dir, 'bench.db'));
    rows.push(...r.rows);
    results.set('sqlite', r.times);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const admin = flag('sqlite-only') ? undefined : (option('postgres') ?? process.env.KLAXON_TEST_DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres');
const explicit = option('postgres') ?? process.env.KLAXON_TEST_DATABASE_URL;
const reachable = async (url: string) => {
  const probe = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await probe.connect();
    return true;
  } catch (e) {
    // The default URL is a guess: without a server there, the benchmark runs on SQLite only.
    if (explicit) throw e;
    process.stdout.write(`PostgreSQL not reachable at ${url.replace(/:[^:@/]*@/, ':***@')}: skipped (pass --postgres URL)\n`);
    return false;
  } finally {
    await probe.end().catch(() => {});
  }
};
if (admin && (await reachable(admin))) {
  const name = 'klaxon_bench_reports';
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  const exists = (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount;
  if (!flag('keep-postgres') || !exists) {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${name}`);
  }
  await c.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  try {
    const r = await benchDialect('postgres', u.toString());
    rows.push(...r.rows);
    results.set('postgres', r.times);
  } finally {
    if (!flag('keep-postgres')) {
      const d = new pg.Client({ connectionString: admin });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await d.end();
    }
  }
}
const load = loadavg().map((x) => Math.round(x * 100) / 100);
const names = [...((results.get('sqlite') ?? results.get('postgres'))?.keys() ?? [])];
const cell = (ms: number | undefined) => (ms === undefined ? '-'.padStart(12) : `${ms.toFixed(0).padStart(6)} ms ${ms < GOAL_MS ? 'pass' : 'FAIL'}`);
process.stdout.write(`\nreports: each under ${GOAL_MS} ms (median of ${RUNS} after a warm-up; ${INCIDENTS.toLocaleString('en')} incidents; load average ${load.join(' ')})\n`);
process.stdout.write(`  ${'report'.padEnd(56)} ${'sqlite'.padStart(14)} ${'postgres'.padStart(14)}\n`);
for (const n of names) process.stdout.write(`  ${n.padEnd(56)} ${cell(results.get('sqlite')?.get(n))} ${cell(results.get('postgres')?.get(n))}\n`);
const failed = [...results.values()].flatMap((m) => [...m.values()]).filter((ms) => ms >= GOAL_MS).length;
process.stdout.write(`  ${failed ? `${failed} over the goal` : 'every report under the goal'}\n`);
report('reports', rows, { incidents: INCIDENTS, open: OPEN, teams: TEAMS, runs: RUNS, target: `each report < ${GOAL_MS} ms`, goalMs: GOAL_MS, failed, loadAverage: load });
