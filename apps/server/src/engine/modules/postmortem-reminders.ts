import type { Ctx } from '../../context.js';
import { formatUtc } from '../../lib/format.js';
import { enqueueMessage } from '../../notify/outbox.js';
import type { ReportNoticeMessage } from '../../notify/types.js';
import type { EngineModule } from '../engine.js';
import { noticeMethods } from './schedule-handoff.js';

/**
 * Action item reminders: when an open action item with an owner falls due, its owner is reminded
 * once (claimed by setting reminded_at; changing the due date re-arms it).
 */
export const postmortemRemindersModule: EngineModule = {
  name: 'postmortem-reminders',
  async updateAll(ctx: Ctx): Promise<void> {
    const now = ctx.clock.now();
    const db = ctx.db.kysely;
    const due = await db
      .selectFrom('action_items')
      .innerJoin('users', 'users.id', 'action_items.owner_id')
      .select(['action_items.id', 'action_items.title', 'action_items.due_at', 'action_items.postmortem_id', 'users.id as user_id', 'users.name'])
      .where('action_items.state', 'in', ['open', 'in_progress'])
      .where('action_items.due_at', '<=', now)
      .where('action_items.reminded_at', 'is', null)
      .limit(200)
      .execute();
    for (const a of due) {
      await db.transaction().execute(async (trx) => {
        const r = await trx.updateTable('action_items').set({ reminded_at: now }).where('id', '=', a.id).where('reminded_at', 'is', null).executeTakeFirst();
        if (!Number(r.numUpdatedRows)) return;
        const summary = `Action item due: ${a.title}`;
        const message: ReportNoticeMessage = { kind: 'report', event: 'action-item-due', userName: a.name, summary, text: `${summary} (due ${formatUtc(Number(a.due_at))}).`, url: `${ctx.publicUrl}/postmortems/${a.postmortem_id}` };
        for (const m of await noticeMethods(trx, a.user_id)) await enqueueMessage(trx, now, { channel: m.type, destination: m.address, message, userId: a.user_id, contactMethodId: m.id });
      });
    }
  },
};
