import type { Kysely } from 'kysely';

/**
 * incidents.priority: P1..P5 or null, set when an event rule's `priority` action matched the alert
 * that opened the incident (docs/event-rules.md). Null for every existing incident.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('incidents').addColumn('priority', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('incidents').dropColumn('priority').execute();
}
