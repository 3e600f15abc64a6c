import type { Ctx } from '../context.js';
import { isDiskFull, writeHealth } from '../lib/db/disk-full.js';
import { engineModuleErrors, engineModuleSeconds } from '../lib/metrics.js';

/** What a paging-path module's updateAll resolves to when more may be due (see EngineModule.updateAll). */
export const MORE = 'more';
export type More = typeof MORE;

/** A named engine module: idempotent, keeps no state between cycles, all state in the database. */
export interface EngineModule {
  readonly name: string;
  /**
   * Does the module's due work. A paging-path module ({@link onWake}) takes one batch and resolves to
   * {@link MORE} when more may be due (a full batch, or work that made more due at once): the engine
   * then runs the paging path again, batch by batch, so what one batch of a storm made due reaches its
   * provider before the next batch is taken, and new work is taken first at the next pass. Any other
   * value means done.
   */
  updateAll(ctx: Ctx): Promise<unknown>;
  /**
   * True for the paging path (escalation, notification, delivery): it runs first in every cycle,
   * including the quick ones a wake asks for, and again at the end of a cycle in which other modules
   * ran. Other modules work on the clock (reminders, hand-offs, summaries):
   * in a wake cycle they run only if WAKE_MIN_GAP_MS have passed since their last run, so a storm of
   * wakes does not run them hundreds of times a second.
   */
  readonly onWake?: boolean;
  /** Resolves when work the module started in the background (sends in flight) has finished. */
  settle?(): Promise<void>;
  /**
   * At shutdown: start nothing new, wait at most `graceMs` for background work, then hand back what
   * is still running (delivery releases the leases of sends that have not answered).
   */
  drain?(graceMs: number): Promise<void>;
}

/** How long `stop()` waits for sends in flight before handing them back (ms), unless told otherwise. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 5_000;

/** In a wake cycle, a module that is not on the paging path runs at most this often (ms of the engine's clock). */
export const WAKE_MIN_GAP_MS = 250;

/**
 * Passes of the paging path in one cycle while a module resolves to MORE. What is left after that waits
 * for the next cycle (a wake or the timer), as before: a row that fails every time cannot keep the
 * engine busy without end.
 */
export const MAX_PAGING_PASSES = 80;

/**
 * The version of the engine's behaviour. Bump it when a module changes what it writes. During a
 * rolling upgrade, an instance that finds a newer version recorded in the database stops running
 * engine modules (it keeps serving HTTP), so old and new logic never process the same rows.
 */
export const ENGINE_VERSION = 1;

/** Engine options. */
export interface EngineOptions {
  /** How often to run a cycle without being woken (ms); 0 disables the timer (tests drive cycles). */
  intervalMs: number;
  /** A module that takes longer than this is reported as failed for this cycle (ms). */
  moduleTimeoutMs: number;
  /** Checked before each cycle: false means "a newer engine runs; step aside" (see ENGINE_VERSION). */
  guard?: () => Promise<boolean>;
}

/**
 * Runs its modules in order, every interval and at once when woken. Cycles never overlap: a wake
 * during a cycle schedules one more. Each module is isolated: one failing does not stop the others.
 */
export class Engine {
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<void> | null = null;
  private pending: Promise<void> | null = null;
  /** Whether the pending cycle must run every module (a timer tick or runCycle asked for it). */
  private pendingFull = false;
  private stopped = false;
  private readonly lastRun = new Map<string, number>();
  /**
   * What modules run with: the context on the database's unsynced handle, whose writes do not
   * wait for the disk; a module that tells the outside world (delivery, before it sends) calls
   * `ctx.db.sync()` first, which covers every commit before it.
   */
  private readonly moduleCtx: Ctx;

  constructor(
    private readonly ctx: Ctx,
    private readonly modules: EngineModule[],
    private readonly opts: EngineOptions,
  ) {
    // A view, not a copy: fields set on ctx later (the public URL once the server listens) show through.
    this.moduleCtx = ctx.db ? (Object.create(ctx, { db: { value: { ...ctx.db, kysely: ctx.db.unsynced }, enumerable: true } }) as Ctx) : ctx;
  }

  /** Starts the periodic timer. */
  start(): void {
    this.stopped = false;
    if (this.opts.intervalMs > 0 && !this.timer) {
      this.timer = setInterval(() => void this.schedule(true), this.opts.intervalMs);
      this.timer.unref();
    }
    void this.schedule(true);
  }

  /**
   * Stops the timer, lets a running cycle end after its current module, and waits at most `graceMs`
   * for the work it started in the background (sends in flight); modules hand back what is still
   * running after that (see {@link EngineModule.drain}).
   */
  async stop(graceMs = DEFAULT_SHUTDOWN_GRACE_MS): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.pending?.catch(() => {});
    await this.current?.catch(() => {});
    await Promise.all(
      this.modules.map((m) => (m.drain ? m.drain(graceMs) : m.settle?.())?.catch((err: unknown) => this.ctx.log.error({ err, module: m.name }, 'engine module failed to stop cleanly'))),
    );
  }

  /** Asks for a quick cycle of the paging path soon; many wakes in a row cost one cycle. */
  wake(): void {
    if (!this.stopped) void this.schedule(false);
  }

  /**
   * Runs a full cycle (every module) that starts after this call, and resolves when it and the work
   * it started in the background (messages in flight) are done. Tests move the clock and await this
   * instead of sleeping.
   */
  async runCycle(): Promise<void> {
    await this.schedule(true);
    await this.settle();
  }

  /** Resolves when no cycle runs or is queued (background work may still be in flight). */
  async idle(): Promise<void> {
    while (this.current || this.pending) await (this.pending ?? this.current)?.catch(() => {});
  }

  /** Waits for background work of every module (sends in flight). */
  private async settle(): Promise<void> {
    await Promise.all(this.modules.map((m) => m.settle?.().catch(() => {})));
  }

  /** Schedules a cycle that starts after this call; cycles never overlap, and queued requests merge. */
  private schedule(full: boolean): Promise<void> {
    if (this.pending) {
      this.pendingFull ||= full;
      return this.pending;
    }
    if (!this.current) {
      this.current = this.cycle(full).finally(() => (this.current = null));
      return this.current;
    }
    this.pendingFull = full;
    this.pending = this.current.then(() => {
      const f = this.pendingFull;
      this.pending = null;
      this.pendingFull = false;
      this.current = this.cycle(f).finally(() => (this.current = null));
      return this.current;
    });
    return this.pending;
  }

  private async cycle(full: boolean): Promise<void> {
    if (this.opts.guard) {
      try {
        if (!(await this.opts.guard())) return;
      } catch (err) {
        this.ctx.log.error({ err }, 'engine guard failed');
        return;
      }
    }
    const now = this.ctx.clock.now();
    // The paging path first, so a page is never queued behind reminders and summaries; then the
    // clock-driven modules that are due; then the paging path once more if any of those ran, so what
    // they queued (a reminder e-mail, a re-page) goes out in the same cycle.
    const paging = this.modules.filter((m) => m.onWake);
    const clockDriven = this.modules.filter((m) => !m.onWake && (full || now - (this.lastRun.get(m.name) ?? -Infinity) >= WAKE_MIN_GAP_MS));
    for (const m of clockDriven) this.lastRun.set(m.name, now);
    await this.pagingPath(paging);
    if (!clockDriven.length) return;
    for (const m of clockDriven) {
      if (this.stopped) return;
      await this.run(m);
    }
    await this.pagingPath(paging);
  }

  /**
   * The paging path in passes: each module takes one batch per pass, and the passes go on while one
   * resolves to MORE (at most MAX_PAGING_PASSES). A storm is worked
   * through a batch at a time from escalation to the provider, and each pass takes a new incident's
   * work first (the queues' order), so it waits for at most one batch, not for the whole storm.
   */
  private async pagingPath(paging: EngineModule[]): Promise<void> {
    for (let pass = 0; pass < MAX_PAGING_PASSES; pass++) {
      // Between passes, what waits on the event loop runs: requests that arrived meanwhile (a new
      // incident's event), sends' answers. On SQLite a statement answers without a turn of the event
      // loop (only promise callbacks), so a pass that claimed nothing (no sync() to wait for) let no
      // request in: at 10× (bench/org.ts with BENCH_ORG_TRACE, one run each), events that arrived
      // while every open incident escalated waited up to 348 ms for their 202, and up to 173 ms with this.
      if (pass > 0) await new Promise<void>((r) => setImmediate(r));
      let more = false;
      for (const m of paging) {
        if (this.stopped) return;
        if ((await this.run(m)) === MORE) more = true;
      }
      if (!more) return;
    }
  }

  /** Runs one module, timed and isolated: a failure or timeout is logged and counted, and the cycle goes on. */
  private async run(m: EngineModule): Promise<unknown> {
    const end = engineModuleSeconds.startTimer({ module: m.name });
    let timeout: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        m.updateAll(this.moduleCtx),
        new Promise<never>((_, reject) => {
          timeout = setTimeout(() => reject(new Error(`timed out after ${this.opts.moduleTimeoutMs} ms`)), this.opts.moduleTimeoutMs);
        }),
      ]);
    } catch (err) {
      engineModuleErrors.inc({ module: m.name });
      if (isDiskFull(err) && this.ctx.db) writeHealth(this.ctx.db.location).failed(err); // /readyz turns unready until a write succeeds
      this.ctx.log.error({ err, module: m.name }, 'engine module failed');
      return undefined;
    } finally {
      clearTimeout(timeout);
      end();
    }
  }
}
