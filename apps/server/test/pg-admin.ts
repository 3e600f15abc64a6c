/**
 * Statements on the tests' PostgreSQL server (creating and dropping test databases), in one place. DROP DATABASE forces a
 * checkpoint, and a checkpoint fails while test/e2e/disk-full.test.ts holds its tablespace full (the
 * checkpointer cannot write that database's pages): a drop in another file at that moment failed CI
 * with "checkpoint request failed". So the disk-full test holds FULL_DISK_LOCK exclusively while its
 * disk is full, and every drop takes it shared first.
 */
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';

/** Advisory lock key (on the admin database) held exclusively while a tablespace is deliberately full. */
const FULL_DISK_LOCK = 0x6b6c7866;

/** Runs one statement on the tests' PostgreSQL server (`admin`: its admin URL) on a connection of its own. */
export async function adminQuery(admin: string, text: string): Promise<void> {
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

/** Drops each named database (IF EXISTS, WITH FORCE), never while a test holds a tablespace full. */
export async function dropDatabases(admin: string, names: readonly string[]): Promise<void> {
  if (!names.length) return;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  try {
    await c.query('SELECT pg_advisory_lock_shared($1)', [FULL_DISK_LOCK]);
    for (const name of names) {
      // A checkpoint that hit the full disk just before the lock was released can still be counted
      // against this drop's checkpoint; the drop then rolls back whole and is safe to repeat.
      for (let attempt = 1; ; attempt++) {
        try {
          await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          break;
        } catch (e) {
          if (attempt >= 3 || !/checkpoint request failed/.test((e as Error).message)) throw e;
          await delay(500);
        }
      }
    }
  } finally {
    await c.end(); // ends the session, which releases the lock
  }
}

/** Takes FULL_DISK_LOCK exclusively (waiting for drops in progress); `release` lets drops go on. */
export async function holdFullDiskLock(admin: string): Promise<{ release(): Promise<void> }> {
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query('SELECT pg_advisory_lock($1)', [FULL_DISK_LOCK]);
  return { release: () => c.end() };
}
