import type { Kysely } from 'kysely';

/**
 * A pass of the paging path takes a new incident's first level first (its due escalation step and
 * its notifications, oldest due first), then the rest. Read as one ordered query, every due row was
 * read and sorted on every pass of 50; now each part is read in index order and cut at 50
 * (incident/store.ts dueSteps, notify/store.ts dueNotifications): these indexes hand over the first
 * level's due rows in order.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('notifications_first').on('notifications').columns(['status', 'step', 'due_at']).execute();
  await db.schema.createIndex('incidents_first_step').on('incidents').columns(['status', 'escalation_step', 'next_escalation_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('notifications_first').ifExists().execute();
  await db.schema.dropIndex('incidents_first_step').ifExists().execute();
}
