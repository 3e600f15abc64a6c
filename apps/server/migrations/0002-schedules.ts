import type { Kysely } from 'kysely';

/**
 * On-call schedules: schedules (layers as JSON in the compute LayerSpec shape), overrides, leave,
 * swap requests, iCal feed secrets, and the bookkeeping that makes hand-off and gap notices go out
 * once. Portable like 0001: bigint epoch-ms times, text ids, JSON as text, integers for booleans.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('schedules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('team_id', 'text', (c) => c.references('teams.id').onDelete('set null'))
    .addColumn('time_zone', 'text', (c) => c.notNull())
    // layers: JSON LayerSpec[] (compute/types.ts) with user ids; a schedule is always read and written whole.
    .addColumn('layers', 'text', (c) => c.notNull())
    // Minutes before a shift starts to tell the person (0: only at the change).
    .addColumn('handoff_notice_minutes', 'integer', (c) => c.notNull().defaultTo(60))
    // Days ahead to look for gaps to tell the owner team about (0: never).
    .addColumn('gap_notice_days', 'integer', (c) => c.notNull().defaultTo(14))
    // When the engine next looks at this schedule (reset to 0 by every change that affects it).
    .addColumn('handoff_check_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('gap_check_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('schedules_handoff_check').on('schedules').column('handoff_check_at').execute();
  await db.schema.createIndex('schedules_gap_check').on('schedules').column('gap_check_at').execute();

  await db.schema
    .createTable('schedule_overrides')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('schedule_id', 'text', (c) => c.notNull().references('schedules.id').onDelete('cascade'))
    // user_ids: JSON string[]; exactly these people are on call during [start_at, end_at).
    .addColumn('user_ids', 'text', (c) => c.notNull())
    .addColumn('start_at', 'bigint', (c) => c.notNull())
    .addColumn('end_at', 'bigint', (c) => c.notNull())
    // manual | take | swap
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('swap_id', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('schedule_overrides_span').on('schedule_overrides').columns(['schedule_id', 'end_at']).execute();

  await db.schema
    .createTable('user_leave')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('start_at', 'bigint', (c) => c.notNull())
    .addColumn('end_at', 'bigint', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('user_leave_span').on('user_leave').columns(['user_id', 'end_at']).execute();

  await db.schema
    .createTable('schedule_swaps')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('schedule_id', 'text', (c) => c.notNull().references('schedules.id').onDelete('cascade'))
    .addColumn('offered_by', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('start_at', 'bigint', (c) => c.notNull())
    .addColumn('end_at', 'bigint', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
    // open | taken | cancelled
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('taken_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('taken_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('schedule_swaps_schedule').on('schedule_swaps').columns(['schedule_id', 'status']).execute();

  // One secret per feed; only its hash is kept. Regenerating replaces the row (the old URL stops working).
  await db.schema
    .createTable('ical_feeds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // user | schedule
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('ical_feeds_subject', ['kind', 'subject_id'])
    .execute();

  // A hand-off notice is sent once per (user, schedule, shift start, kind): the insert is the claim.
  await db.schema
    .createTable('schedule_handoff_notices')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('schedule_id', 'text', (c) => c.notNull().references('schedules.id').onDelete('cascade'))
    .addColumn('shift_start', 'bigint', (c) => c.notNull())
    // upcoming | start
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('schedule_handoff_notices_pk', ['user_id', 'schedule_id', 'shift_start', 'kind'])
    .execute();

  // A gap notice is sent once per (schedule, gap start).
  await db.schema
    .createTable('schedule_gap_notices')
    .addColumn('schedule_id', 'text', (c) => c.notNull().references('schedules.id').onDelete('cascade'))
    .addColumn('gap_start', 'bigint', (c) => c.notNull())
    .addColumn('gap_end', 'bigint', (c) => c.notNull())
    .addColumn('recipients', 'integer', (c) => c.notNull())
    .addColumn('sent_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('schedule_gap_notices_pk', ['schedule_id', 'gap_start'])
    .execute();
}

/** Drops everything this migration created. */
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['schedule_gap_notices', 'schedule_handoff_notices', 'ical_feeds', 'schedule_swaps', 'user_leave', 'schedule_overrides', 'schedules']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
