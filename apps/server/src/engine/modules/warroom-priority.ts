import { SYSTEM } from '../../auth/actor.js';
import { inTransaction, type Ctx } from '../../context.js';
import { appendTimeline } from '../../incident/timeline.js';
import { priorityText } from '../../warroom/chat.js';
import { notifyUserText, readSettings } from '../../warroom/service.js';
import type { EngineModule } from '../engine.js';

/**
 * Pages again the war-room members who have not read a priority message by its receipt's due
 * time, up to the configured number of times. Claimed by compare-and-set on (repage_at, pages).
 */
export const warRoomPriorityModule: EngineModule = {
  name: 'warroom-priority',
  async updateAll(ctx: Ctx): Promise<void> {
    const now = ctx.clock.now();
    const due = await ctx.db.kysely
      .selectFrom('chat_receipts')
      .innerJoin('chat_messages', 'chat_messages.id', 'chat_receipts.message_id')
      .innerJoin('incidents', 'incidents.id', 'chat_receipts.incident_id')
      .innerJoin('users', 'users.id', 'chat_receipts.user_id')
      .select(['chat_receipts.message_id', 'chat_receipts.user_id', 'chat_receipts.incident_id', 'chat_receipts.repage_at', 'chat_receipts.pages', 'chat_messages.text', 'chat_messages.author_name', 'incidents.number', 'incidents.drill', 'incidents.status', 'users.name'])
      .where('chat_receipts.read_at', 'is', null)
      .where('chat_receipts.repage_at', '<=', now)
      .limit(200)
      .execute();
    if (!due.length) return;
    const settings = await readSettings(ctx.db.kysely);
    for (const r of due) {
      await inTransaction(ctx, async (trx, live) => {
        const more = r.status !== 'resolved' && r.pages - 1 < settings.priorityMaxRepages;
        const claim = await trx
          .updateTable('chat_receipts')
          .set({ pages: more ? r.pages + 1 : r.pages, repage_at: more && r.pages < settings.priorityMaxRepages ? now + settings.priorityRepageMinutes * 60_000 : null })
          .where('message_id', '=', r.message_id)
          .where('user_id', '=', r.user_id)
          .where('pages', '=', r.pages)
          .where('read_at', 'is', null)
          .executeTakeFirst();
        if (!claim.numUpdatedRows || !more) return;
        const n = Number(r.number);
        await notifyUserText(trx, { id: r.incident_id, drill: r.drill === 1 }, r.user_id, `(again) ${priorityText(n, { author: { name: r.author_name }, text: r.text }, ctx.publicUrl)}`, now);
        await appendTimeline(trx, { incidentId: r.incident_id, at: now, type: 'chat.repage', actor: SYSTEM, via: 'engine', message: `${r.name} has not read a priority message: paged again (${r.pages + 1})`, data: { messageId: r.message_id, userId: r.user_id } }, live);
      });
    }
  },
};
