import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../bench/lib.js';
import { freePort, spawnNode, stop } from '../child-process.js';

describe('child processes shared by the tests and bench/', () => {
  it('spawnNode resolves once the ready line is printed; stop ends the child with SIGTERM and gives its exit code', async () => {
    const { child, ready } = spawnNode(['-e', "process.on('SIGTERM', () => process.exit(7)); console.log('up and ready'); setInterval(() => {}, 1000);"], { env: process.env, readyLine: 'ready' });
    await ready;
    expect(child.exitCode).toBeNull();
    expect(await stop(child)).toBe(7);
    expect(await stop(child)).toBe(7);
  });

  it('spawnNode rejects with the name and stderr when the child exits before it is ready', async () => {
    const { ready } = spawnNode(['-e', "console.error('no database'); process.exit(3);"], { env: process.env, readyLine: 'ready', name: 'fake server' });
    await expect(ready).rejects.toThrow(/^fake server exited \(3\) before it was ready: no database/);
  });

  it('freePort gives a port on 127.0.0.1 nobody listens on', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
  });
});

describe('seededRandom (bench/lib.ts): the benchmarks measure the same data every run', () => {
  it('gives the same numbers in [0, 1) for the same seed, other numbers for another seed', () => {
    const take = (seed: number) => Array.from({ length: 1000 }, seededRandom(seed));
    const a = take(42);
    expect(take(42)).toEqual(a);
    expect(take(43)).not.toEqual(a);
    expect(a.every((x) => x >= 0 && x < 1)).toBe(true);
    // mulberry32's first output for seed 42, as bench/reports.ts and bench/schedules.ts generated their data before.
    expect(a[0]).toBeCloseTo(0.6011037519, 9);
  });
});
