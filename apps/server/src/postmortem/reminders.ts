import type { Ctx } from '../context.js';
import { formatUtc } from '../lib/format.js';
import { enqueueMessage } from '../notify/outbox.js';
import type { ReportNoticeMessage } from '../notify/types.js';
import { inBatch } from '../engine/batch.js';
import type { EngineModule } from '../engine/engine.js';
import { noticeMethods } from '../schedule/handoff-notices.js';
import { claimActionItemReminder, dueActionItems } from './store.js';

/**
 * Action item reminders: when an open action item with an owner falls due, its owner is reminded
 * once (claimed by setting reminded_at; changing the due date re-arms it). A clock-driven engine
 * module, registered in app/klaxon.ts.
 */
export const postmortemRemindersModule: EngineModule = {
  name: 'postmortem-reminders',
  async updateAll(ctx: Ctx): Promise<void> {
    const now = ctx.clock.now();
    const due = await dueActionItems(ctx.db.kysely, now);
    await inBatch(ctx, 'postmortem-reminders', due, async (trx, _live, a) => {
      if (!(await claimActionItemReminder(trx, a.id, now))) return;
      const summary = `Action item due: ${a.title}`;
      const message: ReportNoticeMessage = {
        kind: 'report',
        event: 'action-item-due',
        userName: a.name,
        summary,
        text: `${summary} (due ${formatUtc(Number(a.due_at))}).`,
        url: `${ctx.publicUrl}/postmortems/${a.postmortem_id}`,
      };
      for (const m of await noticeMethods(trx, a.user_id)) await enqueueMessage(trx, now, { channel: m.type, destination: m.address, message, userId: a.user_id, contactMethodId: m.id });
    });
  },
};
