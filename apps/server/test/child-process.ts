/**
 * Child processes for the tests and the benchmarks (bench/lib.ts re-exports these): a free port, a
 * process started and awaited until it prints that it is ready, and a SIGTERM that waits for the exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { must } from '../src/lib/must.js';

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

/**
 * Starts `node <args>` with exactly `env` and returns the child at once, with `ready`: resolves once
 * its stdout has printed `readyLine`, rejects (with its stderr) if it exits before that.
 */
export function spawnNode(args: string[], opts: { env: NodeJS.ProcessEnv; readyLine: string; cwd?: string; name?: string }): { child: ChildProcess; ready: Promise<void> } {
  const child = spawn(process.execPath, args, { env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], ...(opts.cwd && { cwd: opts.cwd }) });
  let err = '';
  must(child.stderr, 'the stderr pipe of the child').on('data', (d: Buffer) => (err += d.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    let out = '';
    must(child.stdout, 'the stdout pipe of the child').on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(opts.readyLine)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`${opts.name ?? args.join(' ')} exited (${code}) before it was ready: ${err}`)));
  });
  return { child, ready };
}

/** SIGTERM, then waits for the exit; resolves with the exit code (at once if it has exited). */
export async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  return exited;
}
