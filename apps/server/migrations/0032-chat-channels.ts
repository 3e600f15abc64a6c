import type { Kysely } from 'kysely';

/**
 * Chat channels where a service's (or, by default, its team's) incidents are announced (src/chat/announce.ts):
 * - `chat_channels`: one row per channel of an owner (`owner_type` service | team, `owner_id`), platform
 *   and the platform's channel id, in the order given (`position`).
 * - `chat_announcements`: what an incident's timeline said that its channels must hear (opened,
 *   acknowledged, resolved, escalated, declared major), written in the transaction that said it and
 *   turned into outbox messages by the engine's chat-announce module, which deletes the row in the same
 *   transaction.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('chat_channels')
    .addColumn('owner_type', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('chat_channels_pk', ['owner_type', 'owner_id', 'platform', 'channel'])
    .execute();
  await db.schema
    .createTable('chat_announcements')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('chat_announcements_at').on('chat_announcements').columns(['at', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('chat_announcements_at').ifExists().execute();
  await db.schema.dropTable('chat_announcements').ifExists().execute();
  await db.schema.dropTable('chat_channels').ifExists().execute();
}
