import type { Kysely } from 'kysely';

/**
 * Reports, SLAs and postmortems: SLA targets per severity level (optionally per service), the
 * warnings the engine sent (once per incident and target), team report subscribers and the weekly
 * summaries sent, postmortems, their action items and problem records; plus the indexes report
 * queries over a year of history need (incidents and pages by time).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sla_targets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // Matches incidents.sev, or incidents.severity when no level was declared.
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('service_id', 'text', (c) => c.references('services.id').onDelete('cascade'))
    .addColumn('ack_within_ms', 'bigint')
    .addColumn('resolve_within_ms', 'bigint')
    .addColumn('update_within_ms', 'bigint')
    .addColumn('warn_before_ms', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sla_targets_key').on('sla_targets').columns(['severity', 'service_id']).execute();

  await db.schema
    .createTable('sla_warnings')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    // ack | resolve | update
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('sla_warnings_pk', ['incident_id', 'target'])
    .execute();

  await db.schema
    .createTable('report_subscriptions')
    .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('report_subscriptions_pk', ['team_id', 'user_id'])
    .execute();

  await db.schema
    .createTable('report_summaries')
    .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id').onDelete('cascade'))
    .addColumn('period_start', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('report_summaries_pk', ['team_id', 'period_start'])
    .execute();

  await db.schema
    .createTable('postmortems')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull().unique().references('incidents.id').onDelete('cascade'))
    .addColumn('team_id', 'text')
    .addColumn('title', 'text', (c) => c.notNull())
    // draft | in_review | published
    .addColumn('state', 'text', (c) => c.notNull())
    // JSON {summary, impact, rootCause, wentWell, wentBadly, timeline, statusUpdates} (Markdown strings)
    .addColumn('sections', 'text', (c) => c.notNull())
    // JSON: the measures and key events captured when the draft was generated
    .addColumn('facts', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('published_at', 'bigint')
    .execute();

  await db.schema
    .createTable('action_items')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('postmortem_id', 'text', (c) => c.notNull().references('postmortems.id').onDelete('cascade'))
    .addColumn('team_id', 'text')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('due_at', 'bigint')
    // open | in_progress | done | wont_do
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('reminded_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('action_items_team').on('action_items').columns(['team_id', 'state']).execute();
  await db.schema.createIndex('action_items_due').on('action_items').columns(['state', 'due_at']).execute();
  await db.schema.createIndex('action_items_postmortem').on('action_items').column('postmortem_id').execute();

  await db.schema
    .createTable('problems')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('action_item_id', 'text', (c) => c.notNull().unique().references('action_items.id').onDelete('cascade'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('external_url', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  // Report queries: incidents and pages by time.
  await db.schema.createIndex('incidents_created').on('incidents').columns(['created_at', 'drill']).execute();
  await db.schema.createIndex('outbox_kind_created').on('outbox').columns(['kind', 'created_at']).execute();
  await db.schema.createIndex('alerts_created').on('alerts').columns(['created_at']).execute();
}

/** Removes the reports model. */
export async function down(db: Kysely<any>): Promise<void> {
  for (const i of ['alerts_created', 'outbox_kind_created', 'incidents_created']) await db.schema.dropIndex(i).ifExists().execute();
  for (const t of ['problems', 'action_items', 'postmortems', 'report_summaries', 'report_subscriptions', 'sla_warnings', 'sla_targets']) await db.schema.dropTable(t).ifExists().execute();
}
