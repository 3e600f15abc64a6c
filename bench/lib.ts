/** Shared bench helpers: child servers, free ports, result tables. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..');

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** Spawns a server process and resolves once its stdout prints `ready`. */
export function spawnServer(args: string[], env: NodeJS.ProcessEnv, ready: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(ready)) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited (${code}): ${err}`)));
  });
}

/** Stops a child process and waits for it. */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
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
