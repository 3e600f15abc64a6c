import type { Kysely } from 'kysely';

/**
 * Microsoft Teams conversation references (chat/teams/): what the bot needs to message a person or a
 * channel first (Bot Framework proactive messages), learned from signed inbound activities only.
 * One row per `kind` and `ref`: a tenant (`ref` its id), a person (`ref` their Entra object id or
 * Teams user id: the address of a `teams` contact method; `member_id` the Teams user id to create a
 * chat with, `conversation_id` the 1:1 chat once created) or a channel (`ref` its `19:...@thread...`
 * id). Each keeps the tenant and the Bot Connector service URL it was last seen with.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('teams_references')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('ref', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('service_url', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text')
    .addColumn('conversation_id', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('teams_references_pk', ['kind', 'ref'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('teams_references').ifExists().execute();
}
