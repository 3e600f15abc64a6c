/**
 * A disk that fills up under a running server (SQLite on a small tmpfs): ingest answers 503 with
 * Retry-After in each vendor's shape (senders retry 5xx), the log names the real cause (SQLITE_FULL,
 * not the rollback that followed), /readyz is unready while writes fail, and once space is freed the
 * same process accepts events again and /readyz is ready: no restart.
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
import { createIntegration, createService } from '../../src/service/service.js';

const dir = mkdtempSync(join(tmpdir(), 'klaxon-diskfull-'));
let mountError = '';
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', dir], { stdio: 'pipe' });
} catch (e) {
  mountError = String((e as { stderr?: Buffer }).stderr ?? e).trim();
}
if (mountError) {
  rmSync(dir, { recursive: true, force: true });
  process.stderr.write(`disk-full test SKIPPED: cannot mount a tmpfs to fill (${mountError}); it needs root, as in CI\n`);
}

describe.skipIf(!!mountError)('a full disk under a running server (SQLite on a 16 MB tmpfs)', () => {
  let k: Klaxon;
  const logs: { level: number; msg: string; err?: { message?: string; code?: string } }[] = [];
  const keys: Record<string, string> = {};
  const filler = join(dir, 'filler');

  beforeAll(async () => {
    const log = pino({ level: 'warn', base: undefined }, { write: (line: string) => void logs.push(JSON.parse(line)) });
    k = await startKlaxon({ ...configFromEnv({}), port: 0, publicUrl: 'http://127.0.0.1:0', databaseUrl: join(dir, 'klaxon.db') }, { clock: new FakeClock('2026-03-02T09:00:00Z'), log });
    const svc = await createService(k.ctx, SYSTEM, { name: 'disk' });
    for (const kind of ['pagerduty', 'opsgenie', 'generic', 'alertmanager']) keys[kind] = (await createIntegration(k.ctx, SYSTEM, svc.id, { name: kind, kind })).key!;
  });
  afterAll(async () => {
    await k?.stop().catch(() => {});
    execFileSync('umount', ['-l', dir]); // lazy: a failed run may leave a file open
    rmSync(dir, { recursive: true, force: true });
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
  const pd = (i: number) => ({ routing_key: keys.pagerduty, event_action: 'trigger', dedup_key: `disk-${i}`, payload: { summary: `Disk test ${i} ${'x'.repeat(2000)}`, source: 'db-1', severity: 'critical' } });

  it('answers 503 with Retry-After in each vendor shape, logs SQLITE_FULL, is unready, and recovers once space is freed', async () => {
    expect((await post('/v2/enqueue', pd(0))).status).toBe(202);
    expect((await fetch(`${k.url}/readyz`)).status).toBe(200);
    fillDisk();

    // Events until one no longer fits (the WAL may have room for a few).
    let res: Response | null = null;
    for (let i = 1; i <= 500; i++) {
      res = await post('/v2/enqueue', pd(i));
      if (res.status !== 202) break;
    }
    expect(res!.status).toBe(503);
    expect(Number(res!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await res!.json()).toMatchObject({ status: 'unavailable', message: expect.stringMatching(/disk|storage|space/i), errors: [expect.any(String)] });

    const genie = await post('/v2/alerts', { message: `Opsgenie on a full disk ${'y'.repeat(2000)}` }, { authorization: `GenieKey ${keys.opsgenie}` });
    expect(genie.status).toBe(503);
    expect(genie.headers.get('retry-after')).toBeTruthy();
    expect(await genie.json()).toMatchObject({ message: expect.any(String), took: expect.any(Number), requestId: expect.any(String) });

    const generic = await post(`/integrations/v1/generic/${keys.generic}`, { summary: `Generic on a full disk ${'z'.repeat(2000)}` });
    expect(generic.status).toBe(503);
    expect(generic.headers.get('retry-after')).toBeTruthy();
    expect(await generic.json()).toMatchObject({ error: { code: 'unavailable', message: expect.any(String) } });

    // The log says what happened, not only that a rollback failed.
    const errors = logs.filter((l) => l.level >= 50);
    expect(errors.some((l) => l.err?.code === 'SQLITE_FULL' || /database or disk is full/.test(l.err?.message ?? ''))).toBe(true);
    expect(errors.every((l) => !/cannot rollback/.test(l.err?.message ?? ''))).toBe(true);

    const unready = await fetch(`${k.url}/readyz`);
    expect(unready.status).toBe(503);
    expect(await unready.json()).toMatchObject({ status: 'database cannot write' });

    // Space again: the same process writes, and says it is ready.
    rmSync(filler);
    const ready = await fetch(`${k.url}/readyz`);
    expect(ready.status).toBe(200);
    expect((await post('/v2/enqueue', pd(1000))).status).toBe(202);
    const ok = await post(`/integrations/v1/generic/${keys.generic}`, { summary: 'Disk has room again' });
    expect(ok.status).toBe(202);
  });
});
