import type { Kysely } from 'kysely';

/**
 * Storms that do not flood a phone (docs/paging.md): a notification remembers the outbox message that
 * carried it (a bundle carries several) and when the rate limit first held it back; the rate limit
 * reads a contact method's recent pages through an index on (contact_method_id, created_at).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('notifications').addColumn('outbox_id', 'text').execute();
  await db.schema.alterTable('notifications').addColumn('held_at', 'bigint').execute();
  await db.schema.createIndex('outbox_contact_method_created').on('outbox').columns(['contact_method_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('outbox_contact_method_created').ifExists().execute();
  await db.schema.alterTable('notifications').dropColumn('held_at').execute();
  await db.schema.alterTable('notifications').dropColumn('outbox_id').execute();
}
