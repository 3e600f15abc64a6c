/** Runs `klaxon import|compare` the way a person does, for the migration suites. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../config/helpers.js';

const run = promisify(execFile);

/** `klaxon <args>` from the repository root in its own process, with `env` over the test's environment; never throws on a non-zero exit. */
export async function runKlaxon(args: readonly string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['apps/server/bin/klaxon.js', ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, KLAXON_LOG_LEVEL: 'silent', ...env },
      maxBuffer: 32 << 20,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

/**
 * The fakes have no rate limit, so the suites ask them as fast as they answer instead of at the
 * vendors' documented pace (an Opsgenie import and comparison waited about 30 s for it).
 * test/migrate/pace.test.ts checks the default pace and the flags themselves.
 */
export const UNPACED = ['--max-rate', '1000'] as const;
