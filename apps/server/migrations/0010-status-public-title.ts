import type { Kysely } from 'kysely';

/**
 * The public title of an incident on status pages, set with a status update: what customers read
 * instead of the internal alert title ("pg-primary disk full"). Null: not given with that update.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('status_updates').addColumn('public_title', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('status_updates').dropColumn('public_title').execute();
}
