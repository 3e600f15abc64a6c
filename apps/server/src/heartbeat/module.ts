import type { Ctx } from '../context.js';
import { inBatch } from '../engine/batch.js';
import type { EngineModule } from '../engine/engine.js';
import { openMiss } from './service.js';
import * as store from './store.js';

/**
 * Missed check-ins, by the injected clock: every enabled heartbeat whose wait (last check-in or
 * creation/enabling, plus interval + grace) has run out and that has no open miss gets one incident
 * on its service, which pages by the service's policy (the paging path runs after this module).
 * Claimed by compare-and-set (store.claimMiss), so several instances never open two.
 */
export const heartbeatModule: EngineModule = {
  name: 'heartbeats',
  async updateAll(ctx: Ctx): Promise<void> {
    const now = ctx.clock.now();
    const due = await store.overdue(ctx.db.kysely, now, 200);
    await inBatch(ctx, 'heartbeats', due, async (trx, live, r) => {
      await openMiss(trx, now, r, live);
    });
  },
};
