import type { Kysely } from 'kysely';

/**
 * Heartbeats: a service expects a check-in every `interval_minutes`; none for interval + grace opens
 * an incident on the service (heartbeat/module.ts). The check-in token is kept only as its SHA-256.
 * `due_at` is when the current wait runs out (last check-in, or creation/enabling, plus interval +
 * grace); `incident_id` is the incident of the current miss, claimed by compare-and-set.
 * Names are unique per service (the Opsgenie ping API finds a heartbeat by the key's service and name).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('heartbeats')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('service_id', 'text', (c) => c.notNull().references('services.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('token_hint', 'text', (c) => c.notNull())
    .addColumn('interval_minutes', 'integer', (c) => c.notNull())
    .addColumn('grace_minutes', 'integer', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('watchdog_alert', 'text')
    .addColumn('last_checkin_at', 'bigint')
    .addColumn('since_at', 'bigint', (c) => c.notNull())
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addColumn('incident_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('heartbeats_service_name').on('heartbeats').columns(['service_id', 'name']).unique().execute();
  await db.schema.createIndex('heartbeats_due').on('heartbeats').columns(['enabled', 'due_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('heartbeats').ifExists().execute();
}
