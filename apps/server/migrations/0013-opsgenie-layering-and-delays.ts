import type { Kysely } from 'kysely';

/**
 * What the Opsgenie importer needed in the model (docs/schedules.md, docs/escalation.md):
 * - schedules.layering: 'precedence' (the behaviour so far) or 'union' (everyone on call in the
 *   highest-priority group of layers is on call together: Opsgenie's rotations add up);
 * - escalation_policies.initial_delay_minutes: how long after the incident opens level 1 fires
 *   (Opsgenie rule delays count from alert creation; the first one need not be 0).
 * Escalation levels are JSON, so their new fields (until, new target types, a delay of 0) need no column.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('schedules')
    .addColumn('layering', 'text', (c) => c.notNull().defaultTo('precedence'))
    .execute();
  await db.schema
    .alterTable('escalation_policies')
    .addColumn('initial_delay_minutes', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('escalation_policies').dropColumn('initial_delay_minutes').execute();
  await db.schema.alterTable('schedules').dropColumn('layering').execute();
}
