/** SQL for the escalation domain (escalation policies): rows in, rows out. No permission checks here. */
import type { Tx } from '../context.js';
import { compiled } from '../lib/db/compiled.js';

/** Every escalation policy's id, name, levels (JSON) and repeat count, by name. */
export async function policySummaryRows(db: Tx): Promise<{ id: string; name: string; levels: string; repeat: number }[]> {
  return db.selectFrom('escalation_policies').select(['id', 'name', 'levels', 'repeat']).orderBy('name').execute();
}

/** A policy row by id or name (compiled once: every new incident looks up its service's policy). */
export const policyByIdOrName = compiled((q: Tx, p: { idOrName: string }) =>
  q.selectFrom('escalation_policies').selectAll().where((eb) => eb.or([eb('id', '=', p.idOrName), eb('name', '=', p.idOrName)])),
);

/** Every policy row, by name. */
export async function policyRowsByName(db: Tx) {
  return db.selectFrom('escalation_policies').selectAll().orderBy('name').execute();
}

type PolicyFields = { name: string; description: string; repeat: number; initial_delay_minutes: number | undefined; levels: string; updated_at: number };

/** Inserts a policy. */
export async function insertPolicy(db: Tx, row: PolicyFields & { id: string; created_at: number }): Promise<void> {
  await db.insertInto('escalation_policies').values(row).execute();
}

/** Updates a policy. */
export async function updatePolicyRow(db: Tx, id: string, set: PolicyFields): Promise<void> {
  await db.updateTable('escalation_policies').set(set).where('id', '=', id).execute();
}

/** Deletes a policy; false when there was none. */
export async function deletePolicyRow(db: Tx, id: string): Promise<boolean> {
  const r = await db.deleteFrom('escalation_policies').where('id', '=', id).executeTakeFirst();
  return !!r.numDeletedRows;
}
