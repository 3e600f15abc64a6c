import { describe, expect, it } from 'vitest';
import type { Ctx } from '../../src/context.js';
import { Engine, MAX_PAGING_PASSES, MORE, WAKE_MIN_GAP_MS, type EngineModule } from '../../src/engine/engine.js';
import { FakeClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { GroupCommit } from '../../src/lib/group-commit.js';

const ctx = { clock: new FakeClock(), log: createLogger('silent') } as unknown as Ctx;

describe('Engine', () => {
  it('runs every module in order; one failing or hanging module does not stop the others', async () => {
    const ran: string[] = [];
    const mods: EngineModule[] = [
      { name: 'a', updateAll: async () => void ran.push('a') },
      { name: 'broken', updateAll: async () => Promise.reject(new Error('boom')) },
      { name: 'hangs', updateAll: () => new Promise(() => {}) },
      { name: 'b', updateAll: async () => void ran.push('b') },
    ];
    const e = new Engine(ctx, mods, { intervalMs: 0, moduleTimeoutMs: 20 });
    await e.runCycle();
    expect(ran).toEqual(['a', 'b']);
  });

  it('never overlaps cycles, and a runCycle during a cycle gets a fresh full cycle after it', async () => {
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const mod: EngineModule = {
      name: 'm',
      updateAll: async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        runs++;
        if (runs === 1) await gate;
        running--;
      },
    };
    const e = new Engine(ctx, [mod], { intervalMs: 0, moduleTimeoutMs: 1000 });
    const first = e.runCycle();
    const second = e.runCycle();
    const third = e.runCycle(); // coalesces with the second
    release();
    await Promise.all([first, second, third]);
    expect(runs).toBe(2);
    expect(maxRunning).toBe(1);
  });

  it('a wake runs the paging path every time, and a clock module at most every WAKE_MIN_GAP_MS; runCycle runs all', async () => {
    const ran: string[] = [];
    // Listed after the clock module, the paging path still runs first; and again after it, to send what it queued.
    const mods: EngineModule[] = [
      { name: 'reminders', updateAll: async () => void ran.push('reminders') },
      { name: 'paging', onWake: true, updateAll: async () => void ran.push('paging') },
    ];
    const e = new Engine(ctx, mods, { intervalMs: 0, moduleTimeoutMs: 1000 });
    await e.runCycle();
    expect(ran).toEqual(['paging', 'reminders', 'paging']);
    ran.length = 0;
    for (let i = 0; i < 5; i++) {
      e.wake();
      await e.idle();
    }
    expect(ran).toEqual(['paging', 'paging', 'paging', 'paging', 'paging']);
    ran.length = 0;
    (ctx.clock as FakeClock).advance(WAKE_MIN_GAP_MS);
    e.wake();
    await e.idle();
    expect(ran).toEqual(['paging', 'reminders', 'paging']);
    ran.length = 0;
    await e.runCycle();
    expect(ran).toEqual(['paging', 'reminders', 'paging']);
  });

  it('runs the paging path in passes while a module says more is due, a batch of each module per pass, and stops after MAX_PAGING_PASSES', async () => {
    const ran: string[] = [];
    let steps = 3; // three batches of escalation work, each making one batch of notifications
    let notifications = 0;
    const mods: EngineModule[] = [
      {
        name: 'escalation',
        onWake: true,
        updateAll: async () => {
          ran.push('escalation');
          if (!steps) return;
          steps--;
          notifications++;
          return MORE;
        },
      },
      {
        name: 'notification',
        onWake: true,
        updateAll: async () => {
          ran.push(`notification(${notifications})`);
          notifications = 0;
        },
      },
    ];
    const e = new Engine(ctx, mods, { intervalMs: 0, moduleTimeoutMs: 1000 });
    e.wake();
    await e.idle();
    // Each batch of escalation is followed by the notifications it made, before the next batch is taken.
    expect(ran).toEqual(['escalation', 'notification(1)', 'escalation', 'notification(1)', 'escalation', 'notification(1)', 'escalation', 'notification(0)']);

    // A module that always says more is run at most MAX_PAGING_PASSES times in one run of the path.
    let calls = 0;
    const always = new Engine(ctx, [{ name: 'always', onWake: true, updateAll: async () => (calls++, MORE) }], { intervalMs: 0, moduleTimeoutMs: 1000 });
    always.wake();
    await always.idle();
    expect(calls).toBe(MAX_PAGING_PASSES);
  });

  it('runCycle waits for the work a module started in the background; a wake does not', async () => {
    let release!: () => void;
    let done = false;
    const sending = new Set<Promise<void>>();
    const mod: EngineModule = {
      name: 'delivery',
      onWake: true,
      updateAll: async () => {
        if (sending.size) return;
        const p = new Promise<void>((r) => (release = r)).then(() => void (done = true));
        sending.add(p);
        void p.finally(() => sending.delete(p));
      },
      settle: async () => void (await Promise.all([...sending])),
    };
    const e = new Engine(ctx, [mod], { intervalMs: 0, moduleTimeoutMs: 1000 });
    e.wake();
    await e.idle();
    expect(done).toBe(false);
    const cycle = e.runCycle();
    let settled = false;
    void cycle.then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    release();
    await cycle;
    expect(done).toBe(true);
  });
});

describe('GroupCommit', () => {
  it('answers a batch only once it is durable, and commits the next batch while the disk works', async () => {
    const committed: number[][] = [];
    const syncs: (() => void)[] = [];
    const gc = new GroupCommit<number, number>(
      async (items) => {
        committed.push(items);
        return items;
      },
      async (i) => {
        committed.push([i]);
        return i;
      },
      256,
      () => new Promise<void>((r) => syncs.push(r)),
    );
    const answered: number[] = [];
    const first = [1, 2].map((i) => gc.submit(i).then((v) => void answered.push(v)));
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(committed).toEqual([[1, 2]]);
    // The disk has not answered: nobody hears back, yet the next items are committed meanwhile.
    const second = [3, 4].map((i) => gc.submit(i).then((v) => void answered.push(v)));
    for (let i = 0; i < 5 && committed.length < 2; i++) await new Promise((r) => setImmediate(r));
    expect(committed).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(answered).toEqual([]);
    syncs.forEach((r) => r());
    await Promise.all([...first, ...second]);
    expect(answered.sort()).toEqual([1, 2, 3, 4]);
  });

  it('commits concurrent submissions together, in order', async () => {
    const batches: number[][] = [];
    const gc = new GroupCommit<number, number>(
      async (items) => {
        batches.push(items);
        return items.map((i) => i * 10);
      },
      async (i) => {
        batches.push([i]);
        return i * 10;
      },
    );
    const results = await Promise.all([1, 2, 3, 4].map((i) => gc.submit(i)));
    expect(results).toEqual([10, 20, 30, 40]);
    expect(batches).toEqual([[1, 2, 3, 4]]);
  });

  it('when a batch fails, retries each item alone: one bad item fails only itself', async () => {
    const gc = new GroupCommit<number, number>(
      async (items) => {
        if (items.includes(2)) throw new Error('batch failed');
        return items;
      },
      async (i) => {
        if (i === 2) throw new Error('bad item');
        return i;
      },
    );
    const results = await Promise.allSettled([1, 2, 3].map((i) => gc.submit(i)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});
