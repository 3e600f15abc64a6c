import type { Kysely } from 'kysely';

/**
 * - incidents.priority: P1..P5 or null, set when an event rule's `priority` action matched the alert
 *   that opened the incident (docs/event-rules.md). Null for every existing incident.
 * - event_rule_snapshots: the ordered rules (id, name, scope) an event was evaluated against, stored
 *   once per distinct list and named by its hash; alert_events.rule_trace names the snapshot instead of
 *   listing every rule that did not match (docs/event-rules.md, The trace on each event).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('incidents').addColumn('priority', 'text').execute();
  await db.schema
    .createTable('event_rule_snapshots')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('rules', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('event_rule_snapshots').ifExists().execute();
  await db.schema.alterTable('incidents').dropColumn('priority').execute();
}
