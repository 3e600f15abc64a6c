import type { Ctx } from '../../context.js';
import { pushoverReceiptsToCancel, recordReceiptCancelled } from '../../notify/store.js';
import type { EngineModule } from '../engine.js';

/**
 * Cancels the Pushover receipts of emergency pages whose incident was resolved, so the phone stops
 * repeating them (`POST /1/receipts/{receipt}/cancel.json`). Each receipt is cancelled once: the
 * outcome, success or failure, is a `receipt_cancelled` delivery attempt.
 */
export function pushoverReceiptsModule(cancel: ((receipt: string) => Promise<void>) | null): EngineModule {
  return {
    name: 'pushover-receipts',
    async updateAll(ctx: Ctx): Promise<void> {
      if (!cancel) return;
      const due = await pushoverReceiptsToCancel(ctx.db.kysely, 50);
      for (const r of due) {
        let error: string | null = null;
        try {
          await cancel(r.receipt);
        } catch (e) {
          error = e instanceof Error ? e.message : String(e);
          ctx.log.warn({ messageId: r.id, err: error }, 'pushover: could not cancel a receipt');
        }
        await recordReceiptCancelled(ctx.db.kysely, r.id, ctx.clock.now(), error);
      }
    },
  };
}
