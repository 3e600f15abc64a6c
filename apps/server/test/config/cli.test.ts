/** The `klaxon apply` and `klaxon export` commands end to end, as a person runs them. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/app/config.js';
import { localContext } from '../../src/app/klaxon.js';
import { listAudit } from '../../src/audit-trail.js';
import { SYSTEM } from '../../src/auth/actor.js';
import { parseConfigFile } from '../../src/config/load.js';
import { REPO_ROOT } from './helpers.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'klaxon-cli-'));
const env = { ...process.env, KLAXON_DATABASE_URL: join(dir, 'klaxon.db'), KLAXON_LOG_LEVEL: 'silent' };

/** Runs `node apps/server/bin/klaxon.js ...args` from the repository root; never throws on a non-zero exit. */
async function klaxon(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['apps/server/bin/klaxon.js', ...args], { cwd: REPO_ROOT, env });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

describe('klaxon apply / export', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('applies the example once, then finds nothing to do, then exports it', async () => {
    const dry = await klaxon('apply', '-f', 'examples/klaxon.yaml', '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('Would apply 13 change(s) from examples/klaxon.yaml.');

    const first = await klaxon('apply', '-f', 'examples/klaxon.yaml');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('  + user alice@example.com (3 contact methods, 3 notification rules)');
    expect(first.stdout).toContain('  + schedule "Payments secondary" (2 layers)');
    expect(first.stdout).toContain('  + service edge-proxy (2 integrations)');
    expect(first.stdout).toContain('Applied 13 change(s) from examples/klaxon.yaml.');

    const second = await klaxon('apply', '-f', 'examples/klaxon.yaml');
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe('No changes: the database already matches examples/klaxon.yaml.\n');

    const exported = await klaxon('export');
    expect(exported.code, exported.stderr).toBe(0);
    // The export is on the audit trail: who (the operating-system user), when, from where (this host, the CLI).
    const { ctx, close } = await localContext({ ...configFromEnv({}), databaseUrl: env.KLAXON_DATABASE_URL });
    try {
      const { entries } = await listAudit(ctx, SYSTEM, { action: 'config.export' });
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ actor: { type: 'system', name: `klaxon export (${userInfo().username})` }, via: 'cli', address: hostname(), data: { output: 'stdout', users: 4 } });
    } finally {
      await close();
    }
    expect(exported.stdout.split('\n')[0]).toMatch(/^# yaml-language-server: \$schema=.*docs\/klaxon\.schema\.json$/);
    const doc = parseConfigFile('export.yaml', exported.stdout);
    expect(doc.users?.map((u) => u.email)).toEqual(['alice@example.com', 'bob@example.com', 'carmen@example.com', 'dev@example.com']);
    expect(doc.schedules?.map((x) => x.name)).toEqual(['Payments primary', 'Payments secondary']);

    const file = join(dir, 'exported.yaml');
    writeFileSync(file, exported.stdout);
    const again = await klaxon('apply', '-f', file);
    expect(again.stdout).toBe(`No changes: the database already matches ${file}.\n`);
  }, 180_000); // five CLI processes: 13 s alone, over 60 s once in a full run on two busy cores

  it('prints every problem of a bad file as file:line:col and exits 2', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'version: 1\nservices:\n  - name: api\n    escalationPolicy: 5\n    gruoping: none\n');
    const bad = await klaxon('apply', '-f', file);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(`${file}:4:23: services[0].escalationPolicy: must be string or null\n${file}:5:5: services[0].gruoping: unknown field "gruoping" (did you mean "grouping"?)\n`);
  }, 30_000);
});
