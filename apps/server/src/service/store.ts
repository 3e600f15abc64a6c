/** SQL for the service domain (services, integrations): rows in, rows out. No permission checks here. */
import type { Tx } from '../context.js';

/** Every service's id, name and escalation policy, by name. */
export async function servicePolicyRows(db: Tx): Promise<{ id: string; name: string; escalation_policy_id: string | null }[]> {
  return db.selectFrom('services').select(['id', 'name', 'escalation_policy_id']).orderBy('name').execute();
}

/** Every integration's stored fields (config as code compares them). */
export async function integrationRows(db: Tx) {
  return db.selectFrom('integrations').select(['id', 'service_id', 'name', 'kind', 'key_hash', 'settings']).execute();
}
