import type { Kysely } from 'kysely';

/**
 * The escalation module asks for triggered incidents whose next step is due, soonest first. With an
 * index on status alone the database read every triggered incident each cycle (a storm leaves
 * thousands of them waiting on their next level); (status, next_escalation_at) finds just the due ones
 * in order. It replaces the index on next_escalation_at alone.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('incidents_escalation_due_by_status').on('incidents').columns(['status', 'next_escalation_at']).execute();
  await db.schema.dropIndex('incidents_escalation_due').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('incidents_escalation_due').on('incidents').column('next_escalation_at').execute();
  await db.schema.dropIndex('incidents_escalation_due_by_status').execute();
}
