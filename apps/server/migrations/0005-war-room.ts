import type { Kysely } from 'kysely';

/**
 * The war room of major incidents: its bridge and Slack channel, members with roles, chat with
 * priority messages and receipts, tasks, runbooks and actions per service. Settings (incident
 * managers schedule, policy per severity, re-page delay, runbook review period, team bridges) live
 * in the `settings` table under `warroom.*` keys.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('war_rooms')
    .addColumn('incident_id', 'text', (c) => c.primaryKey())
    .addColumn('opened_at', 'bigint', (c) => c.notNull())
    .addColumn('bridge_url', 'text')
    .addColumn('slack_channel', 'text')
    // 'create:<name>' while a channel waits to be created by the warroom-slack module, else null.
    .addColumn('slack_pending', 'text')
    .execute();
  await db.schema.createIndex('war_rooms_slack').on('war_rooms').column('slack_channel').execute();
  await db.schema
    .createTable('war_room_members')
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    // im | comms | scribe | responder
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('added_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('war_room_members_pk', ['incident_id', 'user_id'])
    .execute();
  await db.schema
    .createTable('chat_messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('author_id', 'text')
    .addColumn('author_name', 'text', (c) => c.notNull())
    // web | api | slack | system
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addColumn('slack_ts', 'text')
    // queued for Slack: 1 until the bridge posted it (or it came from Slack).
    .addColumn('slack_out', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('chat_messages_incident').on('chat_messages').columns(['incident_id', 'at']).execute();
  await db.schema.createIndex('chat_messages_slack').on('chat_messages').columns(['incident_id', 'slack_ts']).unique().execute();
  await db.schema
    .createTable('chat_receipts')
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint')
    .addColumn('read_at', 'bigint')
    .addColumn('repage_at', 'bigint')
    .addColumn('pages', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('chat_receipts_pk', ['message_id', 'user_id'])
    .execute();
  await db.schema.createIndex('chat_receipts_due').on('chat_receipts').columns(['read_at', 'repage_at']).execute();
  await db.schema
    .createTable('war_room_tasks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('done_at', 'bigint')
    .execute();
  await db.schema
    .createTable('runbooks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('service_id', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text')
    .addColumn('last_reviewed_at', 'bigint', (c) => c.notNull())
    .addColumn('stale_notified_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('service_actions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('service_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('headers', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    // JSON {NAME: value}: never returned by the API, redacted from output.
    .addColumn('secrets', 'text', (c) => c.notNull())
    // JSON list of war-room roles allowed to run it (admins always may).
    .addColumn('allowed_roles', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('service_actions_name', ['service_id', 'name'])
    .execute();
}

/** Removes the war room. */
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['service_actions', 'runbooks', 'war_room_tasks', 'chat_receipts', 'chat_messages', 'war_room_members', 'war_rooms']) await db.schema.dropTable(t).execute();
}
