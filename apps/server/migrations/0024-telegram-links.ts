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
  // A voice contact method may call once more when a page's call is not answered (iOS lets a
  // second call from the same number within three minutes through Do Not Disturb).
  await db.schema
    .alterTable('contact_methods')
    .addColumn('repeat_unanswered', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('telegram_link_codes').ifExists().execute();
  await db.schema.alterTable('contact_methods').dropColumn('repeat_unanswered').execute();
}
