/** SQL for the alert domain (alerts, alert events, change events): rows in, rows out. No permission checks here. */
import type { Tx } from '../context.js';

/** Resolves every open alert of an incident. */
export async function resolveOpenAlertsOf(db: Tx, incidentId: string, now: number): Promise<void> {
  await db.updateTable('alerts').set({ status: 'resolved', resolved_at: now, updated_at: now }).where('incident_id', '=', incidentId).where('resolved_at', 'is', null).execute();
}

/** The dedup key of an alert of a service, by its id. */
export async function alertDedupKey(db: Tx, id: string, serviceId: string): Promise<{ dedup_key: string } | undefined> {
  return db.selectFrom('alerts').select('dedup_key').where('id', '=', id).where('service_id', '=', serviceId).executeTakeFirst();
}
