import type { Kysely } from 'kysely';

/**
 * "Mine" (the incident list's default view for responders) finds the incidents a person is part of
 * from each way they can be, one index each, instead of testing every incident of the history in
 * turn: at 20,000 past incidents in bench/org.ts the list "mine" over every status took 134 ms on
 * PostgreSQL, and ten times that at 100×. Managing, acknowledging, a notification and a message to
 * the person each get an index here; a team's services use incidents_service.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('incidents_manager').on('incidents').column('incident_manager_id').execute();
  await db.schema.createIndex('incidents_acknowledged_by').on('incidents').column('acknowledged_by').execute();
  await db.schema.createIndex('notifications_user').on('notifications').columns(['user_id', 'incident_id']).execute();
  await db.schema.createIndex('outbox_user_incident').on('outbox').columns(['user_id', 'incident_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const name of ['incidents_manager', 'incidents_acknowledged_by', 'notifications_user', 'outbox_user_incident']) await db.schema.dropIndex(name).ifExists().execute();
}
