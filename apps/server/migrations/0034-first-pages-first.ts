import type { Kysely } from 'kysely';

/**
 * A message's place in the delivery queue: 0 for what a person is waiting for now (the first page of
 * a new incident, a direct page from a war room, a verification code, a password-reset link), 1 for the rest
 * (later levels, repeats, reminders, updates). Delivery claims 0 before 1, then oldest due first, so a
 * new incident's first page is not queued behind thousands of re-pages of incidents already paged (in
 * bench/org.ts at 10× on PostgreSQL it waited 11–17 s behind them). The due index leads with it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('outbox')
    .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.dropIndex('outbox_due').execute();
  await db.schema.createIndex('outbox_due').on('outbox').columns(['status', 'priority', 'next_attempt_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('outbox_due').execute();
  await db.schema.createIndex('outbox_due').on('outbox').columns(['status', 'next_attempt_at']).execute();
  await db.schema.alterTable('outbox').dropColumn('priority').execute();
}
