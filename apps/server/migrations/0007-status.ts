import type { Kysely } from 'kysely';

/**
 * Stakeholders and status pages: business services mapped to technical services, status pages,
 * subscriptions, status updates, update templates, maintenance windows, overdue-update reminders,
 * and an update interval per severity level.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('business_services')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('team_id', 'text')
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('business_service_links')
    .addColumn('business_service_id', 'text', (c) => c.notNull().references('business_services.id').onDelete('cascade'))
    .addColumn('service_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('business_service_links_pk', ['business_service_id', 'service_id'])
    .execute();
  await db.schema.createIndex('business_service_links_service').on('business_service_links').column('service_id').execute();
  await db.schema
    .createTable('status_pages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('logo_url', 'text')
    // JSON {brand, background, text}
    .addColumn('colors', 'text', (c) => c.notNull())
    // JSON string[] of business service ids, in display order.
    .addColumn('business_service_ids', 'text', (c) => c.notNull())
    .addColumn('is_default', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('status_subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // business_service | team | incident | major | page
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text')
    .addColumn('user_id', 'text')
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('destination', 'text', (c) => c.notNull())
    .addColumn('confirmed_at', 'bigint')
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('status_subscriptions_scope').on('status_subscriptions').columns(['scope', 'target_id']).execute();
  await db.schema
    .createTable('status_updates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('author_id', 'text')
    .addColumn('author_name', 'text', (c) => c.notNull())
    // investigating | identified | monitoring | resolved
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('business_impact', 'text', (c) => c.notNull())
    .addColumn('next_update_at', 'bigint')
    .addColumn('public', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('status_updates_incident').on('status_updates').columns(['incident_id', 'at']).execute();
  await db.schema.createIndex('status_updates_public_at').on('status_updates').columns(['public', 'at']).execute();
  await db.schema
    .createTable('status_templates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('phase', 'text', (c) => c.notNull())
    // null: any severity level
    .addColumn('sev', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('maintenance_windows')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    // JSON string[]: technical services whose paging is suppressed, and business services shown as under maintenance.
    .addColumn('service_ids', 'text', (c) => c.notNull())
    .addColumn('business_service_ids', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'bigint', (c) => c.notNull())
    .addColumn('ends_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('cancelled_at', 'bigint')
    .execute();
  await db.schema.createIndex('maintenance_windows_ends').on('maintenance_windows').column('ends_at').execute();
  await db.schema
    .createTable('status_reminders')
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('status_reminders_pk', ['incident_id', 'due_at'])
    .execute();
  await db.schema.alterTable('severity_levels').addColumn('update_interval_minutes', 'integer').execute();
  for (const [name, minutes] of [
    ['SEV1', 30],
    ['SEV2', 60],
    ['SEV3', 240],
    ['SEV4', 1440],
  ] as const) {
    await db.updateTable('severity_levels').set({ update_interval_minutes: minutes }).where('name', '=', name).execute();
  }
}

/** Removes the status model. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('severity_levels').dropColumn('update_interval_minutes').execute();
  for (const t of ['status_reminders', 'maintenance_windows', 'status_templates', 'status_updates', 'status_subscriptions', 'status_pages', 'business_service_links', 'business_services']) {
    await db.schema.dropTable(t).execute();
  }
}
