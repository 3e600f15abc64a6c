/** Shared bench helpers: child servers and free ports (the tests' apps/server/test/child-process.ts), a seeded random generator, result tables. */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnNode } from '../apps/server/test/child-process.js';

export const ROOT = join(import.meta.dirname, '..');

export { freePort, stop } from '../apps/server/test/child-process.js';

/** Spawns a server process (`node <args>`, this environment plus `env`) and resolves once its stdout prints `ready`. */
export async function spawnServer(args: string[], env: NodeJS.ProcessEnv, ready: string): Promise<ChildProcess> {
  const started = spawnNode(args, { env: { ...process.env, ...env }, readyLine: ready, cwd: ROOT });
  await started.ready;
  return started.child;
}

/** A small deterministic PRNG (mulberry32): the same seed gives the same numbers in [0, 1), so every run measures the same data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One row of a result table: a figure, its baseline, and the ratio between them. */
export interface Row {
  figure: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number };
}

/** Prints rows as a table and writes them as JSON to bench/results/<name>.json. */
export function report(name: string, rows: Row[], meta: Record<string, unknown> = {}): void {
  const fmt = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(2));
  const lines = rows.map((r) => {
    const ratio = r.baseline ? ` | ${fmt(r.baseline.value)} ${r.unit} (${r.baseline.name}) | ratio ${(r.value / r.baseline.value).toFixed(2)}` : '';
    return `  ${r.figure.padEnd(46)} ${fmt(r.value).padStart(10)} ${r.unit}${ratio}`;
  });
  process.stdout.write(`\n${name}\n${lines.join('\n')}\n`);
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(
    join(ROOT, 'bench', 'results', `${name}.json`),
    `${JSON.stringify({ name, at: new Date().toISOString(), node: process.version, ...meta, rows: rows.map((r) => ({ ...r, ratio: r.baseline ? r.value / r.baseline.value : undefined })) }, null, 2)}\n`,
  );
}
