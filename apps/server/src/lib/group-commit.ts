import { must } from './must.js';
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
   * @param durable resolves when what was committed so far is on stable storage; callers hear of
   *   their item only after it. The next batch is processed meanwhile, so the disk and the CPU work
   *   at the same time.
   */
  constructor(
    private readonly runBatch: (items: I[]) => Promise<O[]>,
    private readonly runOne: (item: I) => Promise<O>,
    private readonly maxBatch = 256,
    private readonly durable: () => Promise<void> = async () => {},
  ) {}

  /** Resolves the items once their commit is durable (without holding up the next batch). */
  private settle(done: { b: { resolve: (o: O) => void; reject: (e: unknown) => void }; ok: boolean; value: unknown }[]): void {
    if (!done.length) return;
    this.durable().then(
      () => done.forEach((d) => (d.ok ? d.b.resolve(d.value as O) : d.b.reject(d.value))),
      (err: unknown) => done.forEach((d) => (d.ok ? d.b.reject(err) : d.b.reject(d.value))),
    );
  }

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
          this.settle(batch.map((b, i) => ({ b, ok: true, value: must(results, 'results')[i] })));
          continue;
        }
        const done: { b: (typeof batch)[number]; ok: boolean; value: unknown }[] = [];
        for (const b of batch) {
          try {
            done.push({ b, ok: true, value: await this.runOne(b.item) });
          } catch (e) {
            done.push({ b, ok: false, value: e });
          }
        }
        this.settle(done);
      }
    } finally {
      this.running = false;
    }
  }
}
