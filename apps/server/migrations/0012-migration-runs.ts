import type { Kysely } from 'kysely';

/**
 * The imports applied and the comparisons run against another on-call system (`klaxon import`,
 * `klaxon compare`), kept so the web app's admin area can show the last report and the last
 * comparison with its differences.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('migration_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('source_url', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('differences', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('report', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('migration_runs_by_kind').on('migration_runs').columns(['kind', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('migration_runs').execute();
}
