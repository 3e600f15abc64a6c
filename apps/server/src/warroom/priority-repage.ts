import { SYSTEM } from '../auth/actor.js';
import type { Ctx } from '../context.js';
import { appendTimeline } from '../incident/timeline.js';
import { priorityText } from './chat.js';
import { notifyUserText, readSettings } from './service.js';
import { inBatch } from '../engine/batch.js';
import type { EngineModule } from '../engine/engine.js';
import { claimRepage, dueRepages } from './store.js';

/**
 * Pages again the war-room members who have not read a priority message by its receipt's due
 * time, up to the configured number of times. Claimed by compare-and-set on (repage_at, pages).
 */
export const warRoomPriorityModule: EngineModule = {
  name: 'warroom-priority',
  async updateAll(ctx: Ctx): Promise<void> {
    const now = ctx.clock.now();
    const due = await dueRepages(ctx.db.kysely, now);
    if (!due.length) return;
    const settings = await readSettings(ctx.db.kysely);
    await inBatch(ctx, 'warroom-priority', due, async (trx, live, r) => {
      const more = r.status !== 'resolved' && r.pages - 1 < settings.priorityMaxRepages;
      const claimed = await claimRepage(
        trx,
        { messageId: r.message_id, userId: r.user_id, pages: r.pages },
        { pages: more ? r.pages + 1 : r.pages, repage_at: more && r.pages < settings.priorityMaxRepages ? now + settings.priorityRepageMinutes * 60_000 : null },
      );
      if (!claimed || !more) return;
      const n = Number(r.number);
      await notifyUserText(trx, { id: r.incident_id, drill: r.drill === 1 }, r.user_id, `(again) ${priorityText(n, { author: { name: r.author_name }, text: r.text }, ctx.publicUrl)}`, now);
      await appendTimeline(
        trx,
        {
          incidentId: r.incident_id,
          at: now,
          type: 'chat.repage',
          actor: SYSTEM,
          via: 'engine',
          message: `${r.name} has not read a priority message: paged again (${r.pages + 1})`,
          data: { messageId: r.message_id, userId: r.user_id },
        },
        live,
      );
    });
  },
};
