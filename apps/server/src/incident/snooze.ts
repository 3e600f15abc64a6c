import type { Ctx } from '../context.js';
import { wakeSnoozed } from './lifecycle.js';
import { dueSnoozes } from './store.js';
import { inBatch } from '../engine/batch.js';
import type { EngineModule } from '../engine/engine.js';

/**
 * Ends snoozes that are due, by the injected clock: each incident is triggered again and its
 * escalation is due at once, so the escalation module (which runs next) pages from where it was.
 */
export const snoozeModule: EngineModule = {
  name: 'snooze',
  onWake: true,
  async updateAll(ctx: Ctx): Promise<void> {
    const now = ctx.clock.now();
    const due = await dueSnoozes(ctx.db.kysely, now);
    if (!due.length) return;
    await inBatch(ctx, 'snooze', due, (trx, live, inc) => wakeSnoozed(trx, now, inc.id, live).then(() => undefined));
  },
};
