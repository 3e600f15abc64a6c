import type { Kysely } from 'kysely';

/**
 * Round-robin turns: one cursor per (policy, level). The engine advances `position` by compare-and-set
 * (`UPDATE ... WHERE position = p`), so two instances never give two incidents the same turn.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('escalation_round_robin')
    .addColumn('policy_id', 'text', (c) => c.notNull())
    .addColumn('level_index', 'integer', (c) => c.notNull())
    .addColumn('position', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('escalation_round_robin_pk', ['policy_id', 'level_index'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('escalation_round_robin').ifExists().execute();
}
