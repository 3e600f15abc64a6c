import type { Kysely } from 'kysely';

/**
 * A pass of the paging path takes a new incident's first-level notifications first (step 0, oldest
 * due first), then the rest. Read as one ordered query, every due notification was joined and
 * sorted on every pass of 50; now each part is read in index order and cut at 50
 * (notify/store.ts dueNotifications): this index hands over the first level's due rows in order.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('notifications_first').on('notifications').columns(['status', 'step', 'due_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('notifications_first').ifExists().execute();
}
