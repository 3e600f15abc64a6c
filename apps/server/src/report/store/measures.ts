/*
 * Report rows: the measures of each resolved incident (report_incidents) and its alerts
 * (report_alerts), narrow and indexed for reports over a year of history.
 *
 * Every column is defined once, here, as a SELECT over the source tables. The same SELECT writes the
 * rows when an incident resolves (recordResolvedMeasures, which app/ registers with the incident
 * lifecycle's onIncidentResolved), fills them for history
 * (backfillMeasures, from migration 0008), and reads open incidents live (store.ts unions it with
 * the stored rows), so a report gives the same numbers whether or not a row has been written yet.
 */
import { sql, type CompiledQuery, type DialectAdapter } from 'kysely';
import type { Tx } from '../../context.js';

/** The report_incidents columns, in insert order. */
export const INCIDENT_COLUMNS = ['incident_id', 'number', 'title', 'service_id', 'severity', 'drill', 'created_at', 'acknowledged_at', 'acknowledged_by', 'resolved_at', 'alerts'] as const;

/** The report_alerts columns, in insert order. */
export const ALERT_COLUMNS = ['alert_id', 'incident_id', 'incident_created_at', 'drill', 'severity', 'service_id', 'dedup_key', 'summary', 'created_at', 'resolved_at', 'event_count'] as const;

/** The measures of incidents (alias i), one row each: the definition of a report_incidents row. */
export function incidentMeasureSource(db: Tx) {
  return db.selectFrom('incidents as i').select((eb) => [
    'i.id as incident_id',
    'i.number as number',
    'i.title as title',
    'i.service_id as service_id',
    sql<string>`coalesce(i.sev, i.severity)`.as('severity'),
    'i.drill as drill',
    'i.created_at as created_at',
    'i.acknowledged_at as acknowledged_at',
    'i.acknowledged_by as acknowledged_by',
    'i.resolved_at as resolved_at',
    eb
      .selectFrom('alerts as ca')
      .select((e) => e.fn.countAll<number>().as('n'))
      .whereRef('ca.incident_id', '=', 'i.id')
      .as('alerts'),
  ]);
}

/** The alerts of incidents (alias i) with the incident's scope columns: the definition of a report_alerts row. */
export function alertMeasureSource(db: Tx) {
  return db
    .selectFrom('alerts as a')
    .innerJoin('incidents as i', 'i.id', 'a.incident_id')
    .select([
      'a.id as alert_id',
      'a.incident_id as incident_id',
      'i.created_at as incident_created_at',
      'i.drill as drill',
      sql<string>`coalesce(i.sev, i.severity)`.as('severity'),
      'i.service_id as service_id',
      'a.dedup_key as dedup_key',
      'a.summary as summary',
      'a.created_at as created_at',
      'a.resolved_at as resolved_at',
      'a.event_count as event_count',
    ]);
}

/** The report rows of an incident that is resolving, in its transaction (registered with the incident lifecycle by app/). */
export function recordResolvedMeasures(trx: Tx, incidentId: string): Promise<void> {
  return recordMeasures(trx, incidentId, { resolving: true });
}

/**
 * Writes (or rewrites) the report rows of one incident if it is resolved; removes them otherwise.
 * Called in the transaction that resolves it (`resolving`: two INSERT ... SELECT statements), and
 * where a resolved incident's severity or drill flag changes.
 */
export async function recordMeasures(trx: Tx, incidentId: string, o: { resolving?: boolean } = {}): Promise<void> {
  // An incident that is being resolved has no rows yet (reopening one removes its rows).
  if (!o.resolving) {
    await trx.deleteFrom('report_alerts').where('incident_id', '=', incidentId).execute();
    await trx.deleteFrom('report_incidents').where('incident_id', '=', incidentId).execute();
  }
  const q = writeQueries(trx);
  for (const c of [q.incident, q.alerts]) await trx.executeQuery({ ...c, parameters: c.parameters.map((p) => (p === ID ? incidentId : p)) });
}

// The two INSERT ... SELECT statements of one incident, compiled once per database (building and
// compiling them costs more than running them), with a placeholder for the incident id.
const ID = '\u0000incident-id';
const compiled = new WeakMap<DialectAdapter, { incident: CompiledQuery; alerts: CompiledQuery }>();
function writeQueries(trx: Tx): { incident: CompiledQuery; alerts: CompiledQuery } {
  const adapter = trx.getExecutor().adapter;
  let q = compiled.get(adapter);
  if (!q) {
    q = {
      incident: trx
        .insertInto('report_incidents')
        .columns([...INCIDENT_COLUMNS])
        .expression(incidentMeasureSource(trx).where('i.id', '=', ID).where('i.status', '=', 'resolved'))
        .compile(),
      alerts: trx
        .insertInto('report_alerts')
        .columns([...ALERT_COLUMNS])
        .expression(alertMeasureSource(trx).where('i.id', '=', ID).where('i.status', '=', 'resolved'))
        .compile(),
    };
    compiled.set(adapter, q);
  }
  return q;
}

/**
 * Writes the report rows of every resolved incident that has none (history; migration 0008 and the
 * benchmark), a thousand incidents per statement. Returns how many incidents. The incidents to fill
 * are listed first: one INSERT that also reads its own target table (NOT EXISTS) is quadratic on
 * PostgreSQL when the table has no statistics yet.
 */
export async function backfillMeasures(db: Tx): Promise<number> {
  const ids = (
    await db
      .selectFrom('incidents as i')
      .select('i.id')
      .where('i.status', '=', 'resolved')
      .where((eb) => eb.not(eb.exists(eb.selectFrom('report_incidents as ri').select('ri.incident_id').whereRef('ri.incident_id', '=', 'i.id'))))
      .execute()
  ).map((r) => r.id);
  for (let k = 0; k < ids.length; k += 1000) {
    const chunk = ids.slice(k, k + 1000);
    await db
      .insertInto('report_alerts')
      .columns([...ALERT_COLUMNS])
      .expression(alertMeasureSource(db).where('i.id', 'in', chunk))
      .execute();
    await db
      .insertInto('report_incidents')
      .columns([...INCIDENT_COLUMNS])
      .expression(incidentMeasureSource(db).where('i.id', 'in', chunk))
      .execute();
  }
  return ids.length;
}
