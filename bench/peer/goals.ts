/** bench/peer.ts: the goals of issue 8 and the machine probes noted beside them. */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import SQLite from 'better-sqlite3';
import { progress } from './common.js';
import { must } from '../../apps/server/src/lib/must.js';

// ---------------------------------------------------------------------------------------------
// Goals and the report
// ---------------------------------------------------------------------------------------------

export interface Goal {
  goal: string;
  pass: boolean;
  detail: string;
}

export function atLeast(goal: string, value: number, min: number, what: string): Goal {
  if (!Number.isFinite(value)) return { goal, pass: false, detail: `not measured (${what})` };
  const pass = value >= min;
  return {
    goal,
    pass,
    detail: `${value.toFixed(2)}× (${what}); ${pass ? `${((value / min - 1) * 100).toFixed(0)}% above` : `${((1 - value / min) * 100).toFixed(0)}% short: needs ${(min / value).toFixed(2)}× more`}`,
  };
}

export function below(goal: string, value: number, max: number, unit: string, what: string): Goal {
  if (!Number.isFinite(value) || !Number.isFinite(max)) return { goal, pass: false, detail: `not measured (${what})` };
  const pass = value < max;
  return {
    goal,
    pass,
    detail: `${value.toFixed(0)} ${unit} vs ${max.toFixed(0)} ${unit} (${what}); ${pass ? `${(max - value).toFixed(0)} ${unit} under` : `${(value - max).toFixed(0)} ${unit} over (${(value / max).toFixed(1)}×)`}`,
  };
}

export function exactlyZero(goal: string, value: number, what: string): Goal {
  return { goal, pass: value === 0, detail: `${value} (${what})` };
}

/** The 1-minute load average, and a warning when something else is using the machine. */
export function machineLoad(when: string): number {
  const load = must(loadavg()[0], 'loadavg()[0]');
  const cores = cpus().length;
  if (load > 0.75 * cores) progress(`WARNING ${when}: load average ${load.toFixed(2)} on ${cores} cores: something else is running; the figures will be noisy`);
  return load;
}

/**
 * Milliseconds per durable commit on this disk (SQLite, WAL, synchronous=FULL, one small insert per
 * transaction): Klaxon's engine commits several times per page, so its figures move with this.
 */
export function commitProbe(): number {
  const dir = mkdtempSync(join(tmpdir(), 'klaxon-peer-fsync-'));
  try {
    const db = new SQLite(join(dir, 'probe.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('create table t (id integer primary key, v text)');
    const insert = db.prepare('insert into t (v) values (?)');
    const one = db.transaction(() => insert.run('x'));
    const n = 100;
    const t = performance.now();
    for (let i = 0; i < n; i++) one();
    const ms = (performance.now() - t) / n;
    db.close();
    return ms;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
