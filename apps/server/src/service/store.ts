/** SQL for the service domain (services, integrations): rows in, rows out. No permission checks here. */
import type { Insertable, Updateable } from 'kysely';
import type { Tx } from '../context.js';
import type { IntegrationTable, ServiceTable } from './tables.js';

/** Every service's id, name and escalation policy, by name. */
export async function servicePolicyRows(db: Tx): Promise<{ id: string; name: string; escalation_policy_id: string | null }[]> {
  return db.selectFrom('services').select(['id', 'name', 'escalation_policy_id']).orderBy('name').execute();
}

/** Every integration's stored fields (config as code compares them). */
export async function integrationRows(db: Tx) {
  return db.selectFrom('integrations').select(['id', 'service_id', 'name', 'kind', 'key_hash', 'settings']).execute();
}

/** Every integration's id and stored settings (JSON). */
export async function integrationSettingsRows(db: Tx): Promise<{ id: string; settings: string }[]> {
  return db.selectFrom('integrations').select(['id', 'settings']).execute();
}

/** Replaces an integration's settings, only if they are still the ones read (compare-and-set). */
export async function replaceIntegrationSettings(db: Tx, id: string, was: string, settings: string): Promise<void> {
  await db.updateTable('integrations').set({ settings }).where('id', '=', id).where('settings', '=', was).execute();
}

/** A service row by id or name. */
export async function serviceRowByIdOrName(db: Tx, idOrName: string) {
  return db
    .selectFrom('services')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
    .executeTakeFirst();
}

/** The integration with this key hash and its service (the ingest hot path). */
export async function integrationByKeyHash(db: Tx, keyHash: string) {
  return db
    .selectFrom('integrations')
    .innerJoin('services', 'services.id', 'integrations.service_id')
    .select([
      'integrations.id',
      'integrations.service_id',
      'integrations.name',
      'integrations.kind',
      'integrations.key_hint',
      'integrations.settings',
      'services.name as service_name',
      'services.description',
      'services.escalation_policy_id',
      'services.team_id',
      'services.grouping',
      'services.urgency_rule',
      'services.support_hours',
    ])
    .where('integrations.key_hash', '=', keyHash)
    .executeTakeFirst();
}

/** The id of an escalation policy, if it exists. */
export async function policyIdIfExists(db: Tx, id: string): Promise<{ id: string } | undefined> {
  return db.selectFrom('escalation_policies').select('id').where('id', '=', id).executeTakeFirst();
}

/** The id of a team, if it exists. */
export async function teamIdIfExists(db: Tx, id: string): Promise<{ id: string } | undefined> {
  return db.selectFrom('teams').select('id').where('id', '=', id).executeTakeFirst();
}

/** Every service row, by name. */
export async function serviceRowsByName(db: Tx) {
  return db.selectFrom('services').selectAll().orderBy('name').execute();
}

/** Inserts a service. */
export async function insertService(db: Tx, row: Insertable<ServiceTable>): Promise<void> {
  await db.insertInto('services').values(row).execute();
}

/** Updates a service. */
export async function updateServiceRow(db: Tx, id: string, set: Updateable<ServiceTable>): Promise<void> {
  await db.updateTable('services').set(set).where('id', '=', id).execute();
}

/** One incident of a service, if it has any. */
export async function anyIncidentOf(db: Tx, serviceId: string): Promise<{ id: string } | undefined> {
  return db.selectFrom('incidents').select('id').where('service_id', '=', serviceId).executeTakeFirst();
}

/** Deletes a service; false when there was none. */
export async function deleteServiceRow(db: Tx, id: string): Promise<boolean> {
  const r = await db.deleteFrom('services').where('id', '=', id).executeTakeFirst();
  return !!r.numDeletedRows;
}

/** A service's integration rows, by name. */
export async function integrationRowsOf(db: Tx, serviceId: string) {
  return db.selectFrom('integrations').selectAll().where('service_id', '=', serviceId).orderBy('name').execute();
}

/** The integration (and its service's name) that uses a key, by its hash. */
export async function keyOwner(db: Tx, keyHash: string): Promise<{ id: string; name: string; service: string } | undefined> {
  return db
    .selectFrom('integrations')
    .innerJoin('services', 'services.id', 'integrations.service_id')
    .select(['integrations.id', 'integrations.name', 'services.name as service'])
    .where('integrations.key_hash', '=', keyHash)
    .executeTakeFirst();
}

/** The id of a service's integration with this name. */
export async function integrationIdByName(db: Tx, serviceId: string, name: string): Promise<{ id: string } | undefined> {
  return db.selectFrom('integrations').select('id').where('service_id', '=', serviceId).where('name', '=', name).executeTakeFirst();
}

/** Inserts an integration. */
export async function insertIntegration(db: Tx, row: Insertable<IntegrationTable>): Promise<void> {
  await db.insertInto('integrations').values(row).execute();
}

/** An integration row by id. */
export async function integrationRow(db: Tx, id: string) {
  return db.selectFrom('integrations').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Updates an integration. */
export async function updateIntegrationRow(db: Tx, id: string, set: Updateable<IntegrationTable>): Promise<void> {
  await db.updateTable('integrations').set(set).where('id', '=', id).execute();
}

/** Deletes an integration; false when there was none. */
export async function deleteIntegrationRow(db: Tx, id: string): Promise<boolean> {
  const r = await db.deleteFrom('integrations').where('id', '=', id).executeTakeFirst();
  return !!r.numDeletedRows;
}

/** The id of the integration `name` of the service named `service`, if both exist. */
export async function integrationIdByServiceName(db: Tx, service: string, name: string): Promise<string | undefined> {
  return (
    await db
      .selectFrom('integrations')
      .innerJoin('services', 'services.id', 'integrations.service_id')
      .select('integrations.id')
      .where('services.name', '=', service)
      .where('integrations.name', '=', name)
      .executeTakeFirst()
  )?.id;
}
