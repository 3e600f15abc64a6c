import type { Kysely } from 'kysely';

/**
 * The shared model for major incidents, stakeholders and reports. An incident keeps `severity`
 * (the alert's: critical | error | warning | info, which sets urgency) and gains `sev`, the incident
 * severity level people declare (SEV1..SEV4 by default, configurable in `severity_levels`), whether
 * it is `major` (its level is major), whether it is a `drill`, its incident manager and its impact.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('severity_levels')
    .addColumn('name', 'text', (c) => c.primaryKey())
    // 1 is the most severe.
    .addColumn('rank', 'integer', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('major', 'integer', (c) => c.notNull())
    .execute();
  await db
    .insertInto('severity_levels')
    .values([
      { name: 'SEV1', rank: 1, major: 1, description: 'Critical: the product is down or data is being lost for many customers. All hands; executives informed.' },
      { name: 'SEV2', rank: 2, major: 1, description: 'Major: a core feature is broken or badly degraded for many customers. War room; stakeholders informed.' },
      { name: 'SEV3', rank: 3, major: 0, description: 'Minor: a feature is degraded for some customers, with a workaround. The on-call team handles it.' },
      { name: 'SEV4', rank: 4, major: 0, description: 'Low: little or no customer impact. Handled in working hours.' },
    ])
    .execute();

  await db.schema.alterTable('incidents').addColumn('sev', 'text').execute();
  await db.schema
    .alterTable('incidents')
    .addColumn('major', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('incidents')
    .addColumn('drill', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('incidents').addColumn('incident_manager_id', 'text').execute();
  // JSON {affectedServiceIds: string[], customerFacing: boolean, businessImpact: string}
  await db.schema
    .alterTable('incidents')
    .addColumn('impact', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  await db.schema.createIndex('incidents_major').on('incidents').columns(['major', 'status']).execute();
}

/** Removes the major-incident model. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('incidents_major').execute();
  for (const c of ['impact', 'incident_manager_id', 'drill', 'major', 'sev']) await db.schema.alterTable('incidents').dropColumn(c).execute();
  await db.schema.dropTable('severity_levels').execute();
}
