import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * WAL checkpoints off the event loop.
 *
 * SQLite copies the WAL back into the database file (a checkpoint) from inside the commit that
 * crosses `wal_autocheckpoint` pages: 1,000 pages of copying plus two fsyncs, 5–10 ms here, during
 * which the one JavaScript thread serves nothing (in the ingest benchmark, 44 such commits held 40%
 * of all commit time and every p99). The connection that writes therefore runs with
 * `wal_autocheckpoint = 0`, and this runs `PRAGMA wal_checkpoint(PASSIVE)` on a second connection in a
 * worker thread once `everyCommits` commits have been made since the last one. PASSIVE never blocks
 * the writer or readers; frames a reader still needs are left for the next round, and the writer
 * starts the WAL over once a checkpoint has copied everything.
 */
export class Checkpointer {
  private readonly worker: Worker;
  private running = false;
  private since = 0;
  private closed = false;
  /** Checkpoints run, for tests and /metrics. */
  runs = 0;
  /** The last checkpoint's answer: WAL frames, frames copied to the database. */
  last: { log: number; checkpointed: number } | null = null;
  private waiters: (() => void)[] = [];

  constructor(
    file: string,
    private readonly everyCommits = 500,
    private readonly onError: (err: unknown) => void = () => {},
  ) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    // Plain JavaScript, evaluated: the worker needs no TypeScript loader however the server runs.
    this.worker = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       const Database = require(workerData.driver);
       const db = new Database(workerData.file);
       db.pragma('busy_timeout = 5000');
       parentPort.on('message', (m) => {
         if (m === 'close') { db.close(); parentPort.close(); return; }
         try { const [r] = db.pragma('wal_checkpoint(PASSIVE)'); parentPort.postMessage({ log: r.log, checkpointed: r.checkpointed }); }
         catch (e) { parentPort.postMessage({ error: String(e && e.message || e) }); }
       });`,
      { eval: true, workerData: { driver, file } },
    );
    this.worker.unref();
    this.worker.on('message', (m: { log: number; checkpointed: number } | { error: string }) => {
      this.running = false;
      if ('error' in m) this.onError(new Error(`WAL checkpoint failed: ${m.error}`));
      else {
        this.runs++;
        this.last = m;
      }
      for (const w of this.waiters.splice(0)) w();
    });
    this.worker.on('error', (err) => {
      this.running = false;
      this.onError(err);
    });
  }

  /** Counts a commit; starts a checkpoint when enough have been made and none is running. */
  committed(): void {
    if (++this.since >= this.everyCommits) this.start();
  }

  /** Runs a checkpoint now (unless one runs) and resolves when it has finished. */
  async now(): Promise<void> {
    this.start();
    await this.finished();
  }

  /** Waits for a running checkpoint; the worker keeps the process alive meanwhile (it is unref'd otherwise). */
  private async finished(): Promise<void> {
    if (!this.running) return;
    this.worker.ref();
    try {
      await new Promise<void>((r) => this.waiters.push(r));
    } finally {
      this.worker.unref();
    }
  }

  private start(): void {
    if (this.running || this.closed) return;
    this.running = true;
    this.since = 0;
    this.worker.postMessage('checkpoint');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.finished();
    this.closed = true;
    // Referenced while it closes its connection: an unref'd worker would let the process end with
    // this promise pending (exit code 13 for a CLI's top-level await).
    this.worker.ref();
    const exited = new Promise<void>((r) => this.worker.once('exit', () => r()));
    this.worker.postMessage('close');
    const timer = setTimeout(() => void this.worker.terminate(), 2000);
    await exited;
    clearTimeout(timer);
  }
}
