/** SQL for the postmortem domain (postmortems, action items, problems): rows in, rows out. No permission checks here. */
import type { Tx } from '../context.js';

/** Open action items with an owner that fell due and were not reminded yet (at most 200), with their owner. */
export async function dueActionItems(db: Tx, now: number) {
  return db
    .selectFrom('action_items')
    .innerJoin('users', 'users.id', 'action_items.owner_id')
    .select(['action_items.id', 'action_items.title', 'action_items.due_at', 'action_items.postmortem_id', 'users.id as user_id', 'users.name'])
    .where('action_items.state', 'in', ['open', 'in_progress'])
    .where('action_items.due_at', '<=', now)
    .where('action_items.reminded_at', 'is', null)
    .limit(200)
    .execute();
}

/** Claims an action item's reminder (compare-and-set on reminded_at); false when another run did. */
export async function claimActionItemReminder(db: Tx, id: string, now: number): Promise<boolean> {
  const r = await db.updateTable('action_items').set({ reminded_at: now }).where('id', '=', id).where('reminded_at', 'is', null).executeTakeFirst();
  return !!Number(r.numUpdatedRows);
}
