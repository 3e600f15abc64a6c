/**
 * Group commit: callers submit items one at a time; while one batch's transaction runs, new items
 * queue, and the next batch takes them all. Under load many requests share one commit (one fsync);
 * with no load a lone item is committed at once, with no added latency.
 */
export class GroupCommit<I, O> {
  private queue: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  private running = false;

  /**
   * @param runBatch commits all items in one transaction and returns their results in order; if it
   *   throws, each item is retried alone through `runOne` so one bad item cannot fail the others.
   */
  constructor(
    private readonly runBatch: (items: I[]) => Promise<O[]>,
    private readonly runOne: (item: I) => Promise<O>,
    private readonly maxBatch = 256,
  ) {}

  /** Resolves with the item's result after its transaction has committed. */
  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      // Let requests that arrived in the same turn of the event loop join the first batch.
      await new Promise((r) => setImmediate(r));
      while (this.queue.length) {
        const batch = this.queue.splice(0, this.maxBatch);
        let results: O[] | null = null;
        if (batch.length > 1) {
          try {
            results = await this.runBatch(batch.map((b) => b.item));
          } catch {
            results = null; // fall back to one transaction per item below
          }
        }
        if (results) {
          batch.forEach((b, i) => b.resolve(results![i]!));
          continue;
        }
        for (const b of batch) {
          try {
            b.resolve(await this.runOne(b.item));
          } catch (e) {
            b.reject(e);
          }
        }
      }
    } finally {
      this.running = false;
    }
  }
}
