import type { Kysely } from 'kysely';

/**
 * Hotline numbers: a phone number on a telephony provider (Twilio) that, when called, opens an
 * incident on its service and rings the service's on-call people in turn (hotline/). A number is
 * unique per provider (the provider's webhook finds the hotline by the number called).
 * `hotline_calls` holds one row per call (unique per provider call id, so a repeated webhook opens
 * no second incident): who called, the incident, the people to ring in order, whose turn it is and
 * who answered. A refused call is a row without incident.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('hotlines')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('service_id', 'text', (c) => c.notNull().references('services.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('ring_seconds', 'integer', (c) => c.notNull())
    .addColumn('allowed_callers', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('hotlines_service_name').on('hotlines').columns(['service_id', 'name']).unique().execute();
  await db.schema.createIndex('hotlines_provider_number').on('hotlines').columns(['provider', 'number']).unique().execute();
  await db.schema
    .createTable('hotline_calls')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('hotline_id', 'text', (c) => c.notNull().references('hotlines.id').onDelete('cascade'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('call_sid', 'text', (c) => c.notNull())
    .addColumn('from_number', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'text')
    .addColumn('candidates', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('answered_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('hotline_calls_sid').on('hotline_calls').columns(['provider', 'call_sid']).unique().execute();
  await db.schema.createIndex('hotline_calls_hotline').on('hotline_calls').columns(['hotline_id', 'status']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('hotline_calls').ifExists().execute();
  await db.schema.dropTable('hotlines').ifExists().execute();
}
