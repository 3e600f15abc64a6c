import { inTransaction, type Ctx } from '../../context.js';
import { enqueueMessage } from '../../notify/outbox.js';
import { notificationPlan } from '../../escalation/targets.js';
import type { Channel } from '../../notify/types.js';
import { readSettings } from '../../warroom/service.js';
import type { EngineModule } from '../engine.js';

const DAY = 86_400_000;

/** Tells a runbook's owner, once per review period, that it has not been reviewed for the configured number of days. */
export const warRoomRunbooksModule: EngineModule = {
  name: 'warroom-runbooks',
  async updateAll(ctx: Ctx): Promise<void> {
    const now = ctx.clock.now();
    const settings = await readSettings(ctx.db.kysely);
    const cutoff = now - settings.runbookStaleDays * DAY;
    const stale = await ctx.db.kysely
      .selectFrom('runbooks')
      .innerJoin('services', 'services.id', 'runbooks.service_id')
      .select(['runbooks.id', 'runbooks.title', 'runbooks.owner_id', 'runbooks.last_reviewed_at', 'services.name as service_name'])
      .where('runbooks.last_reviewed_at', '<=', cutoff)
      .where('runbooks.stale_notified_at', 'is', null)
      .where('runbooks.owner_id', 'is not', null)
      .limit(200)
      .execute();
    for (const r of stale) {
      await inTransaction(ctx, async (trx) => {
        const claim = await trx.updateTable('runbooks').set({ stale_notified_at: now }).where('id', '=', r.id).where('stale_notified_at', 'is', null).executeTakeFirst();
        if (!claim.numUpdatedRows) return;
        const plan = (await notificationPlan(trx, r.owner_id!)).filter((p) => p.delayMinutes === 0);
        const methods = plan.length ? await trx.selectFrom('contact_methods').select(['id', 'type', 'address']).where('id', 'in', plan.map((p) => p.contactMethodId)).execute() : [];
        const days = Math.floor((now - Number(r.last_reviewed_at)) / DAY);
        for (const m of methods) {
          await enqueueMessage(trx, now, { channel: m.type as Channel, destination: m.address, message: { kind: 'reply', text: `Klaxon: the runbook "${r.title}" of ${r.service_name} is stale (not reviewed for ${days} days). Please review it.` }, userId: r.owner_id, contactMethodId: m.id });
        }
      });
    }
  },
};
