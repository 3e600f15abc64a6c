/**
 * A disk that fills up under a running server: SQLite on a small tmpfs, and PostgreSQL with the test
 * database in a tablespace on a small tmpfs (when KLAXON_TEST_DATABASE_URL is set and the server is
 * on this machine). Ingest answers 503 with Retry-After in each vendor's shape (senders retry 5xx),
 * the log names the real cause (SQLITE_FULL / SQLSTATE 53100, not the rollback that followed),
 * /readyz is unready while writes fail, and once space is freed the same process accepts events
 * again and /readyz is ready: no restart.
 *
 * Needs `mount -t tmpfs` (root, as in CI); where mounting is not permitted the suite is skipped and says why.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/app/config.js';
import { startKlaxon, type Klaxon } from '../../src/app/klaxon.js';
import { SYSTEM } from '../../src/auth/actor.js';
import { FakeClock } from '../../src/lib/clock.js';
import { createToken } from '../../src/auth/tokens.js';
import { must } from '../../src/lib/must.js';
import { createIntegration, createService } from '../../src/service/service.js';
import { createUser } from '../../src/user/service.js';
import { adminQuery, dropDatabases, holdFullDiskLock } from '../pg-admin.js';

/** A small tmpfs on a new directory, or why it could not be mounted. */
function smallDisk(size: string): { dir: string; error: string } {
  const dir = mkdtempSync(join(tmpdir(), 'klaxon-diskfull-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
    return { dir, error: '' };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    return { dir, error: String((e as { stderr?: Buffer }).stderr ?? e).trim() };
  }
}
function unmount(dir: string): void {
  execFileSync('umount', ['-l', dir]); // lazy: a failed run may leave a file open
  rmSync(dir, { recursive: true, force: true });
}

interface Setup {
  name: string;
  /** Holds drops of other test databases back while the disk is full (test/pg-admin.ts), for PostgreSQL. */
  lock(): Promise<{ release(): Promise<void> }>;
  skip: string;
  databaseUrl: string;
  dir: string;
  cleanup(): Promise<void>;
}

async function sqliteSetup(): Promise<Setup> {
  const disk = smallDisk('16m');
  return {
    name: 'SQLite on a 16 MB tmpfs',
    skip: disk.error && `cannot mount a tmpfs to fill (${disk.error}); it needs root, as in CI`,
    databaseUrl: join(disk.dir, 'klaxon.db'),
    dir: disk.dir,
    lock: async () => ({ release: async () => {} }),
    cleanup: async () => void (disk.error || unmount(disk.dir)),
  };
}

/** PostgreSQL: a tablespace on a tmpfs (the server must run on this machine) and a database in it. */
async function postgresSetup(admin: string): Promise<Setup> {
  const disk = smallDisk('24m');
  const name = `klaxon_full_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
  const base = { name: 'PostgreSQL, database in a tablespace on a 24 MB tmpfs', dir: disk.dir, databaseUrl: '', lock: () => holdFullDiskLock(admin) };
  if (disk.error) return { ...base, skip: `cannot mount a tmpfs to fill (${disk.error}); it needs root, as in CI`, cleanup: async () => {} };
  try {
    execFileSync('chown', ['postgres:postgres', disk.dir], { stdio: 'pipe' });
    await adminQuery(admin, `CREATE TABLESPACE ${name} LOCATION '${disk.dir}'`);
    await adminQuery(admin, `CREATE DATABASE ${name} TABLESPACE ${name}`);
  } catch (e) {
    unmount(disk.dir);
    return { ...base, skip: `cannot put a PostgreSQL tablespace on the tmpfs (${(e as Error).message}); the server must run on this machine, as in CI`, cleanup: async () => {} };
  }
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return {
    ...base,
    skip: '',
    databaseUrl: u.toString(),
    cleanup: async () => {
      await dropDatabases(admin, [name]);
      await adminQuery(admin, `DROP TABLESPACE IF EXISTS ${name}`);
      unmount(disk.dir);
    },
  };
}

const setups = [await sqliteSetup(), ...(process.env.KLAXON_TEST_DATABASE_URL ? [await postgresSetup(process.env.KLAXON_TEST_DATABASE_URL)] : [])];
for (const s of setups) if (s.skip) process.stderr.write(`disk-full test (${s.name}) SKIPPED: ${s.skip}\n`);

describe.each(setups)('a full disk under a running server ($name)', (setup) => {
  let k: Klaxon;
  const logs: { level: number; msg: string; err?: { message?: string; code?: string } }[] = [];
  const keys: Record<string, string> = {};
  let token = '';
  const filler = join(setup.dir, 'filler');

  beforeAll(async () => {
    if (setup.skip) return;
    const log = pino({ level: 'warn', base: undefined }, { write: (line: string) => void logs.push(JSON.parse(line)) });
    k = await startKlaxon({ ...configFromEnv({}), port: 0, publicUrl: 'http://127.0.0.1:0', databaseUrl: setup.databaseUrl }, { clock: new FakeClock('2026-03-02T09:00:00Z'), log });
    const svc = await createService(k.ctx, SYSTEM, { name: 'disk' });
    for (const kind of ['pagerduty', 'opsgenie', 'generic', 'alertmanager'])
      keys[kind] = must((await createIntegration(k.ctx, SYSTEM, svc.id, { name: kind, kind })).key, `the key of the ${kind} integration`);
    const admin = await createUser(k.ctx, SYSTEM, { email: 'admin@test.local', name: 'Admin', role: 'admin' });
    token = (await createToken(k.ctx, SYSTEM, admin.id, 'test')).token;
  }, 60_000);
  afterAll(async () => {
    await k?.stop().catch(() => {});
    await setup.cleanup();
  });

  /** Writes zeros until the file system says ENOSPC. */
  function fillDisk(): void {
    const fd = openSync(filler, 'w');
    const block = Buffer.alloc(64 * 1024);
    try {
      for (;;) writeSync(fd, block);
    } catch (e) {
      expect((e as NodeJS.ErrnoException).code).toBe('ENOSPC');
    } finally {
      closeSync(fd);
    }
  }

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${k.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const pd = (i: number) => ({
    routing_key: keys.pagerduty,
    event_action: 'trigger',
    dedup_key: `disk-${i}`,
    payload: { summary: `Disk test ${i} ${'x'.repeat(2000)}`, source: 'db-1', severity: 'critical' },
  });

  it.skipIf(!!setup.skip)("answers 503 with Retry-After in each vendor shape, logs the database's error, is unready, and recovers once space is freed", async () => {
    expect((await post('/v2/enqueue', pd(0))).status).toBe(202);
    expect((await fetch(`${k.url}/readyz`)).status).toBe(200);
    const lock = await setup.lock();
    try {
      fillDisk();
      await fullDisk();
    } finally {
      rmSync(filler, { force: true });
      await lock.release();
    }

    // Space again: the same process writes, and says it is ready.
    const ready = await fetch(`${k.url}/readyz`);
    expect(ready.status).toBe(200);
    expect((await post('/v2/enqueue', pd(1000))).status).toBe(202);
    const ok = await post(`/integrations/v1/generic/${keys.generic}`, { summary: 'Disk has room again' });
    expect(ok.status).toBe(202);
  });

  /** What the server does while the disk is full. */
  async function fullDisk(): Promise<void> {
    // Events until one no longer fits (the WAL may have room for a few).
    let res: Response | null = null;
    for (let i = 1; i <= 500; i++) {
      res = await post('/v2/enqueue', pd(i));
      if (res.status !== 202) break;
    }
    const refused = must(res, 'an answer to the events');
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ status: 'unavailable', message: expect.stringMatching(/disk|storage|space/i), errors: [expect.any(String)] });

    const genie = await post('/v2/alerts', { message: `Opsgenie on a full disk ${'y'.repeat(2000)}` }, { authorization: `GenieKey ${keys.opsgenie}` });
    expect(genie.status).toBe(503);
    expect(genie.headers.get('retry-after')).toBeTruthy();
    expect(await genie.json()).toMatchObject({ message: expect.any(String), took: expect.any(Number), requestId: expect.any(String) });

    const generic = await post(`/integrations/v1/generic/${keys.generic}`, { summary: `Generic on a full disk ${'z'.repeat(2000)}` });
    expect(generic.status).toBe(503);
    expect(generic.headers.get('retry-after')).toBeTruthy();
    expect(await generic.json()).toMatchObject({ error: { code: 'unavailable', message: expect.any(String) } });

    // The API answers the same way (503, Retry-After, its own error shape).
    // (Until a write needs space the disk no longer has: PostgreSQL fills the free room of pages it already has first.)
    let api: Response | null = null;
    for (let i = 0; i < 200; i++) {
      api = await post('/api/v1/services', { name: `full-disk-service-${i}`, description: 'd'.repeat(2000) }, { authorization: `Bearer ${token}` });
      if (api.status !== 201) break;
    }
    api = must(api, 'an answer to the service creations');
    expect(api.status).toBe(503);
    expect(api.headers.get('retry-after')).toBeTruthy();
    expect(await api.json()).toMatchObject({ error: { code: 'unavailable' } });

    // The log says what happened, not only that a rollback failed.
    const errors = logs.filter((l) => l.level >= 50);
    expect(errors.some((l) => l.err?.code === 'SQLITE_FULL' || l.err?.code === '53100')).toBe(true);
    expect(errors.every((l) => !/cannot rollback/.test(l.err?.message ?? ''))).toBe(true);

    const unready = await fetch(`${k.url}/readyz`);
    expect(unready.status).toBe(503);
    expect(await unready.json()).toMatchObject({ status: 'database cannot write' });
  }
});
