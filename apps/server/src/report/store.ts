/* eslint-disable @typescript-eslint/no-explicit-any -- the report queries are composed over two sources
   (stored report rows and live open incidents) with column names chosen at run time (ScopeCols);
   Kysely cannot type a builder generic over its tables, so the composed builders are `any` here,
   and every function's answer is typed. */
/*
 * Report queries. Incidents and alerts come from the report rows (report/measures.ts) of resolved
 * incidents and from the same columns computed live for open ones, each queried on its own and the
 * groups merged; pages from the outbox through a covering index. The database groups and counts; durations and times a group needs in
 * TypeScript (percentiles, zones) come back packed as one comma-separated text per group, because
 * turning a row into a JavaScript object costs far more than parsing its numbers out of a string.
 */
import { sql, type Insertable, type RawBuilder } from 'kysely';
import type { Tx } from '../context.js';
import type { DialectName } from '../lib/db/index.js';
import { alertMeasureSource, incidentMeasureSource } from './store/measures.js';
import type { SlaTargetTable } from './tables.js';
import { must } from '../lib/must.js';

/** A resolved report range and its filters. */
export interface Scope {
  from: number;
  to: number;
  teamId: string | null;
  serviceId: string | null;
  severity: string | null;
  drills: boolean;
  tz: string;
  dialect: DialectName;
}

/** The columns of an incident the aggregates need. */
export interface IncidentFact {
  id: string;
  number: number;
  title: string;
  createdAt: number;
  acknowledgedAt: number | null;
  resolvedAt: number | null;
  serviceId: string;
  teamId: string | null;
  severity: string;
  acknowledgedBy: string | null;
}

function scoped<T extends { where: any }>(q: T, s: Scope): T {
  let r: any = q.where('incidents.created_at', '>=', s.from).where('incidents.created_at', '<', s.to);
  if (!s.drills) r = r.where('incidents.drill', '=', 0);
  if (s.serviceId) r = r.where('incidents.service_id', '=', s.serviceId);
  if (s.teamId) r = r.where('services.team_id', '=', s.teamId);
  if (s.severity) r = r.where(sql`coalesce(incidents.sev, incidents.severity)`, '=', s.severity);
  return r as T;
}

/** Incidents created in the scope, minimal columns, straight from the incidents (small scopes: the weekly summary's top incidents). */
export async function incidentFacts(db: Tx, s: Scope): Promise<IncidentFact[]> {
  const q = scoped(
    db
      .selectFrom('incidents')
      .innerJoin('services', 'services.id', 'incidents.service_id')
      .select([
        'incidents.id',
        'incidents.number',
        'incidents.title',
        'incidents.created_at',
        'incidents.acknowledged_at',
        'incidents.resolved_at',
        'incidents.service_id',
        'services.team_id',
        'incidents.acknowledged_by',
      ])
      .select(sql<string>`coalesce(incidents.sev, incidents.severity)`.as('sev_key')),
    s,
  );
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    number: Number(r.number),
    title: r.title,
    createdAt: Number(r.created_at),
    acknowledgedAt: r.acknowledged_at === null ? null : Number(r.acknowledged_at),
    resolvedAt: r.resolved_at === null ? null : Number(r.resolved_at),
    serviceId: r.service_id,
    teamId: r.team_id,
    severity: r.sev_key,
    acknowledgedBy: r.acknowledged_by,
  }));
}

const OPEN = ['triggered', 'acknowledged'];

/** Column references a scope filters on. */
interface ScopeCols {
  created: string;
  drill: string;
  service: string;
  severity: RawBuilder<unknown> | string;
}

/**
 * Filters a query to the scope. `byService`: the query groups by service, so on SQLite the time
 * range is marked likely true (likely()), which steers the planner to the index in service order
 * (read in group order, no sort) instead of the time index (then a sort of every row).
 */
function scopeOn<Q extends { where: any }>(q: Q, s: Scope, c: ScopeCols, byService = false): Q {
  const likely = byService && s.dialect === 'sqlite';
  let r: any = likely ? q.where(sql`likely(${sql.ref(c.created)} >= ${s.from})`).where(sql`likely(${sql.ref(c.created)} < ${s.to})`) : q.where(c.created, '>=', s.from).where(c.created, '<', s.to);
  // A literal, not a parameter, so the planner knows the query reads the non-drill part of an index.
  if (!s.drills) r = r.where(c.drill, '=', sql.lit(0));
  if (s.serviceId) r = r.where(c.service, '=', s.serviceId);
  if (s.teamId) r = r.where(c.service, 'in', (eb: any) => eb.selectFrom('services').select('services.id').where('services.team_id', '=', s.teamId));
  if (s.severity) r = r.where(c.severity, '=', s.severity);
  return r as Q;
}

const LIVE_COLS: ScopeCols = { created: 'i.created_at', drill: 'i.drill', service: 'i.service_id', severity: sql`coalesce(i.sev, i.severity)` };
const STORED_INCIDENT_COLS: ScopeCols = { created: 'm.created_at', drill: 'm.drill', service: 'm.service_id', severity: 'm.severity' };
const STORED_ALERT_COLS: ScopeCols = { created: 'm.incident_created_at', drill: 'm.drill', service: 'm.service_id', severity: 'm.severity' };

/**
 * Where a report reads incidents or alerts from: the stored report rows of resolved incidents, or
 * open incidents computed live by the same definition (report/measures.ts). Each query runs on both
 * and the groups are merged, rather than grouping a UNION: the stored rows are then read in the
 * order of their index, without sorting.
 */
export type Source = 'stored' | 'live';
const SOURCES: readonly Source[] = ['stored', 'live'];

function incidentsFrom(db: Tx, s: Scope, src: Source, byService = false): any {
  if (src === 'stored') return scopeOn(db.selectFrom('report_incidents as m'), s, STORED_INCIDENT_COLS, byService);
  return db.selectFrom(scopeOn(incidentMeasureSource(db).where('i.status', 'in', OPEN), s, LIVE_COLS).as('m'));
}

const ALERT_READ = ['service_id', 'dedup_key', 'created_at', 'resolved_at', 'event_count'] as const;
type AlertKey = { serviceId: string; dedupKey: string };

function keyFilter(keys: readonly AlertKey[], service: string, dedup: string) {
  return (eb: any) => eb.or(keys.map((k) => eb.and([eb(service, '=', k.serviceId), eb(dedup, '=', k.dedupKey)])));
}

function alertsFrom(db: Tx, s: Scope, src: Source | 'both', keys?: readonly AlertKey[]): any {
  let stored: any = scopeOn(db.selectFrom('report_alerts as m'), s, STORED_ALERT_COLS);
  let live: any = scopeOn(alertMeasureSource(db).where('i.status', 'in', OPEN), s, LIVE_COLS);
  if (keys) {
    stored = stored.where(keyFilter(keys, 'm.service_id', 'm.dedup_key'));
    live = live.where(keyFilter(keys, 'i.service_id', 'a.dedup_key'));
  }
  if (src === 'stored') return stored;
  if (src === 'live') return db.selectFrom(live.as('m'));
  return db.selectFrom(
    stored
      .select(ALERT_READ.map((c) => `m.${c}`))
      .unionAll(db.selectFrom(live.as('o')).select(ALERT_READ.map((c) => `o.${c}`)))
      .as('m'),
  );
}

/** Values of `expr` over a group as one comma-separated text (nulls left out). */
function packed(s: Scope, expr: RawBuilder<unknown>): RawBuilder<string | null> {
  return s.dialect === 'postgres' ? sql<string | null>`string_agg(cast(${expr} as text), ',')` : sql<string | null>`group_concat(${expr})`;
}

/** The numbers of a packed group ([] for null). */
export function unpack(text: string | null | undefined): number[] {
  if (!text) return [];
  const parts = text.split(',');
  const out = new Array<number>(parts.length);
  for (let k = 0; k < parts.length; k++) out[k] = Number(parts[k]);
  return out;
}

/** Rows of both sources merged by key. */
function mergeBy<T>(rows: readonly T[], key: (r: T) => string, merge: (into: T, r: T) => void): T[] {
  const out = new Map<string, T>();
  for (const r of rows) {
    const k = key(r);
    const have = out.get(k);
    if (have) merge(have, r);
    else out.set(k, r);
  }
  return [...out.values()];
}

/** Incidents of the scope grouped by a key, with what aggregates need; durations packed. */
export interface IncidentGroup {
  key: string | null;
  incidents: number;
  acknowledged: number;
  resolved: number;
  resolvedWithoutAction: number;
  alerts: number;
  /** Incidents with at least one alert. */
  withAlerts: number;
  tta: number[];
  ttr: number[];
}

/** What incidents are grouped by in the database: a column, or the creation time in buckets of `granule` ms (the key is the bucket's start). */
export type GroupKey = { column: 'service_id' | 'severity' | 'acknowledged_by' } | { granule: number };

/** Incidents of the scope grouped in the database: counts, alert sums and (unless `durations` is false) packed durations. */
export async function incidentGroups(db: Tx, s: Scope, by: GroupKey, durations = true): Promise<IncidentGroup[]> {
  const key = 'column' in by ? sql.ref(`m.${by.column}`) : sql`(m.created_at / ${sql.lit(by.granule)})`;
  const rows: IncidentGroup[] = [];
  for (const src of SOURCES) {
    const part = await incidentsFrom(db, s, src, 'column' in by && by.column === 'service_id')
      .select([
        key.as('k'),
        sql<number>`count(*)`.as('incidents'),
        sql<number>`count(m.acknowledged_at)`.as('acknowledged'),
        sql<number>`count(m.resolved_at)`.as('resolved'),
        sql<number>`sum(case when m.resolved_at is not null and m.acknowledged_at is null then 1 else 0 end)`.as('no_action'),
        sql<number>`sum(m.alerts)`.as('alerts'),
        sql<number>`sum(case when m.alerts > 0 then 1 else 0 end)`.as('with_alerts'),
        (durations ? packed(s, sql`m.acknowledged_at - m.created_at`) : sql<null>`null`).as('tta'),
        (durations ? packed(s, sql`m.resolved_at - m.created_at`) : sql<null>`null`).as('ttr'),
      ])
      .groupBy(key)
      .execute();
    for (const r of part) {
      rows.push({
        key: r.k === null ? null : 'granule' in by ? String(Number(r.k) * by.granule) : String(r.k),
        incidents: Number(r.incidents),
        acknowledged: Number(r.acknowledged),
        resolved: Number(r.resolved),
        resolvedWithoutAction: Number(r.no_action ?? 0),
        alerts: Number(r.alerts ?? 0),
        withAlerts: Number(r.with_alerts ?? 0),
        tta: unpack(r.tta),
        ttr: unpack(r.ttr),
      });
    }
  }
  return mergeBy(
    rows,
    (r) => String(r.key),
    (a, b) => {
      a.incidents += b.incidents;
      a.acknowledged += b.acknowledged;
      a.resolved += b.resolved;
      a.resolvedWithoutAction += b.resolvedWithoutAction;
      a.alerts += b.alerts;
      a.withAlerts += b.withAlerts;
      a.tta = a.tta.concat(b.tta);
      a.ttr = a.ttr.concat(b.ttr);
    },
  );
}

/** Incidents of one (service, severity) as the SLA report reads them: one array per column, one index per incident. */
export interface SlaGroup {
  serviceId: string;
  severity: string;
  number: number[];
  createdAt: number[];
  acknowledgedAt: (number | null)[];
  resolvedAt: (number | null)[];
}

/** Incidents of the scope by (service, severity): what SLA targets are matched on, and each incident's times (packed per column, in one row order). */
export async function slaGroups(db: Tx, s: Scope): Promise<SlaGroup[]> {
  // Nulls as '' keep the lists aligned (an aggregate steps every row of a group in the same order).
  const col = (c: string) => packed(s, sql`coalesce(cast(${sql.ref(c)} as text), '')`);
  const nullable = (text: string | null): (number | null)[] =>
    String(text ?? '')
      .split(',')
      .map((v) => (v === '' ? null : Number(v)));
  const out: SlaGroup[] = [];
  for (const src of SOURCES) {
    const rows = await incidentsFrom(db, s, src, true)
      .select(['m.service_id', 'm.severity', col('m.number').as('n'), col('m.created_at').as('c'), col('m.acknowledged_at').as('a'), col('m.resolved_at').as('r')])
      .groupBy(['m.service_id', 'm.severity'])
      .execute();
    for (const r of rows) out.push({ serviceId: r.service_id, severity: r.severity, number: unpack(r.n), createdAt: unpack(r.c), acknowledgedAt: nullable(r.a), resolvedAt: nullable(r.r) });
  }
  return mergeBy(
    out,
    (g) => `${g.serviceId}\u0000${g.severity}`,
    (a, b) => {
      a.number = a.number.concat(b.number);
      a.createdAt = a.createdAt.concat(b.createdAt);
      a.acknowledgedAt = a.acknowledgedAt.concat(b.acknowledgedAt);
      a.resolvedAt = a.resolvedAt.concat(b.resolvedAt);
    },
  );
}

/** Acknowledged incidents of the scope by who acknowledged them: creation times and times to acknowledge (same order). */
export async function ackGroups(db: Tx, s: Scope): Promise<{ userId: string; createdAt: number[]; tta: number[] }[]> {
  const out: { userId: string; createdAt: number[]; tta: number[] }[] = [];
  for (const src of SOURCES) {
    const rows = await incidentsFrom(db, s, src)
      .select(['m.acknowledged_by', packed(s, sql`m.created_at`).as('c'), packed(s, sql`m.acknowledged_at - m.created_at`).as('d')])
      .where('m.acknowledged_at', 'is not', null)
      .where('m.acknowledged_by', 'is not', null)
      .groupBy('m.acknowledged_by')
      .execute();
    for (const r of rows) out.push({ userId: r.acknowledged_by, createdAt: unpack(r.c), tta: unpack(r.d) });
  }
  return mergeBy(
    out,
    (g) => g.userId,
    (a, b) => {
      a.createdAt = a.createdAt.concat(b.createdAt);
      a.tta = a.tta.concat(b.tta);
    },
  );
}

/** Ids and titles of incidents by number (one statement: the numbers go as one JSON or array parameter). */
export async function incidentTitles(db: Tx, s: Scope, numbers: readonly number[]): Promise<Map<number, { id: string; title: string }>> {
  const out = new Map<number, { id: string; title: string }>();
  if (!numbers.length) return out;
  const list = [...new Set(numbers)];
  const inList = s.dialect === 'postgres' ? sql<boolean>`number = any(${list}::bigint[])` : sql<boolean>`number in (select value from json_each(${JSON.stringify(list)}))`;
  const rows = await db.selectFrom('incidents').select(['id', 'number', 'title']).where(inList).execute();
  for (const r of rows) out.set(Number(r.number), { id: r.id, title: r.title });
  return out;
}

/** Alerts of the scope per (incident's service, dedup key). */
export interface AlertKeyGroup extends AlertKey {
  count: number;
  events: number;
  /** Re-triggered within the flap window of the previous alert's resolution (lag() in series order). */
  flaps: number;
}

/** Flapping alerts: each alert re-triggered within `flapMs` of the resolution of the previous alert of its series. */
async function flapRows(db: Tx, from: any, flapMs: number): Promise<AlertKey[]> {
  const series = from.select(['m.service_id', 'm.dedup_key', 'm.created_at', sql`lag(m.resolved_at) over (partition by m.service_id, m.dedup_key order by m.created_at)`.as('prev')]);
  const rows = await db
    .selectFrom(series.as('x'))
    .select(['x.service_id', 'x.dedup_key'])
    .where(sql<boolean>`x.prev is not null and x.created_at >= x.prev and x.created_at - x.prev <= ${flapMs}`)
    .execute();
  return rows.map((r: any) => ({ serviceId: r.service_id, dedupKey: r.dedup_key }));
}

/**
 * The noisiest alert series of the scope (top `limit` by count, with events) and every series that
 * flapped (with its flaps). Counts and events add up over both sources; flaps come from the stored
 * series, and for series that also have open incidents' alerts, from both sources together.
 */
export async function alertKeyGroups(db: Tx, s: Scope, flapMs: number, limit = 10): Promise<{ top: AlertKeyGroup[]; flapping: AlertKeyGroup[] }> {
  const id = (k: AlertKey) => `${k.serviceId}\u0000${k.dedupKey}`;
  const counts = (q: any) => q.select(['m.service_id', 'm.dedup_key', sql<number>`count(*)`.as('n'), sql<number>`sum(m.event_count)`.as('events')]).groupBy(['m.service_id', 'm.dedup_key']);
  const toGroup = (r: any): AlertKeyGroup => ({ serviceId: r.service_id, dedupKey: r.dedup_key, count: Number(r.n), events: Number(r.events ?? 0), flaps: 0 });
  const live = ((await counts(alertsFrom(db, s, 'live')).execute()) as any[]).map(toGroup);
  const liveIds = new Set(live.map(id));
  // A series outside the stored top (limit + live series) cannot reach the top `limit` with live alerts added.
  const stored = (
    (await counts(alertsFrom(db, s, 'stored'))
      .orderBy('n', 'desc')
      .orderBy('m.service_id')
      .orderBy('m.dedup_key')
      .limit(limit + live.length)
      .execute()) as any[]
  ).map(toGroup);
  const storedLive = live.length ? ((await counts(alertsFrom(db, s, 'stored', live)).execute()) as any[]).map(toGroup) : [];
  const storedCount = new Map<string, AlertKeyGroup>();
  for (const g of [...stored, ...storedLive]) storedCount.set(id(g), g);
  const liveCount = new Map(live.map((g) => [id(g), g]));
  const all: AlertKeyGroup[] = [];
  for (const key of new Set([...storedCount.keys(), ...liveCount.keys()])) {
    const a = storedCount.get(key);
    const b = liveCount.get(key);
    const k = must(a ?? b, 'the stored or live count');
    all.push({ serviceId: k.serviceId, dedupKey: k.dedupKey, count: (a?.count ?? 0) + (b?.count ?? 0), events: (a?.events ?? 0) + (b?.events ?? 0), flaps: 0 });
  }
  const top = all
    .sort((a, b) => b.count - a.count || (a.serviceId < b.serviceId ? -1 : a.serviceId > b.serviceId ? 1 : a.dedupKey < b.dedupKey ? -1 : a.dedupKey > b.dedupKey ? 1 : 0))
    .slice(0, limit);
  const flaps = new Map<string, AlertKeyGroup>();
  const flap = (k: AlertKey) => {
    let g = flaps.get(id(k));
    if (!g) flaps.set(id(k), (g = { ...k, count: 0, events: 0, flaps: 0 }));
    g.flaps++;
  };
  for (const k of await flapRows(db, alertsFrom(db, s, 'stored'), flapMs)) if (!liveIds.has(id(k))) flap(k);
  for (let k = 0; k < live.length; k += 200) for (const f of await flapRows(db, alertsFrom(db, s, 'both', live.slice(k, k + 200)), flapMs)) flap(f);
  return { top, flapping: [...flaps.values()] };
}

/** The greatest summary (max(), as SQL orders text) of the scope's alerts for each (service, dedup key) asked for. */
export async function alertSummaries(db: Tx, s: Scope, keys: readonly AlertKey[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!keys.length) return out;
  const stored = scopeOn(db.selectFrom('report_alerts as m'), s, STORED_ALERT_COLS)
    .where(keyFilter(keys, 'm.service_id', 'm.dedup_key'))
    .select(['m.service_id', 'm.dedup_key', 'm.summary']);
  const live = scopeOn(
    alertMeasureSource(db).clearSelect().select(['i.service_id as service_id', 'a.dedup_key as dedup_key', 'a.summary as summary']).where('i.status', 'in', OPEN),
    s,
    LIVE_COLS,
  ).where(keyFilter(keys, 'i.service_id', 'a.dedup_key'));
  const rows = await db
    .selectFrom(stored.unionAll(live as any).as('u'))
    .select(['u.service_id', 'u.dedup_key', (eb) => eb.fn.max('u.summary').as('summary')])
    .groupBy(['u.service_id', 'u.dedup_key'])
    .execute();
  for (const r of rows) out.set(`${r.service_id}\u0000${r.dedup_key}`, String(r.summary ?? ''));
  return out;
}

/** Pages (outbox kind page) sent in the range for incidents of the scope, per person: send times, channels, distinct incidents. */
export async function pageGroups(db: Tx, s: Scope): Promise<{ userId: string; at: number[]; channels: string[]; interruptions: number }[]> {
  let q = db
    .selectFrom('outbox as p')
    .where('p.kind', '=', 'page')
    .where('p.user_id', 'is not', null)
    .where('p.created_at', '>=', s.from)
    .where('p.created_at', '<', s.to)
    .where('p.incident_id', 'is not', null);
  // Filters on the incident as sets of incident ids: drills are few (a partial index), a team's or service's incidents an index range.
  if (!s.drills) q = q.where('p.incident_id', 'not in', (eb) => eb.selectFrom('incidents as d').select('d.id').where('d.drill', '=', 1));
  if (s.serviceId) q = q.where('p.incident_id', 'in', (eb) => eb.selectFrom('incidents as v').select('v.id').where('v.service_id', '=', s.serviceId));
  if (s.teamId)
    q = q.where('p.incident_id', 'in', (eb) =>
      eb
        .selectFrom('incidents as v')
        .select('v.id')
        .where('v.service_id', 'in', eb.selectFrom('services').select('services.id').where('services.team_id', '=', s.teamId)),
    );
  if (s.severity)
    q = q.where('p.incident_id', 'in', (eb) =>
      eb
        .selectFrom('incidents as v')
        .select('v.id')
        .where(sql`coalesce(v.sev, v.severity)`, '=', s.severity),
    );
  const rows = await q
    .select(['p.user_id', sql<number>`count(distinct p.incident_id)`.as('n'), packed(s, sql.ref('p.created_at')).as('at'), packed(s, sql.ref('p.channel')).as('ch')])
    .groupBy('p.user_id')
    .execute();
  return rows.map((r: any) => ({ userId: r.user_id, at: unpack(r.at), channels: r.ch ? String(r.ch).split(',') : [], interruptions: Number(r.n) }));
}

/** Names and zones of users. */
export async function userInfo(db: Tx, ids: Iterable<string>): Promise<Map<string, { name: string; timeZone: string }>> {
  const list = [...new Set(ids)];
  const out = new Map<string, { name: string; timeZone: string }>();
  for (let i = 0; i < list.length; i += 500) {
    const rows = await db
      .selectFrom('users')
      .select(['id', 'name', 'time_zone'])
      .where('id', 'in', list.slice(i, i + 500))
      .execute();
    for (const r of rows) out.set(r.id, { name: r.name, timeZone: r.time_zone });
  }
  return out;
}

/** First war-room chat message by a person per incident (null map when the war room has no tables yet). */
export async function firstEngagement(db: Tx, incidentIds: readonly string[]): Promise<Map<string, number> | null> {
  return firstAt(db, 'chat_messages', incidentIds, 'author_id is not null');
}

/** First stakeholder status update per incident (null map when status updates have no table yet). */
export async function firstStatusUpdate(db: Tx, incidentIds: readonly string[]): Promise<Map<string, number> | null> {
  return firstAt(db, 'status_updates', incidentIds, '1 = 1');
}

async function firstAt(db: Tx, table: string, ids: readonly string[], cond: string): Promise<Map<string, number> | null> {
  const out = new Map<string, number>();
  try {
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      if (!chunk.length) break;
      const r = await sql<{
        incident_id: string;
        first: number;
      }>`select incident_id, min(at) as first from ${sql.table(table)} where ${sql.raw(cond)} and incident_id in (${sql.join(chunk)}) group by incident_id`.execute(db);
      for (const row of r.rows) out.set(row.incident_id, Number(row.first));
    }
    return out;
  } catch {
    return null;
  }
}

/** First war-room engagement / status update per incident (by number) created in the scope's range (null when the table is missing). */
export async function firstInRange(db: Tx, kind: 'engage' | 'update', s: Scope): Promise<Map<number, number> | null> {
  const table = kind === 'engage' ? 'chat_messages' : 'status_updates';
  const cond = kind === 'engage' ? sql`t.author_id is not null` : sql`1 = 1`;
  try {
    // From the (few) updates or messages to their incidents, not the other way round.
    const r = await sql<{
      number: number;
      first: number;
    }>`select i.number, f.first from (select t.incident_id, min(t.at) as first from ${sql.table(table)} t where ${cond} group by t.incident_id) f inner join incidents i on i.id = f.incident_id where i.created_at >= ${s.from} and i.created_at < ${s.to}`.execute(
      db,
    );
    return new Map(r.rows.map((row) => [Number(row.number), Number(row.first)]));
  } catch {
    return null;
  }
}

/** Open incidents (not drills) an SLA target may warn about. */
export async function openIncidentsForSla(db: Tx) {
  return db
    .selectFrom('incidents')
    .select(['id', 'number', 'title', 'service_id', 'severity', 'sev', 'status', 'created_at', 'acknowledged_by', 'incident_manager_id'])
    .where('status', 'in', ['triggered', 'acknowledged'])
    .where('drill', '=', 0)
    .execute();
}

/** Claims the warning of (incident, target); false when it was sent already. */
export async function claimSlaWarning(db: Tx, incidentId: string, target: string, now: number): Promise<boolean> {
  const claimed = await db
    .insertInto('sla_warnings')
    .values({ incident_id: incidentId, target, sent_at: now })
    .onConflict((oc) => oc.columns(['incident_id', 'target']).doNothing())
    .executeTakeFirst();
  return !!Number(claimed.numInsertedOrUpdatedRows ?? 0);
}

/** Teams with report subscribers whose summary of the week starting `week` was not sent. */
export async function teamsAwaitingSummary(db: Tx, week: number): Promise<{ team_id: string }[]> {
  return db
    .selectFrom('report_subscriptions')
    .select('team_id')
    .distinct()
    .where((eb) =>
      eb.not(
        eb.exists(eb.selectFrom('report_summaries').select('team_id').whereRef('report_summaries.team_id', '=', 'report_subscriptions.team_id').where('report_summaries.period_start', '=', week)),
      ),
    )
    .execute();
}

/** Claims the summary of (team, week); false when it was sent already. */
export async function claimReportSummary(db: Tx, teamId: string, week: number, now: number): Promise<boolean> {
  const claimed = await db
    .insertInto('report_summaries')
    .values({ team_id: teamId, period_start: week, sent_at: now })
    .onConflict((oc) => oc.columns(['team_id', 'period_start']).doNothing())
    .executeTakeFirst();
  return !!Number(claimed.numInsertedOrUpdatedRows ?? 0);
}

/** The users subscribed to a team's report summaries. */
export async function reportSubscribers(db: Tx, teamId: string): Promise<{ id: string; name: string; email: string }[]> {
  return db
    .selectFrom('report_subscriptions')
    .innerJoin('users', 'users.id', 'report_subscriptions.user_id')
    .select(['users.id', 'users.name', 'users.email'])
    .where('report_subscriptions.team_id', '=', teamId)
    .execute();
}

/** Subscribes a user to a team's report summaries (nothing when subscribed already). */
export async function insertReportSubscription(db: Tx, teamId: string, userId: string, now: number): Promise<void> {
  await db
    .insertInto('report_subscriptions')
    .values({ team_id: teamId, user_id: userId, created_at: now })
    .onConflict((oc) => oc.columns(['team_id', 'user_id']).doNothing())
    .execute();
}

/** Removes a user's subscription to a team's report summaries. */
export async function deleteReportSubscription(db: Tx, teamId: string, userId: string): Promise<void> {
  await db.deleteFrom('report_subscriptions').where('team_id', '=', teamId).where('user_id', '=', userId).execute();
}

/** A team's report subscribers, by name. */
export async function reportSubscribersByName(db: Tx, teamId: string): Promise<{ id: string; name: string; email: string }[]> {
  return db
    .selectFrom('report_subscriptions')
    .innerJoin('users', 'users.id', 'report_subscriptions.user_id')
    .select(['users.id', 'users.name', 'users.email'])
    .where('report_subscriptions.team_id', '=', teamId)
    .orderBy('users.name')
    .execute();
}

// ---- Per incident, SLA targets and labels (report/service.ts) ----

/** What an incident's measures need of its row, with who acknowledged it. */
export async function measureIncident(db: Tx, incidentId: string) {
  return db
    .selectFrom('incidents')
    .leftJoin('users', 'users.id', 'incidents.acknowledged_by')
    .select([
      'incidents.id',
      'incidents.number',
      'incidents.title',
      'incidents.service_id',
      'incidents.severity',
      'incidents.sev',
      'incidents.drill',
      'incidents.created_at',
      'incidents.acknowledged_at',
      'incidents.acknowledged_by',
      'incidents.resolved_at',
      'users.name as ack_name',
    ])
    .where('incidents.id', '=', incidentId)
    .executeTakeFirst();
}

/** The timeline events an incident's measures count (levels, pages sent, acknowledgement), oldest first. */
export async function measureEvents(db: Tx, incidentId: string) {
  return db
    .selectFrom('timeline_events')
    .select(['type', 'data', 'actor_id', 'actor_name', 'at'])
    .where('incident_id', '=', incidentId)
    .where('type', 'in', ['escalation.level', 'notification.sent', 'notification.bundled', 'incident.acknowledged'])
    .orderBy('at')
    .execute();
}

/** An incident's id by number (all digits) or id. */
export async function incidentIdByRef(db: Tx, idOrNumber: string): Promise<{ id: string } | undefined> {
  return (
    /^\d+$/.test(idOrNumber) ? db.selectFrom('incidents').select('id').where('number', '=', Number(idOrNumber)) : db.selectFrom('incidents').select('id').where('id', '=', idOrNumber)
  ).executeTakeFirst();
}

/** Every SLA target row, by severity. */
export async function slaTargetRows(db: Tx) {
  return db.selectFrom('sla_targets').selectAll().orderBy('severity').execute();
}

/** Deletes the SLA targets of a level, of one service or (null) the level's own. */
export async function deleteSlaTargets(db: Tx, severity: string, serviceId: string | null): Promise<void> {
  let q = db.deleteFrom('sla_targets').where('severity', '=', severity);
  q = serviceId ? q.where('service_id', '=', serviceId) : q.where('service_id', 'is', null);
  await q.execute();
}

/** Inserts an SLA target. */
export async function insertSlaTarget(db: Tx, row: Insertable<SlaTargetTable>): Promise<void> {
  await db.insertInto('sla_targets').values(row).execute();
}

/** Deletes an SLA target; false when there was none. */
export async function deleteSlaTargetRow(db: Tx, id: string): Promise<boolean> {
  const r = await db.deleteFrom('sla_targets').where('id', '=', id).executeTakeFirst();
  return !!Number(r.numDeletedRows);
}

/** Every service with an escalation policy, with the policy's levels (JSON). */
export async function serviceLevels(db: Tx): Promise<{ id: string; levels: string }[]> {
  return db.selectFrom('services').innerJoin('escalation_policies', 'escalation_policies.id', 'services.escalation_policy_id').select(['services.id', 'escalation_policies.levels']).execute();
}

/** The names of these teams, services, users or schedules. */
export async function namesOf(db: Tx, table: 'teams' | 'services' | 'users' | 'schedules', ids: string[]): Promise<{ id: string; name: string }[]> {
  return db
    .selectFrom(table as 'teams')
    .select(['id', 'name'])
    .where('id', 'in', ids)
    .execute();
}

/** Every service's name and team. */
export async function serviceNamesAndTeams(db: Tx): Promise<{ id: string; name: string; team_id: string | null }[]> {
  return db.selectFrom('services').select(['id', 'name', 'team_id']).execute();
}
