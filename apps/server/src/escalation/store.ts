import type { Tx } from '../context.js';

/** The details JSON of an incident's first alert (what a level's label condition reads), or null. */
export async function firstAlertDetails(db: Tx, incidentId: string): Promise<string | null> {
  const r = await db.selectFrom('alerts').select('details').where('incident_id', '=', incidentId).orderBy('created_at').orderBy('id').limit(1).executeTakeFirst();
  return r?.details ?? null;
}

/**
 * Takes the next round-robin turn of a (policy, level): returns the position before advancing.
 * Compare-and-set on `position`, retried when another writer took the turn first, so no two callers
 * ever get the same position.
 */
export async function takeRoundRobinTurn(db: Tx, policyId: string, levelIndex: number, now: number): Promise<number> {
  await db
    .insertInto('escalation_round_robin')
    .values({ policy_id: policyId, level_index: levelIndex, position: 0, updated_at: now })
    .onConflict((oc) => oc.columns(['policy_id', 'level_index']).doNothing())
    .execute();
  for (let attempt = 0; attempt < 100; attempt++) {
    const row = await db.selectFrom('escalation_round_robin').select('position').where('policy_id', '=', policyId).where('level_index', '=', levelIndex).executeTakeFirstOrThrow();
    const p = Number(row.position);
    const r = await db
      .updateTable('escalation_round_robin')
      .set({ position: p + 1, updated_at: now })
      .where('policy_id', '=', policyId)
      .where('level_index', '=', levelIndex)
      .where('position', '=', p)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 1) return p;
  }
  throw new Error(`round-robin cursor of policy ${policyId} level ${levelIndex} kept changing`);
}

/** Makes an already claimed next step due now (a round-robin level that found nobody to page). */
export async function escalateNow(db: Tx, incidentId: string, step: number, now: number): Promise<void> {
  await db.updateTable('incidents').set({ next_escalation_at: now }).where('id', '=', incidentId).where('escalation_step', '=', step).execute();
}
