import type { Ctx } from '../context.js';
import { enqueueMessage } from '../notify/outbox.js';
import { notificationPlan } from '../escalation/targets.js';
import type { Channel } from '../notify/types.js';
import { readSettings } from './service.js';
import { inBatch } from '../engine/batch.js';
import type { EngineModule } from '../engine/engine.js';
import { contactMethodAddresses } from '../user/store.js';
import { claimStaleNotice, staleRunbooks } from './store.js';
import { must } from '../lib/must.js';

const DAY = 86_400_000;

/** Tells a runbook's owner, once per review period, that it has not been reviewed for the configured number of days. */
export const warRoomRunbooksModule: EngineModule = {
  name: 'warroom-runbooks',
  async updateAll(ctx: Ctx): Promise<void> {
    const now = ctx.clock.now();
    const settings = await readSettings(ctx.db.kysely);
    const cutoff = now - settings.runbookStaleDays * DAY;
    const stale = await staleRunbooks(ctx.db.kysely, cutoff);
    await inBatch(ctx, 'warroom-runbooks', stale, async (trx, _live, r) => {
      if (!(await claimStaleNotice(trx, r.id, now))) return;
      const plan = (await notificationPlan(trx, must(r.owner_id, 'r.owner_id'))).filter((p) => p.delayMinutes === 0);
      const methods = plan.length
        ? await contactMethodAddresses(
            trx,
            plan.map((p) => p.contactMethodId),
          )
        : [];
      const days = Math.floor((now - Number(r.last_reviewed_at)) / DAY);
      for (const m of methods) {
        await enqueueMessage(trx, now, {
          channel: m.type as Channel,
          destination: m.address,
          message: { kind: 'reply', text: `Klaxon: the runbook "${r.title}" of ${r.service_name} is stale (not reviewed for ${days} days). Please review it.` },
          userId: r.owner_id,
          contactMethodId: m.id,
        });
      }
    });
  },
};
