import type { Kysely } from 'kysely';

/**
 * Team-scoped permissions, limited API tokens and a complete audit trail:
 * - `team_members.access`: a member's permissions on the team's objects (admin, responder; null: none).
 * - `escalation_policies.team_id`: the team whose admins manage a policy (null: global admins only).
 * - `api_tokens.read_only`, `team_id`, `expires_at`: a token refused on writes, limited to one team,
 *   refused after a time.
 * - `audit_log`: who (`actor_id`, `actor_type`), from where (`via`, `address`), about what
 *   (`subject_type` with the existing `subject` id) and `before`/`after` JSON for configuration
 *   changes; indexed for the queries of GET /api/v1/audit and the retention sweep.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('team_members').addColumn('access', 'text').execute();
  await db.schema.alterTable('escalation_policies').addColumn('team_id', 'text').execute();
  await db.schema
    .alterTable('api_tokens')
    .addColumn('read_only', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('api_tokens').addColumn('team_id', 'text').execute();
  await db.schema.alterTable('api_tokens').addColumn('expires_at', 'bigint').execute();
  for (const col of ['actor_id', 'actor_type', 'via', 'address', 'subject_type', 'before', 'after']) {
    await db.schema.alterTable('audit_log').addColumn(col, 'text').execute();
  }
  await db.schema.createIndex('audit_log_at').on('audit_log').columns(['at', 'id']).execute();
  await db.schema.createIndex('audit_log_subject').on('audit_log').columns(['subject_type', 'subject', 'at']).execute();
  await db.schema.createIndex('audit_log_actor').on('audit_log').columns(['actor_id', 'at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const i of ['audit_log_at', 'audit_log_subject', 'audit_log_actor']) await db.schema.dropIndex(i).ifExists().execute();
  for (const col of ['actor_id', 'actor_type', 'via', 'address', 'subject_type', 'before', 'after']) {
    await db.schema.alterTable('audit_log').dropColumn(col).execute();
  }
  for (const col of ['read_only', 'team_id', 'expires_at']) await db.schema.alterTable('api_tokens').dropColumn(col).execute();
  await db.schema.alterTable('escalation_policies').dropColumn('team_id').execute();
  await db.schema.alterTable('team_members').dropColumn('access').execute();
}
