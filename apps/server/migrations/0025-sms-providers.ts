import type { Kysely } from 'kysely';

/**
 * SMS and voice through several providers: which provider took each outbox message (`provider`), and
 * the providers that already failed it by a delivery-status callback (`failed_providers`, names
 * separated by commas), so the message is sent again through the next one and never back through them.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('outbox').addColumn('provider', 'text').execute();
  await db.schema.alterTable('outbox').addColumn('failed_providers', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('outbox').dropColumn('failed_providers').execute();
  await db.schema.alterTable('outbox').dropColumn('provider').execute();
}
