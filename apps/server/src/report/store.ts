/*
 * Report queries. Incidents and alerts come from the report rows (report/measures.ts) of resolved
 * incidents, UNION ALL the same columns computed live for open ones; pages from the outbox through
 * a covering index. The database groups and counts; durations and times a group needs in
 * TypeScript (percentiles, zones) come back packed as one comma-separated text per group, because
 * turning a row into a JavaScript object costs far more than parsing its numbers out of a string.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Tx } from '../context.js';
import type { DialectName } from '../lib/db/index.js';
import { alertMeasureSource, incidentMeasureSource } from './measures.js';

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

/** Incidents created in the scope, minimal columns. */
export async function incidentFacts(db: Tx, s: Scope): Promise<IncidentFact[]> {
  const q = scoped(
    db
      .selectFrom('incidents')
      .innerJoin('services', 'services.id', 'incidents.service_id')
      .select(['incidents.id', 'incidents.number', 'incidents.title', 'incidents.created_at', 'incidents.acknowledged_at', 'incidents.resolved_at', 'incidents.service_id', 'services.team_id', 'incidents.acknowledged_by'])
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

function scopeOn<Q extends { where: any }>(q: Q, s: Scope, c: ScopeCols): Q {
  let r: any = q.where(c.created, '>=', s.from).where(c.created, '<', s.to);
  if (!s.drills) r = r.where(c.drill, '=', 0);
  if (s.serviceId) r = r.where(c.service, '=', s.serviceId);
  if (s.teamId) r = r.where(c.service, 'in', (eb: any) => eb.selectFrom('services').select('services.id').where('services.team_id', '=', s.teamId));
  if (s.severity) r = r.where(c.severity, '=', s.severity);
  return r as Q;
}

const LIVE_COLS: ScopeCols = { created: 'i.created_at', drill: 'i.drill', service: 'i.service_id', severity: sql`coalesce(i.sev, i.severity)` };

/** Whether the scope has open incidents (their rows are computed live). */
export async function hasOpen(db: Tx, s: Scope): Promise<boolean> {
  const r = await scopeOn(db.selectFrom('incidents as i').select('i.id').where('i.status', 'in', OPEN), s, LIVE_COLS).limit(1).executeTakeFirst();
  return r !== undefined;
}

const INCIDENT_READ = ['incident_id', 'number', 'service_id', 'severity', 'drill', 'created_at', 'acknowledged_at', 'acknowledged_by', 'resolved_at', 'alerts'] as const;

/** The measures of every incident of the scope: stored rows of resolved ones, UNION ALL open ones live (same definition). */
export function incidentRows(db: Tx, s: Scope, open: boolean) {
  const stored = scopeOn(db.selectFrom('report_incidents as m').select(INCIDENT_READ.map((c) => `m.${c}` as const)), s, { created: 'm.created_at', drill: 'm.drill', service: 'm.service_id', severity: 'm.severity' });
  if (!open) return stored.as('m');
  const live = db.selectFrom(scopeOn(incidentMeasureSource(db).where('i.status', 'in', OPEN), s, LIVE_COLS).as('o')).select(INCIDENT_READ.map((c) => `o.${c}` as const));
  return stored.unionAll(live as any).as('m');
}

const ALERT_READ = ['incident_id', 'service_id', 'dedup_key', 'created_at', 'resolved_at', 'event_count'] as const;

/** The alerts of every incident of the scope (with the incident's service): stored rows UNION ALL open incidents' alerts live. */
export function alertRows(db: Tx, s: Scope, open: boolean, extra?: (q: any, prefix: string) => any) {
  const more = extra ?? ((q: any) => q);
  const stored = more(scopeOn(db.selectFrom('report_alerts as m').select(ALERT_READ.map((c) => `m.${c}` as const)), s, { created: 'm.incident_created_at', drill: 'm.drill', service: 'm.service_id', severity: 'm.severity' }), 'm');
  if (!open) return stored.as('m');
  const live = db.selectFrom(more(scopeOn(alertMeasureSource(db).where('i.status', 'in', OPEN), s, LIVE_COLS), 'x').as('o')).select(ALERT_READ.map((c) => `o.${c}` as const));
  return stored.unionAll(live).as('m');
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
export type GroupKey = { column: 'service_id' | 'severity' | 'acknowledged_by' } | { granule: number } | { all: true };

/** Incidents of the scope grouped in the database: counts, alert sums and (unless `durations` is false) packed durations. */
export async function incidentGroups(db: Tx, s: Scope, open: boolean, by: GroupKey, durations = true): Promise<IncidentGroup[]> {
  const key = 'column' in by ? sql.ref(`m.${by.column}`) : 'granule' in by ? sql`(m.created_at / ${sql.lit(by.granule)})` : sql.lit('all');
  const rows = await db
    .selectFrom(incidentRows(db, s, open))
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
    .groupBy(sql`1`)
    .execute();
  return rows.map((r: any) => ({
    key: r.k === null ? null : 'granule' in by ? String(Number(r.k) * by.granule) : String(r.k),
    incidents: Number(r.incidents),
    acknowledged: Number(r.acknowledged),
    resolved: Number(r.resolved),
    resolvedWithoutAction: Number(r.no_action ?? 0),
    alerts: Number(r.alerts ?? 0),
    withAlerts: Number(r.with_alerts ?? 0),
    tta: unpack(r.tta),
    ttr: unpack(r.ttr),
  }));
}

/** One incident as the SLA report reads it (packed in the database, unpacked here). */
export interface SlaFact {
  number: number;
  createdAt: number;
  acknowledgedAt: number | null;
  resolvedAt: number | null;
}

/** Incidents of the scope by (service, severity): what SLA targets are matched on, and each incident's times. */
export async function slaGroups(db: Tx, s: Scope, open: boolean): Promise<{ serviceId: string; severity: string; facts: SlaFact[] }[]> {
  const t = (e: RawBuilder<unknown>) => sql`coalesce(cast(${e} as text), '')`;
  const rows = await db
    .selectFrom(incidentRows(db, s, open))
    .select(['m.service_id', 'm.severity', packed(s, sql`${t(sql.ref('m.number'))} || ':' || ${t(sql.ref('m.created_at'))} || ':' || ${t(sql.ref('m.acknowledged_at'))} || ':' || ${t(sql.ref('m.resolved_at'))}`).as('facts')])
    .groupBy(['m.service_id', 'm.severity'])
    .execute();
  const num = (v: string | undefined) => (v === undefined || v === '' ? null : Number(v));
  return rows.map((r: any) => ({
    serviceId: r.service_id,
    severity: r.severity,
    facts: (r.facts ? String(r.facts).split(',') : []).map((f) => {
      const [n, c, a, z] = f.split(':');
      return { number: Number(n), createdAt: Number(c), acknowledgedAt: num(a), resolvedAt: num(z) };
    }),
  }));
}

/** Acknowledged incidents of the scope by who acknowledged them: creation times and times to acknowledge (same order). */
export async function ackGroups(db: Tx, s: Scope, open: boolean): Promise<{ userId: string; createdAt: number[]; tta: number[] }[]> {
  const rows = await db
    .selectFrom(incidentRows(db, s, open))
    .select(['m.acknowledged_by', packed(s, sql`cast(m.created_at as text) || ':' || cast(m.acknowledged_at - m.created_at as text)`).as('x')])
    .where('m.acknowledged_at', 'is not', null)
    .where('m.acknowledged_by', 'is not', null)
    .groupBy('m.acknowledged_by')
    .execute();
  return rows.map((r: any) => {
    const createdAt: number[] = [];
    const tta: number[] = [];
    for (const p of r.x ? String(r.x).split(',') : []) {
      const k = p.indexOf(':');
      createdAt.push(Number(p.slice(0, k)));
      tta.push(Number(p.slice(k + 1)));
    }
    return { userId: r.acknowledged_by, createdAt, tta };
  });
}

/** Numbers, ids and titles of incidents by number. */
export async function incidentTitles(db: Tx, numbers: readonly number[]): Promise<Map<number, { id: string; title: string }>> {
  const out = new Map<number, { id: string; title: string }>();
  const list = [...new Set(numbers)];
  for (let k = 0; k < list.length; k += 500) {
    const rows = await db.selectFrom('incidents').select(['id', 'number', 'title']).where('number', 'in', list.slice(k, k + 500)).execute();
    for (const r of rows) out.set(Number(r.number), { id: r.id, title: r.title });
  }
  return out;
}

/** Alerts of the scope by (incident's service, dedup key): count, events, and flaps (re-triggered within `flapMs` of the previous alert's resolution; lag() in series order). */
export async function alertKeyGroups(db: Tx, s: Scope, open: boolean, flapMs: number): Promise<{ serviceId: string; dedupKey: string; count: number; events: number; flaps: number }[]> {
  const series = db
    .selectFrom(alertRows(db, s, open))
    .select(['m.service_id', 'm.dedup_key', 'm.event_count', 'm.created_at', sql<number | null>`lag(m.resolved_at) over (partition by m.service_id, m.dedup_key order by m.created_at)`.as('prev')]);
  const rows = await db
    .selectFrom(series.as('x'))
    .select([
      'x.service_id',
      'x.dedup_key',
      sql<number>`count(*)`.as('n'),
      sql<number>`sum(x.event_count)`.as('events'),
      sql<number>`sum(case when x.prev is not null and x.created_at >= x.prev and x.created_at - x.prev <= ${flapMs} then 1 else 0 end)`.as('flaps'),
    ])
    .groupBy(['x.service_id', 'x.dedup_key'])
    .execute();
  return rows.map((r: any) => ({ serviceId: r.service_id, dedupKey: r.dedup_key, count: Number(r.n), events: Number(r.events ?? 0), flaps: Number(r.flaps ?? 0) }));
}

/** The greatest summary (max(), as SQL orders text) of the scope's alerts for each (service, dedup key) asked for. */
export async function alertSummaries(db: Tx, s: Scope, open: boolean, keys: readonly { serviceId: string; dedupKey: string }[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const k of keys) {
    const stored = scopeOn(db.selectFrom('report_alerts as m').select('m.summary').where('m.service_id', '=', k.serviceId).where('m.dedup_key', '=', k.dedupKey), s, { created: 'm.incident_created_at', drill: 'm.drill', service: 'm.service_id', severity: 'm.severity' });
    const live = scopeOn(alertMeasureSource(db).clearSelect().select('a.summary as summary').where('i.status', 'in', OPEN).where('i.service_id', '=', k.serviceId).where('a.dedup_key', '=', k.dedupKey), s, LIVE_COLS);
    const r = await db.selectFrom((open ? stored.unionAll(live as any) : stored).as('u')).select((eb) => eb.fn.max('u.summary').as('summary')).executeTakeFirst();
    out.set(`${k.serviceId}\u0000${k.dedupKey}`, String(r?.summary ?? ''));
  }
  return out;
}

/** Pages (outbox kind page) sent in the range for incidents of the scope, by person and channel: count and packed send times. */
export async function pageGroups(db: Tx, s: Scope): Promise<{ groups: { userId: string; channel: string; at: number[] }[]; interruptions: Map<string, number> }> {
  const base = () => {
    let q = db.selectFrom('outbox as p').where('p.kind', '=', 'page').where('p.created_at', '>=', s.from).where('p.created_at', '<', s.to).where('p.user_id', 'is not', null).where('p.incident_id', 'is not', null);
    // Filters on the incident as sets of incident ids: drills are few (a partial index), a team's or service's incidents an index range.
    if (!s.drills) q = q.where('p.incident_id', 'not in', (eb) => eb.selectFrom('incidents as d').select('d.id').where('d.drill', '=', 1));
    if (s.serviceId) q = q.where('p.incident_id', 'in', (eb) => eb.selectFrom('incidents as v').select('v.id').where('v.service_id', '=', s.serviceId));
    if (s.teamId) q = q.where('p.incident_id', 'in', (eb) => eb.selectFrom('incidents as v').select('v.id').where('v.service_id', 'in', eb.selectFrom('services').select('services.id').where('services.team_id', '=', s.teamId)));
    if (s.severity) q = q.where('p.incident_id', 'in', (eb) => eb.selectFrom('incidents as v').select('v.id').where(sql`coalesce(v.sev, v.severity)`, '=', s.severity));
    return q;
  };
  const [rows, inter] = await Promise.all([
    base().select(['p.user_id', 'p.channel', packed(s, sql.ref('p.created_at')).as('at')]).groupBy(['p.user_id', 'p.channel']).execute(),
    base().select(['p.user_id', sql<number>`count(distinct p.incident_id)`.as('n')]).groupBy('p.user_id').execute(),
  ]);
  return {
    groups: rows.map((r: any) => ({ userId: r.user_id, channel: r.channel, at: unpack(r.at) })),
    interruptions: new Map(inter.map((r: any) => [r.user_id as string, Number(r.n)])),
  };
}

/** Names and zones of users. */
export async function userInfo(db: Tx, ids: Iterable<string>): Promise<Map<string, { name: string; timeZone: string }>> {
  const list = [...new Set(ids)];
  const out = new Map<string, { name: string; timeZone: string }>();
  for (let i = 0; i < list.length; i += 500) {
    const rows = await db.selectFrom('users').select(['id', 'name', 'time_zone']).where('id', 'in', list.slice(i, i + 500)).execute();
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
      const r = await sql<{ incident_id: string; first: number }>`select incident_id, min(at) as first from ${sql.table(table)} where ${sql.raw(cond)} and incident_id in (${sql.join(chunk)}) group by incident_id`.execute(db);
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
    const r = await sql<{ number: number; first: number }>`select i.number, min(t.at) as first from ${sql.table(table)} t inner join incidents i on i.id = t.incident_id where ${cond} and i.created_at >= ${s.from} and i.created_at < ${s.to} group by i.number`.execute(db);
    return new Map(r.rows.map((row) => [Number(row.number), Number(row.first)]));
  } catch {
    return null;
  }
}
