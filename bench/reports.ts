/**
 * Reports benchmark: fills a fresh database with a year of realistic history (110,000 incidents
 * across 20 teams, their alerts, pages and timeline events; inserted in bulk with Kysely in batches)
 * and times the main report queries, each beside a baseline from the same run (a count(*) over the
 * incidents). On SQLite always, and on PostgreSQL when KLAXON_TEST_DATABASE_URL is set.
 *
 *   node --import tsx bench/reports.ts          (from the repository root)
 *
 * Prints a table and writes bench/results/reports.json. Target: every report under 1 s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
import { aggregates, noise, putSlaTarget, shifts, slaAttainment, trends } from '../apps/server/src/report/service.js';
import { weeklySummary } from '../apps/server/src/report/summary.js';
import { alertCounts, alertSeries, incidentFacts, pageFacts, type Scope } from '../apps/server/src/report/store.js';
import { report, type Row } from './lib.js';

const INCIDENTS = Number(process.env.BENCH_INCIDENTS ?? 110_000);
const TEAMS = 20;
const USERS_PER_TEAM = 6;
const SERVICES_PER_TEAM = 4;
const ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Asia/Kolkata', 'Europe/London', 'America/Los_Angeles', 'Australia/Sydney', 'UTC'];
const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const NOW = Date.parse('2026-11-23T08:00:00Z');
const START = NOW - 365 * DAY;
const BATCH = 400;

/** A small deterministic PRNG (mulberry32), so every run measures the same history. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Inserts rows in batches inside one transaction per batch. */
async function bulk<T extends keyof Database & string>(db: Db<Database>, table: T, rows: Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) await db.kysely.insertInto(table).values(rows.slice(i, i + BATCH) as never).execute();
}

/** Fills the database with a year of history, printing progress. */
async function generate(db: Db<Database>): Promise<{ teamIds: string[] }> {
  const r = rng(42);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const teamIds: string[] = [];
  const users: { id: string; team: number }[] = [];
  const services: { id: string; team: number }[] = [];
  for (let t = 0; t < TEAMS; t++) {
    const id = newId();
    teamIds.push(id);
    await db.kysely.insertInto('teams').values({ id, name: `team-${t}`, description: '', created_at: START }).execute();
    for (let u = 0; u < USERS_PER_TEAM; u++) {
      const uid = newId();
      users.push({ id: uid, team: t });
      await db.kysely.insertInto('users').values({ id: uid, email: `u${t}-${u}@bench.local`, name: `User ${t}-${u}`, time_zone: pick(ZONES), role: 'responder', password_hash: null, created_at: START, updated_at: START }).execute();
      await db.kysely.insertInto('team_members').values({ team_id: id, user_id: uid, role: 'member', position: u }).execute();
    }
    for (let s = 0; s < SERVICES_PER_TEAM; s++) {
      const sid = newId();
      services.push({ id: sid, team: t });
      await db.kysely.insertInto('services').values({ id: sid, name: `svc-${t}-${s}`, description: '', escalation_policy_id: null, team_id: id, grouping: '{}', created_at: START, updated_at: START }).execute();
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
    const created = START + Math.floor(r() * (NOW - START - DAY));
    const id = newId();
    const drill = r() < 0.01 ? 1 : 0;
    const noAck = r() < 0.15;
    const responder = users[svc.team * USERS_PER_TEAM + Math.floor(r() * USERS_PER_TEAM)]!;
    const ackAt = noAck ? null : created + Math.floor(r() * r() * 30 * MIN);
    const resolvedAt = created + Math.floor((noAck ? 5 : 20) * MIN + r() * r() * 8 * 60 * MIN);
    incidents.push({ id, number: n, service_id: svc.id, title: `Incident ${n}`, status: 'resolved', urgency: 'high', severity: pick(sevs), details: '', group_key: null, created_at: created, updated_at: resolvedAt, acknowledged_at: ackAt, acknowledged_by: ackAt === null ? null : responder.id, resolved_at: resolvedAt, resolved_by: responder.id, sev: null, major: 0, drill, incident_manager_id: null, impact: '{}', policy_snapshot: null, escalation_step: 1, next_escalation_at: null });
    const nAlerts = 1 + Math.floor(r() * r() * 4);
    for (let a = 0; a < nAlerts; a++) {
      const at = created + a * Math.floor(r() * 10 * MIN);
      alerts.push({ id: newId(), service_id: svc.id, integration_id: null, incident_id: id, dedup_key: `k${Math.floor(r() * 400)}`, status: 'resolved', summary: `Alert ${a}`, source: 'bench', severity: 'critical', details: '{}', links: '[]', event_count: 1 + Math.floor(r() * 3), created_at: at, updated_at: resolvedAt, resolved_at: Math.max(at, resolvedAt) });
    }
    const nPages = 1 + (r() < 0.3 ? 1 : 0);
    for (let p = 0; p < nPages; p++) {
      const pid = newId();
      const ch = pick(['email', 'sms', 'push', 'voice', 'slack']);
      pages.push({ id: pid, kind: 'page', channel: ch, destination: 'x', user_id: responder.id, contact_method_id: null, incident_id: id, content: '{}', status: 'sent', attempts: 1, next_attempt_at: created, lease_owner: null, lease_until: null, provider_message_id: null, provider_status: 'sent', last_error: null, created_at: created + p * 5 * MIN, sent_at: created + p * 5 * MIN });
      timeline.push({ id: newId(), incident_id: id, at: created + p * 5 * MIN, type: 'notification.sent', actor_type: 'system', actor_id: null, actor_name: 'Klaxon', channel: 'engine', message: 'Paged', data: JSON.stringify({ channel: ch, userId: responder.id }) });
    }
    timeline.push({ id: newId(), incident_id: id, at: created, type: 'incident.opened', actor_type: 'system', actor_id: null, actor_name: 'Klaxon', channel: 'ingest', message: `Incident #${n} opened`, data: '{}' });
    timeline.push({ id: newId(), incident_id: id, at: resolvedAt, type: 'incident.resolved', actor_type: 'user', actor_id: responder.id, actor_name: 'x', channel: 'api', message: 'Resolved', data: '{}' });
    if (incidents.length >= 2000) {
      await flush();
      if (n % 10_000 === 0) process.stdout.write(`  ${db.dialect}: ${n.toLocaleString('en')} / ${INCIDENTS.toLocaleString('en')} incidents (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
    }
  }
  await flush();
  return { teamIds };
}

async function time(fn: () => Promise<unknown>, runs = 1): Promise<number> {
  await fn(); // warm-up
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    xs.push(performance.now() - t0);
  }
  xs.sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)]!;
}

async function benchDialect(dialect: 'sqlite' | 'postgres', url: string): Promise<Row[]> {
  const db = await openDatabase(url);
  try {
    process.stdout.write(`Generating a year of history on ${dialect}…\n`);
    const t0 = Date.now();
    const { teamIds } = await generate(db);
    const genS = (Date.now() - t0) / 1000;
    if (dialect === 'postgres') await (await import('kysely')).sql`analyze`.execute(db.kysely);
    const ctx: Ctx = { db, clock: new FakeClock(NOW), log: createLogger('silent'), publicUrl: 'http://bench', linkSecret: await sharedSecret(db, 'link_secret'), wake: () => {}, publish: () => {} };
    for (const severity of ['critical', 'error', 'warning', 'info']) await putSlaTarget(ctx, SYSTEM, { severity, ackWithinMinutes: 10, resolveWithinMinutes: 240 });
    const year = { from: START, to: NOW };
    const month = { from: NOW - 30 * DAY, to: NOW };
    const baseline = await time(() => db.kysely.selectFrom('incidents').select((eb) => eb.fn.countAll().as('n')).where('created_at', '>=', START).execute());
    const b = { name: 'count(*) incidents', value: baseline };
    const rows: Row[] = [{ figure: `${dialect}: generate ${INCIDENTS} incidents (s)`, value: genS, unit: 's' }];
    const sy: Scope = { ...year, teamId: null, serviceId: null, severity: null, drills: false, tz: 'UTC' };
    const q: [string, () => Promise<unknown>][] = [
      ['query: incident facts, year', () => incidentFacts(db.kysely, sy)],
      ['query: alert counts, year', () => alertCounts(db.kysely, sy)],
      ['query: alert series, year', () => alertSeries(db.kysely, sy)],
      ['query: pages, year', () => pageFacts(db.kysely, sy)],
      ['aggregates by team, year', () => aggregates(ctx, SYSTEM, { ...year, by: 'team' })],
      ['aggregates by week, year', () => aggregates(ctx, SYSTEM, { ...year, by: 'week' })],
      ['aggregates by responder, 30 days', () => aggregates(ctx, SYSTEM, { ...month, by: 'responder' })],
      ['SLA attainment by month, year', () => slaAttainment(ctx, SYSTEM, { ...year, period: 'month' })],
      ['noise, 30 days', () => noise(ctx, SYSTEM, month)],
      ['noise, year', () => noise(ctx, SYSTEM, year)],
      ['shifts and zones, 30 days', () => shifts(ctx, SYSTEM, month)],
      ['shifts and zones, year', () => shifts(ctx, SYSTEM, year)],
      ['trends, 8 weeks', () => trends(ctx, SYSTEM, { weeks: 8 })],
      ['weekly summary, one team', () => weeklySummary(ctx, SYSTEM, teamIds[0]!, Date.parse('2026-11-16T00:00:00Z'))],
    ];
    for (const [name, fn] of q) {
      const ms = await time(fn);
      rows.push({ figure: `${dialect}: ${name}`, value: ms, unit: 'ms', baseline: b });
      process.stdout.write(`  ${name}: ${ms.toFixed(0)} ms (baseline ${baseline.toFixed(1)} ms)\n`);
    }
    return rows;
  } finally {
    await db.close();
  }
}

const rows: Row[] = [];
const dir = mkdtempSync(join(tmpdir(), 'klaxon-bench-reports-'));
try {
  rows.push(...(await benchDialect('sqlite', join(dir, 'bench.db'))));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const admin = process.env.KLAXON_TEST_DATABASE_URL;
if (admin) {
  const name = `klaxon_bench_${Date.now().toString(36)}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  try {
    rows.push(...(await benchDialect('postgres', u.toString())));
  } finally {
    const d = new pg.Client({ connectionString: admin });
    await d.connect();
    await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await d.end();
  }
}
report('reports', rows, { incidents: INCIDENTS, teams: TEAMS, target: 'each report < 1000 ms' });
