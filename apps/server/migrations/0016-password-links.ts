import type { Kysely } from 'kysely';

/**
 * One-time links to set a password: an invitation (7 days) or "forgot password" (1 hour). The email
 * carries a random secret; the row keeps only its SHA-256 (`id`). `used_at` is set when the link sets
 * a password; a used or expired link sets nothing.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('password_links')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema.createIndex('password_links_user').on('password_links').column('user_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('password_links').ifExists().execute();
}
