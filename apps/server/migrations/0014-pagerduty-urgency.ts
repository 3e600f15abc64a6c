import { sql, type Kysely } from 'kysely';

/**
 * Urgency, as PagerDuty has it (docs/migrate.md, docs/configuration-file.md):
 * - notification_rules.urgency: 'high' | 'low' | 'any'. The engine uses a user's rules that match the
 *   incident's urgency ('any' matches both). Existing rules become 'any': today's behaviour.
 * - services.urgency_rule: JSON {type: 'severity'} (today: critical/error are high, the rest low),
 *   {type: 'constant', urgency}, or {type: 'support-hours', during, outside}.
 * - services.support_hours: JSON {timeZone, days, start, end} or null.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('notification_rules')
    .addColumn('urgency', 'text', (c) => c.notNull().defaultTo('any'))
    .execute();
  await db.schema
    .alterTable('services')
    .addColumn('urgency_rule', 'text', (c) => c.notNull().defaultTo(sql`'{"type":"severity"}'`))
    .execute();
  await db.schema.alterTable('services').addColumn('support_hours', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('services').dropColumn('support_hours').execute();
  await db.schema.alterTable('services').dropColumn('urgency_rule').execute();
  await db.schema.alterTable('notification_rules').dropColumn('urgency').execute();
}
