import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { toHttpError } from '../../src/http/errors.js';
import { isDiskFull, WriteHealth } from '../../src/lib/db/disk-full.js';

describe('isDiskFull', () => {
  it('knows SQLite, the file system and PostgreSQL saying the disk is full, also as a cause', () => {
    expect(isDiskFull(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }))).toBe(true);
    expect(isDiskFull(Object.assign(new Error('ENOSPC: no space left on device, fdatasync'), { code: 'ENOSPC', errno: -28 }))).toBe(true);
    const pgFull = new pg.DatabaseError('could not extend file "base/16384/16385": No space left on device', 0, 'error');
    pgFull.code = '53100';
    expect(isDiskFull(pgFull)).toBe(true);
    const pgIo = new pg.DatabaseError('could not write to file "base/16384/16385": No space left on device', 0, 'error');
    pgIo.code = '58030';
    expect(isDiskFull(pgIo)).toBe(true);
    expect(isDiskFull(new Error('write failed', { cause: new Error('ENOSPC: No space left on device, write') }))).toBe(true);
    const otherIo = new pg.DatabaseError('could not read block 0: read only 0 of 8192 bytes', 0, 'error');
    otherIo.code = '58030';
    expect(isDiskFull(otherIo)).toBe(false);
    expect(isDiskFull(new Error('batch failed', { cause: pgFull }))).toBe(true);
  });

  it('is false for everything else', () => {
    expect(isDiskFull(new Error('cannot rollback - no transaction is active'))).toBe(false);
    expect(isDiskFull(Object.assign(new Error('UNIQUE constraint failed'), { code: 'SQLITE_CONSTRAINT_UNIQUE' }))).toBe(false);
    const pgOther = new pg.DatabaseError('duplicate key', 0, 'error');
    pgOther.code = '23505';
    expect(isDiskFull(pgOther)).toBe(false);
    for (const v of [null, undefined, 'SQLITE_FULL', 53100, {}]) expect(isDiskFull(v)).toBe(false);
  });

  it('maps to 503 unavailable for the API, not 500', () => {
    const { status, body } = toHttpError(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }));
    expect(status).toBe(503);
    expect(body.error.code).toBe('unavailable');
    expect(toHttpError(new Error('boom')).status).toBe(500);
  });

  it('WriteHealth remembers the failure until a write succeeds', () => {
    const h = new WriteHealth();
    expect(h.failing).toBeNull();
    h.failed(new Error('full'));
    expect(h.failing?.message).toBe('full');
    h.ok();
    expect(h.failing).toBeNull();
  });
});
