import type { Kysely } from 'kysely';

/**
 * The incident list filtered by status, newest first (`status = 'resolved' … order by number desc
 * limit 50`): with only (status, created_at) and (status, next_escalation_at) to choose from, SQLite
 * without statistics read every resolved incident and sorted them (a temporary B-tree), so the first
 * page of resolved incidents cost in proportion to the years of history (54 ms at 20,000 past
 * incidents in bench/org.ts, 8× the figure at 2,000). (status, number) hands the page over in order.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('incidents_status_number').on('incidents').columns(['status', 'number']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('incidents_status_number').ifExists().execute();
}
