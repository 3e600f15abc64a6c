/** SQL for the escalation domain (escalation policies): rows in, rows out. No permission checks here. */
import type { Tx } from '../context.js';

/** Every escalation policy's id, name, levels (JSON) and repeat count, by name. */
export async function policySummaryRows(db: Tx): Promise<{ id: string; name: string; levels: string; repeat: number }[]> {
  return db.selectFrom('escalation_policies').select(['id', 'name', 'levels', 'repeat']).orderBy('name').execute();
}
