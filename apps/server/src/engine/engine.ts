import type { Ctx } from '../context.js';
import { engineModuleErrors, engineModuleSeconds } from '../lib/metrics.js';

/** A named engine module: idempotent, keeps no state between cycles, all state in the database. */
export interface EngineModule {
  readonly name: string;
  updateAll(ctx: Ctx): Promise<void>;
}

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
  private stopped = false;

  constructor(
    private readonly ctx: Ctx,
    private readonly modules: EngineModule[],
    private readonly opts: EngineOptions,
  ) {}

  /** Starts the periodic timer. */
  start(): void {
    this.stopped = false;
    if (this.opts.intervalMs > 0 && !this.timer) {
      this.timer = setInterval(() => void this.runCycle(), this.opts.intervalMs);
      this.timer.unref();
    }
    void this.runCycle();
  }

  /** Stops the timer and waits for a running cycle to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.pending?.catch(() => {});
    await this.current?.catch(() => {});
  }

  /** Asks for a cycle soon; many wakes in a row cost one cycle. */
  wake(): void {
    if (!this.stopped) void this.runCycle();
  }

  /**
   * Runs a full cycle that starts after this call and resolves when it is done. Tests move the
   * clock and await this instead of sleeping.
   */
  runCycle(): Promise<void> {
    if (this.pending) return this.pending;
    if (!this.current) {
      this.current = this.cycle().finally(() => (this.current = null));
      return this.current;
    }
    this.pending = this.current.then(() => {
      this.pending = null;
      this.current = this.cycle().finally(() => (this.current = null));
      return this.current;
    });
    return this.pending;
  }

  private async cycle(): Promise<void> {
    if (this.opts.guard) {
      try {
        if (!(await this.opts.guard())) return;
      } catch (err) {
        this.ctx.log.error({ err }, 'engine guard failed');
        return;
      }
    }
    for (const m of this.modules) {
      if (this.stopped) return;
      const end = engineModuleSeconds.startTimer({ module: m.name });
      let timeout: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          m.updateAll(this.ctx),
          new Promise((_, reject) => {
            timeout = setTimeout(() => reject(new Error(`timed out after ${this.opts.moduleTimeoutMs} ms`)), this.opts.moduleTimeoutMs);
          }),
        ]);
      } catch (err) {
        engineModuleErrors.inc({ module: m.name });
        this.ctx.log.error({ err, module: m.name }, 'engine module failed');
      } finally {
        clearTimeout(timeout);
        end();
      }
    }
  }
}
