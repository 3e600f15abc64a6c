import type { Kysely } from 'kysely';

/**
 * One-time codes that link a Telegram chat to a person: the web app shows the code, the person sends
 * `/start CODE` to Klaxon's bot, and the webhook turns the chat into a verified contact method. Only
 * the code's SHA-256 is stored; a code works once, for 15 minutes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('telegram_link_codes')
    .addColumn('code_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('telegram_link_codes').ifExists().execute();
}
