import type { Ctx } from '../../context.js';
import { inBatch } from '../batch.js';
import { enqueueMessage } from '../../notify/outbox.js';
import { buildPage } from '../../notify/page.js';
import type { Channel } from '../../notify/types.js';
import type { EngineModule } from '../engine.js';

/**
 * Turns due notifications into outbox messages (one per contact method and step), or cancels them
 * if the incident was acknowledged or resolved first. Claimed by compare-and-set on status.
 */
export const notificationModule: EngineModule = {
  name: 'notification',
  onWake: true,
  async updateAll(ctx: Ctx): Promise<void> {
    const now = ctx.clock.now();
    const due = await ctx.db.kysely
      .selectFrom('notifications')
      .innerJoin('incidents', 'incidents.id', 'notifications.incident_id')
      .innerJoin('contact_methods', 'contact_methods.id', 'notifications.contact_method_id')
      .innerJoin('users', 'users.id', 'notifications.user_id')
      .select([
        'notifications.id', 'notifications.incident_id', 'notifications.user_id', 'notifications.contact_method_id',
        'incidents.status as incident_status', 'contact_methods.type', 'contact_methods.address', 'contact_methods.name as cm_name',
        'contact_methods.verified_at', 'contact_methods.disabled', 'users.name as user_name',
      ])
      .where('notifications.status', '=', 'pending')
      .where('notifications.due_at', '<=', now)
      .orderBy('notifications.due_at')
      .limit(500)
      .execute();
    await inBatch(ctx, 'notification', due, async (trx, live, n) => {
      const usable = n.incident_status === 'triggered' && n.verified_at !== null && n.disabled === 0;
      const claimed = await trx
        .updateTable('notifications')
        .set({ status: usable ? 'queued' : 'cancelled' })
        .where('id', '=', n.id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (!claimed.numUpdatedRows || !usable) return;
      const page = await buildPage(ctx, trx, n.incident_id, n.user_id, now, n.type);
      if (!page) return;
      await enqueueMessage(trx, now, { channel: n.type as Channel, destination: n.address, message: page, userId: n.user_id, contactMethodId: n.contact_method_id, incidentId: n.incident_id });
      live.push({ type: 'notification', incidentId: n.incident_id });
    });
  },
};
