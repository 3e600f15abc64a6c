import { inTransaction, type Ctx, type LiveEvent, type Tx } from '../context.js';

/**
 * Runs `work` for every item in one transaction, so a busy cycle costs one commit (one fsync on
 * SQLite) instead of one per row. If the batch fails, each item runs again in its own transaction:
 * one bad row cannot hold back the rest; how many failed alone comes back (a paging module that made no
 * progress does not ask for another pass). Work must be idempotent (claims by compare-and-set), which
 * every engine module's is.
 */
export async function inBatch<T>(ctx: Ctx, module: string, items: T[], work: (trx: Tx, live: LiveEvent[], item: T) => Promise<void>): Promise<{ failed: number }> {
  if (!items.length) return { failed: 0 };
  try {
    await inTransaction(ctx, async (trx, live) => {
      for (const item of items) await work(trx, live, item);
    });
    return { failed: 0 };
  } catch (err) {
    if (items.length === 1) throw err;
    ctx.log.warn({ err, module, items: items.length }, 'engine batch failed; retrying item by item');
  }
  let failed = 0;
  for (const item of items) {
    try {
      await inTransaction(ctx, (trx, live) => work(trx, live, item));
    } catch (err) {
      failed++;
      ctx.log.error({ err, module }, 'engine item failed');
    }
  }
  return { failed };
}

/**
 * Lookups shared by the items of one batch (one transaction, one instant): each key is loaded once.
 * A failed lookup is not remembered, so the item-by-item retry after a failed batch loads it again.
 */
export class BatchMemo {
  private readonly values = new Map<string, Promise<unknown>>();
  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    let v = this.values.get(key) as Promise<T> | undefined;
    if (!v) {
      this.values.set(key, (v = load()));
      v.catch(() => this.values.delete(key));
    }
    return v;
  }
}
