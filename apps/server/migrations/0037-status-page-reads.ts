import { sql, type Kysely } from 'kysely';

/**
 * A status page reads the incidents open now and, of those resolved in its 90 days of history, the
 * ones with a severity level (only they colour a component) and the published ones. It read every
 * incident resolved in the 90 days before (at 1,000,000 past incidents in bench/org.ts, 48,000 rows
 * and 514 ms a time on SQLite, nearly all of them without a severity level): the resolved ones with a
 * severity level are found here by when they were resolved (status/store.ts pageIncidents).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('incidents_resolved_with_sev').on('incidents').column('resolved_at').where(sql.ref('sev'), 'is not', null).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('incidents_resolved_with_sev').ifExists().execute();
}
