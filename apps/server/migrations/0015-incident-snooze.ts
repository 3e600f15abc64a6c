import type { Kysely } from 'kysely';

/**
 * Snooze: incidents.snoozed_until (epoch ms, null when not snoozed). A snoozed incident is
 * acknowledged and pages nobody until then; the engine (engine/modules/snooze.ts) triggers it again.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('incidents').addColumn('snoozed_until', 'bigint').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('incidents').dropColumn('snoozed_until').execute();
}
