import type { Kysely } from 'kysely';

/**
 * Event rules (docs/event-rules.md): `event_rules` holds global rules (integration_id null) and
 * per-integration rules, evaluated in `position` order (the catch-all service is the `settings` row
 * `event_rules.catch_all`). `alert_events.rule_trace` records, per event, which rules were
 * evaluated and which matched with what action (JSON, null when no rule was evaluated).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('event_rules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('integration_id', 'text', (c) => c.references('integrations.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('condition', 'text', (c) => c.notNull())
    .addColumn('actions', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('event_rules_integration').on('event_rules').columns(['integration_id', 'position']).execute();
  await db.schema.alterTable('alert_events').addColumn('rule_trace', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('alert_events').dropColumn('rule_trace').execute();
  await db.schema.dropTable('event_rules').ifExists().execute();
}
