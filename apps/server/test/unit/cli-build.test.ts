/**
 * bin/klaxon.js runs a build of the sources (bin/build.js; docs/architecture.md, "Running the
 * sources"). Each case builds into its own root beside apps/server/.build (at the same depth, which
 * the paths relative to import.meta.url need), so it never touches the build other tests run.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureBuild, newest, SERVER_DIR, sourcesStamp } from '../../bin/build.js';
import { REPO_ROOT } from '../config/helpers.js';
import { ensureWebBuilt } from '../browser/support.js';

const run = promisify(execFile);
const roots: string[] = [];
const rootFor = (name: string) => {
  const r = join(SERVER_DIR, `.build-test-${process.pid}-${name}`);
  roots.push(r);
  return r;
};
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

describe('the CLI build', () => {
  it('is named after the newest change among the sources', () => {
    const dir = join(tmpdir(), `klaxon-newest-${process.pid}`);
    mkdirSync(join(dir, 'a', 'b'), { recursive: true });
    writeFileSync(join(dir, 'a', 'b', 'x.ts'), '');
    writeFileSync(join(dir, 'y.ts'), '');
    utimesSync(join(dir, 'y.ts'), 1000, 1000);
    utimesSync(join(dir, 'a', 'b', 'x.ts'), 5000, 5000);
    for (const d of [join(dir, 'a', 'b'), join(dir, 'a'), dir]) utimesSync(d, 2000, 2000);
    expect(newest(dir)).toBe(5_000_000);
    expect(newest(join(dir, 'missing'))).toBe(0);
    rmSync(dir, { recursive: true, force: true });
    expect(Number(sourcesStamp())).toBeGreaterThanOrEqual(newest(join(SERVER_DIR, 'src', 'cli', 'main.ts')));
  });

  it('runs export and serve as the sources do: the schema and the web app found from the build', async () => {
    ensureWebBuilt();
    const entry = await ensureBuild({ root: rootFor('run') });
    const db = join(tmpdir(), `klaxon-build-${process.pid}.db`);
    const env = { ...process.env, KLAXON_DATABASE_URL: db, KLAXON_LOG_LEVEL: 'silent' };
    const out = await run(process.execPath, [entry, 'export'], { cwd: REPO_ROOT, env });
    expect(out.stdout).toContain(`$schema=${join(REPO_ROOT, 'docs', 'klaxon.schema.json')}`);

    const server = spawn(process.execPath, [entry, 'serve'], { cwd: REPO_ROOT, env: { ...env, KLAXON_PORT: '0', KLAXON_HOST: '127.0.0.1' } });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let text = '';
        server.stdout.on('data', (d: Buffer) => {
          text += d.toString();
          const m = /running on (http:\/\/\S+) /.exec(text);
          if (m?.[1]) resolve(m[1]);
        });
        server.once('exit', (code) => reject(new Error(`serve exited ${code}: ${text}`)));
      });
      const page = await fetch(`${url}/incidents`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="root">');
    } finally {
      server.kill('SIGTERM');
      rmSync(db, { force: true });
    }
  });

  it('several commands building at once keep one build; earlier builds go after ten minutes', async () => {
    const root = rootFor('race');
    mkdirSync(join(root, 'old'), { recursive: true });
    mkdirSync(join(root, 'recent'), { recursive: true });
    const now = Date.now();
    utimesSync(join(root, 'old'), (now - 11 * 60_000) / 1000, (now - 11 * 60_000) / 1000);
    const entries = await Promise.all([ensureBuild({ root, now }), ensureBuild({ root, now }), ensureBuild({ root, now })]);
    expect(new Set(entries).size).toBe(1);
    expect(existsSync(entries[0] as string)).toBe(true);
    expect(readdirSync(root).sort()).toEqual([sourcesStamp(), 'recent'].sort());
  });

  it('refuses when its folder cannot be made (bin/klaxon.js then runs the sources through tsx)', async () => {
    const root = rootFor('blocked');
    writeFileSync(root, 'not a folder');
    await expect(ensureBuild({ root })).rejects.toThrow(/ENOTDIR|EEXIST/);
  });
});
