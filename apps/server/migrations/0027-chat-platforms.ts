import type { Kysely } from 'kysely';

/**
 * Chat platforms besides Slack (src/chat/): a war room bridged to a channel, room or thread of a
 * platform (`chat_bridges`, one per platform, `pending` while the engine creates it; `cursor`: how far a platform read by polling has been read), and the
 * platform's own id of a chat message bridged in (`chat_messages.external_id`, `platform:id`), so a
 * retried delivery is stored once.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('chat_bridges')
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('channel', 'text')
    .addColumn('pending', 'text')
    .addColumn('cursor', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('chat_bridges_pk', ['incident_id', 'platform'])
    .execute();
  await db.schema.createIndex('chat_bridges_channel').on('chat_bridges').columns(['platform', 'channel']).execute();
  await db.schema.alterTable('chat_messages').addColumn('external_id', 'text').execute();
  await db.schema.createIndex('chat_messages_external').on('chat_messages').columns(['incident_id', 'external_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('chat_messages_external').ifExists().execute();
  await db.schema.alterTable('chat_messages').dropColumn('external_id').execute();
  await db.schema.dropTable('chat_bridges').ifExists().execute();
}
