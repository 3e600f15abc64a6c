import { sql, type Kysely } from 'kysely';
import { backfillMeasures } from '../src/report/measures.js';

/**
 * Report rows: the measures of each resolved incident (report_incidents) and its alerts
 * (report_alerts), written when an incident resolves, so reports over a year scan two narrow
 * indexed tables instead of joining incidents, services and alerts (docs/reports.md, Performance).
 * Backfilled here from history with the same definition the resolve path uses (report/measures.ts).
 * Also: a covering index for pages by time (replacing outbox_kind_created, so the outbox keeps the
 * same number of indexes) and a partial index of drills (reports leave them out).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('report_incidents')
    .addColumn('incident_id', 'text', (c) => c.primaryKey().references('incidents.id').onDelete('cascade'))
    .addColumn('number', 'bigint', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('service_id', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('drill', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('acknowledged_at', 'bigint')
    .addColumn('acknowledged_by', 'text')
    .addColumn('resolved_at', 'bigint')
    .addColumn('alerts', 'integer', (c) => c.notNull())
    .execute();
  // Covering, two orders: by time (short ranges, time buckets) and by service and severity (long
  // ranges grouped by service or team read it in group order, without sorting).
  await db.schema
    .createIndex('report_incidents_time')
    .on('report_incidents')
    .columns(['created_at', 'drill', 'service_id', 'severity', 'acknowledged_at', 'resolved_at', 'alerts', 'acknowledged_by', 'number'])
    .execute();
  await db.schema
    .createIndex('report_incidents_service')
    .on('report_incidents')
    .columns(['drill', 'service_id', 'severity', 'created_at', 'acknowledged_at', 'resolved_at', 'alerts', 'acknowledged_by', 'number'])
    .execute();

  await db.schema
    .createTable('report_alerts')
    .addColumn('alert_id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('incident_created_at', 'bigint', (c) => c.notNull())
    .addColumn('drill', 'integer', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('service_id', 'text', (c) => c.notNull())
    .addColumn('dedup_key', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('resolved_at', 'bigint')
    .addColumn('event_count', 'integer', (c) => c.notNull())
    .execute();
  // Covering and in series order (service, dedup key, time): flapping (lag) and alert counts read it without sorting.
  await db.schema
    .createIndex('report_alerts_series')
    .on('report_alerts')
    .columns(['service_id', 'dedup_key', 'created_at', 'resolved_at', 'incident_created_at', 'drill', 'severity', 'event_count'])
    .execute();
  await db.schema.createIndex('report_alerts_incident').on('report_alerts').column('incident_id').execute();

  // Pages by person, covering the columns the shifts report reads (in group order). It replaces
  // outbox_kind_created, so the paging path keeps the same number of indexes.
  await db.schema.dropIndex('outbox_kind_created').ifExists().execute();
  await db.schema.createIndex('outbox_report').on('outbox').columns(['kind', 'user_id', 'created_at', 'channel', 'incident_id']).execute();
  // Drills are few: reports leave them out with NOT IN over this partial index.
  await db.schema.createIndex('incidents_drills').on('incidents').column('id').where(sql.ref('drill'), '=', 1).execute();

  await backfillMeasures(db as Parameters<typeof backfillMeasures>[0]);
  // Statistics, so the planner picks the index that fits each report (SQLite has none until asked).
  for (const t of ['report_incidents', 'report_alerts', 'outbox']) await sql`analyze ${sql.table(t)}`.execute(db);
}

/** Removes the report rows and indexes. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('incidents_drills').ifExists().execute();
  await db.schema.dropIndex('outbox_report').ifExists().execute();
  await db.schema.createIndex('outbox_kind_created').ifNotExists().on('outbox').columns(['kind', 'created_at']).execute();
  await db.schema.dropTable('report_alerts').ifExists().execute();
  await db.schema.dropTable('report_incidents').ifExists().execute();
}
