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
 * the writer or readers.
 *
 * The WAL starts over only when a write transaction begins with every frame already copied. Under
 * a steady stream of commits that never happens after a checkpoint in another connection (the
 * writer has always appended more by the time it finishes), and the WAL grew by gigabytes in a long
 * storm. So a worker checkpoint is followed by another while many commits arrived during it (each
 * round copies less), and once few did (FINISH_AFTER), the writing connection runs one PASSIVE
 * checkpoint itself between two transactions (`finishOnWriter`): it copies the last few frames and
 * its next write starts the WAL over. That costs the event loop a few frames of copying and the
 * checkpoint's fsyncs once per round, instead of 1,000 pages every 1,000 pages.
 */
/** At most this many commits during a worker round let the writer finish it (a few frames each). */
const FINISH_AFTER = 16;
/** Rounds chasing a writer that keeps appending before the writer finishes regardless. */
const MAX_CHASE = 8;
/** At close, how long a round still running is waited for, and then the worker's own close (ms). */
const CLOSE_WAIT_MS = 2_000;

export class Checkpointer {
  private readonly worker: Worker;
  private running = false;
  private since = 0;
  /** Commits made while the worker's checkpoint ran. */
  private during = 0;
  /** Worker rounds run back to back chasing the writer. */
  private chased = 0;
  /** The worker has copied nearly everything: the writer should finish the round (finishOnWriter). */
  private finishDue = false;
  private closed = false;
  /** The worker thread has ended (closed, crashed or terminated): nothing of it is waited for any more. */
  private exited = false;
  /** Checkpoints run, for tests and /metrics. */
  runs = 0;
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
         try { db.pragma('wal_checkpoint(PASSIVE)'); parentPort.postMessage({ ok: true }); }
         catch (e) { parentPort.postMessage({ error: String(e && e.message || e) }); }
       });`,
      { eval: true, workerData: { driver, file } },
    );
    this.worker.unref();
    this.worker.on('message', (m: { ok: true } | { error: string }) => {
      this.running = false;
      if ('error' in m) this.onError(new Error(`WAL checkpoint failed: ${m.error}`));
      else {
        this.runs++;
        // Chase the writer while it keeps appending; let the writer finish once it nearly stood still
        // (or after MAX_CHASE rounds, so the WAL is bounded even if the writer outpaces the copying).
        if (this.during > FINISH_AFTER && this.chased < MAX_CHASE) {
          this.chased++;
          this.start();
        } else {
          this.chased = 0;
          this.finishDue = true;
        }
      }
      for (const w of this.waiters.splice(0)) w();
    });
    this.worker.on('error', (err) => {
      this.running = false;
      this.onError(err);
      for (const w of this.waiters.splice(0)) w();
    });
    // A worker that ends without answering (it crashed, or was terminated) releases whoever waits for
    // its answer; before, close() waited for ever for a round that would never report.
    this.worker.once('exit', () => {
      this.exited = true;
      this.running = false;
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Counts a commit; starts a checkpoint when enough have been made and none is running. */
  committed(): void {
    if (this.running) this.during++;
    if (++this.since >= this.everyCommits && !this.finishDue) this.start();
  }

  /**
   * Called by the writing connection between transactions: when a round is due to be finished, runs
   * `checkpoint` (a PASSIVE checkpoint on that connection, copying the few frames appended since the
   * worker's), after which the next write starts the WAL over.
   */
  finishOnWriter(checkpoint: () => void): void {
    if (!this.finishDue || this.running) return;
    this.finishDue = false;
    try {
      checkpoint();
    } catch (err) {
      this.onError(err);
    }
  }

  /** Waits for a running checkpoint; the worker keeps the process alive meanwhile (it is unref'd otherwise). */
  private async finished(): Promise<void> {
    if (!this.running || this.exited) return;
    this.worker.ref();
    try {
      await new Promise<void>((r) => this.waiters.push(r));
    } finally {
      this.worker.unref();
    }
  }

  private start(): void {
    if (this.running || this.closed || this.exited) return;
    this.running = true;
    this.finishDue = false;
    this.since = 0;
    this.during = 0;
    this.worker.postMessage('checkpoint');
  }

  /**
   * Waits for a running round (at most CLOSE_WAIT_MS: a PASSIVE checkpoint takes milliseconds, so
   * a worker silent that long is stuck or starved), then ends the worker: it closes its connection,
   * or is terminated CLOSE_WAIT_MS later.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.exited) return;
    // Referenced while it closes its connection: an unref'd worker would let the process end with
    // this promise pending (exit code 13 for a CLI's top-level await).
    this.worker.ref();
    const exited = new Promise<void>((r) => (this.exited ? r() : this.worker.once('exit', () => r())));
    const kill = setTimeout(() => void this.worker.terminate(), 2 * CLOSE_WAIT_MS);
    let giveUp: NodeJS.Timeout | undefined;
    await Promise.race([this.finished(), new Promise<void>((r) => (giveUp = setTimeout(r, CLOSE_WAIT_MS)))]);
    clearTimeout(giveUp);
    if (!this.exited) this.worker.postMessage('close');
    await exited;
    clearTimeout(kill);
  }
}
