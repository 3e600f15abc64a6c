/*
 * Report queries: the minimal columns of incidents, alerts and pages in a range, aggregated in the
 * database where SQL can do it portably (counts, top lists) and in TypeScript where it needs zones.
 */
import { sql } from 'kysely';
import type { Tx } from '../context.js';

/** A resolved report range and its filters. */
export interface Scope {
  from: number;
  to: number;
  teamId: string | null;
  serviceId: string | null;
  severity: string | null;
  drills: boolean;
  tz: string;
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

/** Alert counts per incident of the scope (aggregated in the database). */
export async function alertCounts(db: Tx, s: Scope): Promise<Map<string, number>> {
  const rows = await scoped(
    db
      .selectFrom('alerts')
      .innerJoin('incidents', 'incidents.id', 'alerts.incident_id')
      .innerJoin('services', 'services.id', 'incidents.service_id')
      .select(['alerts.incident_id'])
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .groupBy('alerts.incident_id'),
    s,
  ).execute();
  return new Map(rows.map((r) => [r.incident_id, Number(r.n)]));
}

/** The noisiest services: incidents and alerts per service (aggregated in the database). */
export async function topServices(db: Tx, s: Scope, limit = 10): Promise<{ serviceId: string; serviceName: string; incidents: number; alerts: number }[]> {
  const rows = await scoped(
    db
      .selectFrom('alerts')
      .innerJoin('incidents', 'incidents.id', 'alerts.incident_id')
      .innerJoin('services', 'services.id', 'incidents.service_id')
      .select(['services.id', 'services.name'])
      .select((eb) => [eb.fn.countAll<number>().as('alerts'), eb.fn.count<number>('alerts.incident_id').distinct().as('incidents')])
      .groupBy(['services.id', 'services.name'])
      .orderBy('alerts', 'desc')
      .limit(limit),
    s,
  ).execute();
  return rows.map((r) => ({ serviceId: r.id, serviceName: r.name, incidents: Number(r.incidents), alerts: Number(r.alerts) }));
}

/** The noisiest alerts (by service and dedup key, aggregated in the database). */
export async function topAlerts(db: Tx, s: Scope, limit = 10): Promise<{ serviceId: string; serviceName: string; dedupKey: string; summary: string; count: number; events: number }[]> {
  const rows = await scoped(
    db
      .selectFrom('alerts')
      .innerJoin('incidents', 'incidents.id', 'alerts.incident_id')
      .innerJoin('services', 'services.id', 'incidents.service_id')
      .select(['services.id', 'services.name', 'alerts.dedup_key'])
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('alerts.event_count').as('events'), eb.fn.max('alerts.summary').as('summary')])
      .groupBy(['services.id', 'services.name', 'alerts.dedup_key'])
      .orderBy('n', 'desc')
      .limit(limit),
    s,
  ).execute();
  return rows.map((r) => ({ serviceId: r.id, serviceName: r.name, dedupKey: r.dedup_key, summary: String(r.summary ?? ''), count: Number(r.n), events: Number(r.events ?? 0) }));
}

/** Alerts of the scope in (service, dedup key, created) order, for flapping detection. */
export async function alertSeries(db: Tx, s: Scope): Promise<{ serviceId: string; dedupKey: string; createdAt: number; resolvedAt: number | null }[]> {
  const rows = await scoped(
    db
      .selectFrom('alerts')
      .innerJoin('incidents', 'incidents.id', 'alerts.incident_id')
      .innerJoin('services', 'services.id', 'incidents.service_id')
      .select(['alerts.service_id', 'alerts.dedup_key', 'alerts.created_at', 'alerts.resolved_at'])
      .orderBy('alerts.service_id')
      .orderBy('alerts.dedup_key')
      .orderBy('alerts.created_at'),
    s,
  ).execute();
  return rows.map((r) => ({ serviceId: r.service_id, dedupKey: r.dedup_key, createdAt: Number(r.created_at), resolvedAt: r.resolved_at === null ? null : Number(r.resolved_at) }));
}

/** Pages (outbox kind page) sent for incidents of the scope: who, when, which channel, which incident. */
export async function pageFacts(db: Tx, s: Scope): Promise<{ userId: string; at: number; channel: string; incidentId: string }[]> {
  let q = db
    .selectFrom('outbox')
    .innerJoin('incidents', 'incidents.id', 'outbox.incident_id')
    .innerJoin('services', 'services.id', 'incidents.service_id')
    .select(['outbox.user_id', 'outbox.created_at', 'outbox.channel', 'outbox.incident_id'])
    .where('outbox.kind', '=', 'page')
    .where('outbox.created_at', '>=', s.from)
    .where('outbox.created_at', '<', s.to)
    .where('outbox.user_id', 'is not', null);
  if (!s.drills) q = q.where('incidents.drill', '=', 0);
  if (s.serviceId) q = q.where('incidents.service_id', '=', s.serviceId);
  if (s.teamId) q = q.where('services.team_id', '=', s.teamId);
  if (s.severity) q = q.where(sql`coalesce(incidents.sev, incidents.severity)`, '=', s.severity);
  const rows = await q.execute();
  return rows.map((r) => ({ userId: r.user_id!, at: Number(r.created_at), channel: r.channel, incidentId: r.incident_id! }));
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

/** First war-room engagement / status update per incident created in the scope's range (null when the table is missing). */
export async function firstInRange(db: Tx, kind: 'engage' | 'update', s: Scope): Promise<Map<string, number> | null> {
  const table = kind === 'engage' ? 'chat_messages' : 'status_updates';
  const cond = kind === 'engage' ? sql`t.author_id is not null` : sql`1 = 1`;
  try {
    const r = await sql<{ incident_id: string; first: number }>`select t.incident_id, min(t.at) as first from ${sql.table(table)} t inner join incidents i on i.id = t.incident_id where ${cond} and i.created_at >= ${s.from} and i.created_at < ${s.to} group by t.incident_id`.execute(db);
    return new Map(r.rows.map((row) => [row.incident_id, Number(row.first)]));
  } catch {
    return null;
  }
}
