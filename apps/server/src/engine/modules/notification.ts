import type { Ctx } from '../../context.js';
import { inBatch } from '../batch.js';
import { enqueueMessage } from '../../notify/outbox.js';
import { buildPage } from '../../notify/page.js';
import { claimNotification, dueNotifications } from '../../notify/store.js';
import type { Channel } from '../../notify/types.js';
import type { EngineModule } from '../engine.js';
import { stepLevel, type Policy } from '../../escalation/types.js';

/** Whether step `step` of an incident's policy snapshot is a level with `until: resolved`. */
function levelUntilResolved(snapshot: string | null, step: number): boolean {
  // Most policies have no such level: skip parsing the snapshot on the paging path.
  if (!snapshot || !snapshot.includes('"until":"resolved"')) return false;
  return stepLevel(JSON.parse(snapshot) as Policy, Number(step))?.level.until === 'resolved';
}

/**
 * Turns due notifications into outbox messages (one per contact method and step), or cancels them
 * if the incident was acknowledged or resolved first. Claimed by compare-and-set on status.
 */
export const notificationModule: EngineModule = {
  name: 'notification',
  onWake: true,
  async updateAll(ctx: Ctx): Promise<void> {
    const now = ctx.clock.now();
    const due = (await dueNotifications(ctx.db.kysely, { now })).rows;
    await inBatch(ctx, 'notification', due, async (trx, live, n) => {
      // A page from a level with `until: resolved` still goes out once the incident is acknowledged.
      // It is marked so, so delivery still sends it when the incident is acknowledged while it waits.
      const untilResolved = n.incident_status !== 'resolved' && levelUntilResolved(n.policy_snapshot, n.step);
      const usable = (n.incident_status === 'triggered' || untilResolved) && n.verified_at !== null && n.disabled === 0;
      const claimed = await claimNotification(trx, { id: n.id, status: usable ? 'queued' : 'cancelled' });
      if (!claimed.numAffectedRows || !usable) return;
      const page = await buildPage(ctx, trx, n.incident_id, n.user_id, now, n.type);
      if (!page) return;
      await enqueueMessage(trx, now, {
        channel: n.type as Channel,
        destination: n.address,
        message: untilResolved ? { ...page, untilResolved: true } : page,
        userId: n.user_id,
        contactMethodId: n.contact_method_id,
        incidentId: n.incident_id,
      });
      live.push({ type: 'notification', incidentId: n.incident_id });
    });
  },
};
