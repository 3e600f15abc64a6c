/** SQL for the alert domain (alerts, alert events, change events): rows in, rows out. No permission checks here. */
import { sql, type Insertable } from 'kysely';
import type { Tx } from '../context.js';
import { compiled } from '../lib/db/compiled.js';
import { OPEN_STATUSES } from '../incident/types.js';
import type { AlertEventTable, AlertTable, ChangeEventTable } from './tables.js';

/** Resolves every open alert of an incident. */
export async function resolveOpenAlertsOf(db: Tx, incidentId: string, now: number): Promise<void> {
  await db.updateTable('alerts').set({ status: 'resolved', resolved_at: now, updated_at: now }).where('incident_id', '=', incidentId).where('resolved_at', 'is', null).execute();
}

/** The dedup key of an alert of a service, by its id. */
export async function alertDedupKey(db: Tx, id: string, serviceId: string): Promise<{ dedup_key: string } | undefined> {
  return db.selectFrom('alerts').select('dedup_key').where('id', '=', id).where('service_id', '=', serviceId).executeTakeFirst();
}

// The statements every commit runs, compiled once per shape (lib/db/compiled.ts).
export const insertEvents = compiled((q: Tx, p: { rows: Insertable<AlertEventTable>[] }) => q.insertInto('alert_events').values(p.rows));
// VALUES columns are named column1..columnN on both SQLite (3.33+, UPDATE ... FROM) and PostgreSQL.
export const addRepeats = compiled(
  (q: Tx, p: { now: number; rows: { id: string; n: number; details: string; summary: string }[] }) =>
    sql`update alerts set event_count = alerts.event_count + v.column2, details = v.column3, summary = v.column4, updated_at = ${p.now}
    from (values ${sql.join(p.rows.map((r) => sql`(${r.id}, cast(${r.n} as integer), ${r.details}, ${r.summary})`))}) as v where alerts.id = v.column1`,
);
/** PostgreSQL: `insertEvents` and `addRepeats` as one statement (a data-modifying WITH), for a commit of repeats only. */
export const insertEventsAddRepeats = compiled(
  (q: Tx, p: { now: number; events: Insertable<AlertEventTable>[]; rows: { id: string; n: number; details: string; summary: string }[] }) =>
    sql`with events as (${q.insertInto('alert_events').values(p.events)})
    update alerts set event_count = alerts.event_count + v.column2, details = v.column3, summary = v.column4, updated_at = ${p.now}
    from (values ${sql.join(p.rows.map((r) => sql`(${r.id}, cast(${r.n} as integer), ${r.details}, ${r.summary})`))}) as v where alerts.id = v.column1`,
);
export const openAlertsOf = compiled((q: Tx, p: { serviceId: string; keys: string[] }) =>
  q.selectFrom('alerts').select(['id', 'incident_id', 'status', 'dedup_key']).where('service_id', '=', p.serviceId).where('dedup_key', 'in', p.keys).where('resolved_at', 'is', null),
);
/**
 * PostgreSQL: takes a transaction-scoped advisory lock on each (service, dedup key) a commit may open
 * an alert for, in the order of their hashes, so commits on several instances that name the same new
 * keys take turns instead of racing to the unique index.
 */
export async function lockNewAlertKeys(db: Tx, p: { keys: string[] }): Promise<void> {
  // One array parameter (not compiled(): it maps scalar leaves only).
  await sql`select pg_advisory_xact_lock(h) from (select distinct hashtextextended(k, 0) as h from unnest(cast(${p.keys} as text[])) as k order by h) as locks`.execute(db);
}
export const insertAlert = compiled((q: Tx, row: Insertable<AlertTable>) => q.insertInto('alerts').values(row));

/** The newest open incident of a service opened since `since` (time-window grouping). */
export async function latestOpenIncidentSince(db: Tx, serviceId: string, since: number): Promise<{ id: string } | undefined> {
  return db
    .selectFrom('incidents')
    .select('id')
    .where('service_id', '=', serviceId)
    .where('status', 'in', OPEN_STATUSES)
    .where('created_at', '>=', since)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
}

/** The open incident of a service with this group key (field grouping). */
export async function openIncidentByGroupKey(db: Tx, serviceId: string, groupKey: string): Promise<{ id: string } | undefined> {
  return db.selectFrom('incidents').select('id').where('service_id', '=', serviceId).where('status', 'in', OPEN_STATUSES).where('group_key', '=', groupKey).executeTakeFirst();
}

/** Marks an alert acknowledged. */
export async function markAlertAcknowledged(db: Tx, id: string, now: number): Promise<void> {
  await db.updateTable('alerts').set({ status: 'acknowledged', updated_at: now }).where('id', '=', id).execute();
}

/** Marks an alert resolved. */
export async function markAlertResolved(db: Tx, id: string, now: number): Promise<void> {
  await db.updateTable('alerts').set({ status: 'resolved', resolved_at: now, updated_at: now }).where('id', '=', id).execute();
}

/** One alert of an incident still triggered, if any. */
export async function triggeredAlertOf(db: Tx, incidentId: string): Promise<{ id: string } | undefined> {
  return db.selectFrom('alerts').select('id').where('incident_id', '=', incidentId).where('status', '=', 'triggered').executeTakeFirst();
}

/** One alert of an incident not resolved, if any. */
export async function openAlertOf(db: Tx, incidentId: string): Promise<{ id: string } | undefined> {
  return db.selectFrom('alerts').select('id').where('incident_id', '=', incidentId).where('resolved_at', 'is', null).executeTakeFirst();
}

/** Inserts a change event. */
export async function insertChangeEvent(db: Tx, row: Insertable<ChangeEventTable>): Promise<void> {
  await db.insertInto('change_events').values(row).execute();
}

/** An incident's alert rows, oldest first. */
export async function alertRowsOf(db: Tx, incidentId: string) {
  return db.selectFrom('alerts').selectAll().where('incident_id', '=', incidentId).orderBy('created_at').execute();
}

/** When an incident's first alert came. */
export async function firstAlertAt(db: Tx, incidentId: string) {
  return db
    .selectFrom('alerts')
    .select((eb) => eb.fn.min('created_at').as('first'))
    .where('incident_id', '=', incidentId)
    .executeTakeFirst();
}
