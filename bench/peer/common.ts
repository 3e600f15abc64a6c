/** bench/peer.ts: its settings (from the environment), progress lines and small helpers. */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ROOT } from '../lib.js';
import { must } from '../../apps/server/src/lib/must.js';

export const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
export const CONNECTIONS = 50;
/** Klaxon instances on one PostgreSQL in figure 1's scale-out run (BENCH_PEER_INSTANCES). */
export const INSTANCES = Number(process.env.BENCH_PEER_INSTANCES ?? 3);
export const KEYS = 1000;
/** Seconds of unmeasured load at the latency figure's rate before it is measured. */
export const WARM_SECONDS = 2;
export const RATE = 1000;
/** A second latency point where both systems keep up, so their p99 compare at the same load. */
export const LOW_RATE = Number(process.env.BENCH_LOW_RATE ?? 25);
export const STORM_EVENTS = Number(process.env.BENCH_STORM_EVENTS ?? 100_000);
export const STORM_KEYS = 1000;
export const ALERTMANAGER = process.env.BENCH_ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager';
export const PG_ADMIN_URL = process.env.KLAXON_BENCH_DATABASE_URL || process.env.KLAXON_TEST_DATABASE_URL || '';
export const KLAXON_BIN = join(ROOT, 'apps', 'server', 'bin', 'klaxon.js');
/** The webhook receiver runs on loopback: the servers the benchmark starts allow exactly that. */
export const BENCH_EGRESS_ALLOW = '127.0.0.1/32';
export const MB = 1024 * 1024;

export const T0 = performance.now();
export const phaseLoads: { phase: string; load: number }[] = [];
export function progress(msg: string): void {
  // Each phase notes the machine's load average: another process on 2 cores skews every figure.
  if (msg.startsWith('figure')) phaseLoads.push({ phase: msg, load: must(loadavg()[0], 'loadavg()[0]') });
  const load = msg.startsWith('figure') ? ` (load average ${must(loadavg()[0], 'loadavg()[0]').toFixed(2)})` : '';
  process.stdout.write(`[peer ${((performance.now() - T0) / 1000).toFixed(0).padStart(4)}s] ${msg}${load}\n`);
}
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Nearest-rank percentile of sorted numbers. */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return must(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))], `the p${p} sample`);
}
